/** Debian's chromium driven by playwright-core (no browser download possible here). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Playwright starts chromium with a fresh temporary --user-data-dir of its own (it refuses one
 * in `args`). Without the background-networking flags this closed network refuses chromium's
 * own connections by the dozen.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
}

export const RESULTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test-results');
