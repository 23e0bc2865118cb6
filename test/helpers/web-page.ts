/**
 * Helpers for the browser tests of the web UI: the page's debugging handle (`window.ccpty`),
 * a count of the state frames a page receives, touch swipes, axe-core, and what a page load
 * cost in bytes.
 */
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';
import { waitFor } from './wait.js';

export interface Size {
  cols: number;
  rows: number;
}

interface Handle {
  text(): string;
  screen(): string[];
  state(): string;
  size(): Size;
  pty(): Size | null;
  driving(): boolean;
  scale(): number;
  firstPaint(): number | null;
  scroll(): { viewportY: number; baseY: number };
  feed(text: string): void;
}

/** Calls a method of the page's `window.ccpty` handle. */
export function ccpty<K extends keyof Handle>(page: Page, method: K, ...args: Parameters<Handle[K]>): Promise<ReturnType<Handle[K]>> {
  return page.evaluate(([m, a]) => {
    const h = (window as unknown as { ccpty?: Record<string, (...x: unknown[]) => unknown> }).ccpty;
    if (!h) throw new Error('no ccpty handle yet');
    return h[m as string]!(...(a as unknown[]));
  }, [method, args] as const) as Promise<ReturnType<Handle[K]>>;
}

export async function stateIs(page: Page, state: string, timeoutMs: number): Promise<void> {
  await waitFor(async () => (await ccpty(page, 'state').catch(() => '')) === state, `the page to say ${state}`, timeoutMs, 100);
}

/** The JSON frames (not terminal output) a page receives on its sockets, from now on. */
export function recordFrames(page: Page): Array<Record<string, unknown>> {
  const frames: Array<Record<string, unknown>> = [];
  page.on('websocket', (ws) =>
    ws.on('framereceived', (f) => {
      if (typeof f.payload !== 'string' || f.payload.includes('"session_pty_output"')) return;
      try {
        frames.push(JSON.parse(f.payload) as Record<string, unknown>);
      } catch {
        // not JSON: ignore
      }
    }),
  );
  return frames;
}

/** A one-finger swipe over the element (`dy` > 0: the finger moves down), as touch events. */
export async function swipe(ctx: BrowserContext, page: Page, selector: string, dy: number, steps = 12): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not on screen`);
  const x = box.x + box.width / 2;
  const y0 = box.y + box.height / 2 - dy / 2;
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y: y0 }] });
  for (let i = 1; i <= steps; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y: y0 + (dy * i) / steps }] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's serious and critical violations on the page as it is (needs a context with bypassCSP). */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  // A dialog fading in has blended colours: check what stays on screen (its animations are
  // short; one that never runs to its end must not hold the check up).
  await page.evaluate(() => {
    const finite = document.getAnimations().filter((a) => a.effect?.getComputedTiming().endTime !== Infinity);
    const settled = Promise.all(finite.map((a) => a.finished.catch(() => undefined)));
    return Promise.race([settled, new Promise((r) => setTimeout(r, 2000))]);
  });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> }> }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} — ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`).join(' | ')}`);
  });
}

/** Bytes a page load moved over the wire (bodies as sent, compressed where they were). */
export function countBytes(page: Page): { total(): Promise<number>; urls: string[] } {
  const sizes: Array<Promise<number>> = [];
  const urls: string[] = [];
  page.on('requestfinished', (req) => {
    urls.push(req.url());
    sizes.push(req.sizes().then((s) => s.responseBodySize + s.responseHeadersSize, () => 0));
  });
  return { total: async () => (await Promise.all(sizes)).reduce((a, b) => a + b, 0), urls };
}
