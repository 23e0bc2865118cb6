/**
 * The person's settings for this browser (localStorage): page theme, terminal colours, font
 * size, screen reader mode. Read once per page; changes are saved and announced to listeners.
 */
export type PageTheme = 'auto' | 'light' | 'dark';
/** `auto`: follow Claude Code's theme (the server reads it), else the page's. */
export type TerminalColors = 'auto' | 'dark' | 'light';

export interface Prefs {
  pageTheme: PageTheme;
  terminalColors: TerminalColors;
  /** CSS pixels; 0 = by screen width (12 on a phone, 14 elsewhere). */
  fontSize: number;
  /** xterm.js's screen reader mode: an accessible mirror of the screen, live announcements. */
  screenReader: boolean;
}

const KEY = 'ccpty.prefs';
const DEFAULTS: Prefs = { pageTheme: 'auto', terminalColors: 'auto', fontSize: 0, screenReader: false };
/** Font sizes offered (smaller is unreadable, larger leaves a phone a dozen columns). */
export const FONT_SIZES = [10, 11, 12, 13, 14, 15, 16, 18, 20] as const;

export function loadPrefs(): Prefs {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Prefs>;
    return {
      pageTheme: raw.pageTheme === 'light' || raw.pageTheme === 'dark' ? raw.pageTheme : 'auto',
      terminalColors: raw.terminalColors === 'light' || raw.terminalColors === 'dark' ? raw.terminalColors : 'auto',
      fontSize: typeof raw.fontSize === 'number' && (FONT_SIZES as readonly number[]).includes(raw.fontSize) ? raw.fontSize : 0,
      screenReader: raw.screenReader === true,
    };
  } catch {
    return { ...DEFAULTS };
  }
}

const listeners = new Set<(p: Prefs) => void>();

export function savePrefs(p: Prefs): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(p));
  } catch {
    // private mode: the choice lasts for this page only
  }
  for (const l of listeners) l(p);
}

/** Calls `fn` on every change; returns the function that stops it. */
export function onPrefs(fn: (p: Prefs) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The terminal font size to use now. */
export function fontSizeOf(p: Prefs): number {
  return p.fontSize || (window.innerWidth < 500 ? 12 : 14);
}
