/**
 * Reads Claude Code's screen (the terminal mirror's visible lines) into what it shows: busy,
 * idle at the prompt, a permission dialog and its numbered options, or another dialog that
 * needs a person. Pure: lines in, classification out. Markers from claude-code-facts.md §4.
 */
export type ScreenKind = 'busy' | 'idle' | 'permission' | 'trust' | 'dialog' | 'unknown';

export interface ScreenReading {
  kind: ScreenKind;
  /** Option labels of a permission dialog, in order, without their numbers. */
  options: string[];
  /** 0-based index of the highlighted (❯) option. */
  highlighted: number;
}

const OPTION = /^\s*(❯)?\s*(\d+)\.\s+(.*?)\s*$/;
const RULE = /^\s*[─━]{20,}\s*$/;

export function readScreen(rawLines: readonly string[]): ScreenReading {
  // Claude Code draws U+00A0 after its glyphs; compare as plain spaces.
  const lines = rawLines.map((l) => l.replace(/\u00a0/g, ' '));
  const text = lines.join('\n');
  const none = { options: [], highlighted: 0 };

  if (text.includes('Yes, I trust this folder')) {
    // Two unnumbered options, "No, exit" first and highlighted by default.
    return { kind: 'trust', options: ['No, exit', 'Yes, I trust this folder'], highlighted: /❯\s*Yes, I trust/.test(text) ? 1 : 0 };
  }

  const permission = readOptions(lines);
  if (permission) return { kind: 'permission', ...permission };

  if (/Do you want to use this API key\?|Make auto mode your default permission mode\?|Select login method|Choose the text style|Press Enter to continue/.test(text)) {
    return { kind: 'dialog', ...none };
  }
  // The status line under the prompt box says which: busy wins, it replaces the idle hint.
  const status = statusLine(lines);
  if (/esc to interrupt/i.test(status)) return { kind: 'busy', ...none };
  if (promptBoxShown(lines)) return { kind: 'idle', ...none };
  return { kind: 'unknown', ...none };
}

/**
 * A permission dialog: a question ending in "?" followed by consecutive numbered options
 * (1., 2., …) with one of them highlighted by ❯, and a footer that offers "Esc to cancel".
 */
function readOptions(lines: readonly string[]): { options: string[]; highlighted: number } | null {
  const footer = findLastIndex(lines, (l) => /Esc to cancel/i.test(l));
  if (footer < 0) return null;
  let first = -1;
  for (let i = footer - 1; i >= 0; i--) {
    const m = OPTION.exec(lines[i] ?? '');
    if (m && m[2] === '1') {
      first = i;
      break;
    }
  }
  if (first < 0) return null;
  const options: string[] = [];
  let highlighted = -1;
  for (let i = first; i < footer; i++) {
    const m = OPTION.exec(lines[i] ?? '');
    if (!m) {
      // A long option wraps onto the next line, indented past its number; anything else (a
      // blank line, a "↑ 1 more line" scroll hint) ends the list.
      const line = lines[i] ?? '';
      if (options.length === 0 || !/^\s{4,}\S/.test(line) || /^\s*[↑↓]\s*\d+ more lines?/.test(line)) break;
      options[options.length - 1] += ` ${line.trim()}`;
      continue;
    }
    if (Number(m[2]) !== options.length + 1) break;
    if (m[1]) highlighted = options.length;
    options.push(m[3] ?? '');
  }
  if (options.length < 2 || highlighted < 0) return null;
  // Permission dialogs ask "Do you want to …?" above their options; other numbered menus
  // (a picker opened in the terminal) are not permission prompts.
  const question = lines.slice(Math.max(0, first - 6), first).some((l) => /Do you want to .*\?/.test(l));
  if (!question) return null;
  return { options, highlighted };
}

/** The first non-blank line below the prompt box's lower rule. */
function statusLine(lines: readonly string[]): string {
  const rule = findLastIndex(lines, (l) => RULE.test(l));
  if (rule < 0) return lines.filter((l) => l.trim() !== '').slice(-1)[0] ?? '';
  for (let i = rule + 1; i < lines.length; i++) if ((lines[i] ?? '').trim() !== '') return lines[i] ?? '';
  return '';
}

/** The input box: a ❯ line between two rules at the bottom. */
function promptBoxShown(lines: readonly string[]): boolean {
  const lower = findLastIndex(lines, (l) => RULE.test(l));
  if (lower < 2) return false;
  for (let i = lower - 1; i > 0; i--) {
    if (RULE.test(lines[i] ?? '')) return /^\s*❯/.test(lines[i + 1] ?? '');
  }
  return false;
}

function findLastIndex(lines: readonly string[], pred: (l: string) => boolean): number {
  for (let i = lines.length - 1; i >= 0; i--) if (pred(lines[i] ?? '')) return i;
  return -1;
}
