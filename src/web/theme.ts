/**
 * Colours. The page (DaisyUI light or dark) follows the system or the person's choice; the
 * terminal follows Claude Code's own theme unless the person chose: Claude Code's dark theme
 * draws near-white text and bullets that vanish on a white terminal, its light theme the
 * reverse. The area around the terminal's grid is painted with the terminal's background, so
 * a letterboxed or scaled screen has no frame of another colour.
 */
import type { ITheme } from '@xterm/xterm';
import type { PageTheme, Prefs } from './prefs';

export const DARK_TERMINAL: ITheme = {
  background: '#1d232a',
  foreground: '#d7dde4',
  cursor: '#d7dde4',
  cursorAccent: '#1d232a',
  selectionBackground: '#3b4a5c',
};

/** ANSI colours darkened so that each reads on white (xterm's defaults are for black). */
export const LIGHT_TERMINAL: ITheme = {
  background: '#ffffff',
  foreground: '#1f2937',
  cursor: '#1f2937',
  cursorAccent: '#ffffff',
  selectionBackground: '#c7d2fe',
  black: '#1f2937',
  red: '#b91c1c',
  green: '#15803d',
  yellow: '#a16207',
  blue: '#1d4ed8',
  magenta: '#a21caf',
  cyan: '#0e7490',
  white: '#6b7280',
  brightBlack: '#4b5563',
  brightRed: '#dc2626',
  brightGreen: '#16a34a',
  brightYellow: '#ca8a04',
  brightBlue: '#2563eb',
  brightMagenta: '#c026d3',
  brightCyan: '#0891b2',
  brightWhite: '#374151',
};

const systemDark = (): boolean => window.matchMedia('(prefers-color-scheme: dark)').matches;

/** Sets DaisyUI's theme on <html> (no attribute: it follows the system). */
export function applyPageTheme(theme: PageTheme): void {
  const html = document.documentElement;
  if (theme === 'auto') html.removeAttribute('data-theme');
  else html.setAttribute('data-theme', theme);
  html.style.colorScheme = theme === 'auto' ? '' : theme;
}

export function pageIsDark(theme: PageTheme): boolean {
  return theme === 'dark' || (theme === 'auto' && systemDark());
}

/** The terminal's palette: the person's choice, else Claude Code's theme, else the page's. */
export function terminalTheme(prefs: Prefs, claude: 'dark' | 'light' | null): ITheme {
  const dark = prefs.terminalColors !== 'auto' ? prefs.terminalColors === 'dark' : claude !== null ? claude === 'dark' : pageIsDark(prefs.pageTheme);
  return dark ? DARK_TERMINAL : LIGHT_TERMINAL;
}
