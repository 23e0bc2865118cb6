/** Debian's chromium driven by playwright-core (no browser download possible here). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export async function launchBrowser(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ccpty-chromium-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // Without the background-networking flags this closed network refuses chromium's own
    // connections by the dozen.
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', `--user-data-dir=${profile}`],
  });
  return {
    browser,
    async close() {
      await browser.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const RESULTS = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'test-results');
