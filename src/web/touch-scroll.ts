/**
 * Swipes scroll the terminal on a touch screen (xterm.js scrolls with a wheel only): through
 * the terminal's own scrollback (Claude Code draws in the normal screen, so its history is
 * there), or, when a full-screen program holds the alternate screen, by sending it Page Up /
 * Page Down, the keys such programs scroll with.
 */
import type { Terminal } from '@xterm/xterm';

/** A finger has to move this far (CSS px) before the gesture counts as a scroll, not a tap. */
const SLOP_PX = 8;

export const PAGE_UP = '\x1b[5~';
export const PAGE_DOWN = '\x1b[6~';

/**
 * Scrolls `term` by `pages` pages (negative: back in history): its scrollback in the normal
 * screen, the program's own Page Up/Down in the alternate screen.
 */
export function scrollPages(term: Terminal, pages: number, send: (keys: string) => void): void {
  if (term.buffer.active.type === 'alternate') {
    const key = pages < 0 ? PAGE_UP : PAGE_DOWN;
    for (let i = 0; i < Math.abs(pages); i++) send(key);
  } else {
    term.scrollPages(pages);
  }
}

/**
 * Follows one-finger swipes on `host`. `rowHeight` is a row's height on screen (CSS px, after
 * any scaling). Returns the function that stops listening.
 */
export function touchScroll(host: HTMLElement, term: Terminal, rowHeight: () => number, send: (keys: string) => void): () => void {
  let startY = 0;
  let lastY = 0;
  let scrolling = false;
  /** Pixels moved but not yet turned into whole rows. */
  let carry = 0;

  const start = (e: TouchEvent): void => {
    if (e.touches.length !== 1) return;
    startY = lastY = (e.touches[0] as Touch).clientY;
    scrolling = false;
    carry = 0;
  };
  const move = (e: TouchEvent): void => {
    if (e.touches.length !== 1) return;
    const y = (e.touches[0] as Touch).clientY;
    if (!scrolling && Math.abs(y - startY) < SLOP_PX) return;
    scrolling = true;
    e.preventDefault(); // no page bounce, no pull-to-refresh
    carry += y - lastY;
    lastY = y;
    const h = Math.max(1, rowHeight());
    const rows = Math.trunc(carry / h);
    if (rows === 0) return;
    carry -= rows * h;
    if (term.buffer.active.type === 'alternate') {
      // A page per screenful of finger travel: programs scroll by pages, not lines.
      const pages = Math.trunc(rows / Math.max(1, term.rows - 1)) || Math.sign(rows);
      scrollPages(term, -pages, send);
      carry = 0;
    } else {
      term.scrollLines(-rows); // finger down: back in history
    }
  };
  host.addEventListener('touchstart', start, { passive: true });
  host.addEventListener('touchmove', move, { passive: false });
  return () => {
    host.removeEventListener('touchstart', start);
    host.removeEventListener('touchmove', move);
  };
}
