/**
 * Claude Code's theme (`theme` in its config: dark, light, dark-daltonized, light-ansi, …),
 * so the web terminal's background fits the colours Claude Code draws with: its dark theme
 * writes near-white text that vanishes on a white page. Read lazily and re-read only when the
 * file changes (it holds every project's history and can be large).
 */
import fs from 'node:fs';

export type TerminalTheme = 'dark' | 'light';

let cached: { file: string; mtimeMs: number; size: number; theme: TerminalTheme | null } | null = null;

/** 'light' or 'dark' by Claude Code's configured theme; null when unknown (no config, no theme). */
export function claudeTheme(configFile: string): TerminalTheme | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(configFile);
  } catch {
    return null;
  }
  if (cached && cached.file === configFile && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.theme;
  let config: { theme?: unknown };
  try {
    config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as { theme?: unknown };
  } catch {
    // Claude Code rewrites this file as it runs: a read in the middle is not an answer. The
    // last one read stands, and the next call reads again.
    return cached?.file === configFile ? cached.theme : null;
  }
  const theme = themeOf(config?.theme);
  cached = { file: configFile, mtimeMs: st.mtimeMs, size: st.size, theme };
  return theme;
}

/** Claude Code's theme names: `light…` themes are light, the others dark. */
export function themeOf(name: unknown): TerminalTheme | null {
  if (typeof name !== 'string' || name === '') return null;
  return name.startsWith('light') ? 'light' : 'dark';
}
