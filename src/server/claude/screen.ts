/**
 * Reads Claude Code's screen (the terminal mirror's visible lines) into what it shows: busy,
 * idle at the prompt, a dialog that answers a tool call (permission, AskUserQuestion, plan
 * approval) with its numbered options, the trust dialog, or another dialog that needs a person.
 * Pure: lines in, classification out. Markers from claude-code-facts.md §4 and §9, checked
 * against 2.1.328 and 2.1.332.
 */
import type { DialogKind } from '../../shared/state.js';

export type ScreenKind = 'busy' | 'idle' | 'dialog' | 'trust' | 'blocked' | 'unknown';

export interface Dialog {
  kind: DialogKind;
  /** Option labels, in order, without their numbers (a question's descriptions left out). */
  options: string[];
  /** 0-based index of the highlighted (❯) option. */
  highlighted: number;
  /** The question the dialog asks ("Do you want to proceed?", "Which color do you prefer?"). */
  question: string;
}

export interface ScreenReading {
  kind: ScreenKind;
  /** The dialog when `kind` is `dialog` (or the trust dialog's two options). */
  dialog: Dialog | null;
  /** The text in the prompt box ('' when empty), null when no box shows. */
  box: string | null;
}

const OPTION = /^\s*(❯)?\s*(\d+)\.\s+(.*?)\s*$/;
/** A box rule: a line of ─ (20 or more), which may carry a title ("──── my session ─"). */
const RULE = /^\s*[─━]{2,}(?: [^─━]+ [─━]+)?\s*$/;
const isRule = (l: string): boolean => RULE.test(l) && (l.match(/[─━]/g)?.length ?? 0) >= 20;
const SCROLL_HINT = /^\s*[↑↓]\s*\d+ more lines?/;
/** AskUserQuestion's footer, and the review step of a multi-question call. */
const QUESTION_FOOTER = /Enter to select · .*navigate/;
const QUESTION_REVIEW = /^\s*Review your answers\s*$/;
/** ExitPlanMode: "Exit plan mode?" (2.1.328 and older), "… Would you like to proceed?" (2.1.332). */
const PLAN_QUESTION = /Exit plan mode\?|ready to execute\. Would you like to|Would you like to proceed\?/;
/** Text only ExitPlanMode's dialog shows (a reply can ask "Would you like to proceed?" too). */
const PLAN_MARKER = /Exit plan mode\?|Ready to code\?|Claude has written up a plan/;
/** How far above the options ExitPlanMode's marker may stand (the plan is shown between). */
const PLAN_REACH = 40;
const PERMISSION_QUESTION = /Do you want to .*\?/;
/** How far above the first option the dialog's question may stand. */
const QUESTION_REACH = 8;

export function readScreen(rawLines: readonly string[]): ScreenReading {
  // Claude Code draws U+00A0 after its glyphs; compare as plain spaces.
  const lines = rawLines.map((l) => l.replace(/\u00a0/g, ' '));
  return { ...classify(lines), box: promptBoxText(lines) };
}

function classify(lines: readonly string[]): Omit<ScreenReading, 'box'> {
  const text = lines.join('\n');

  if (text.includes('Yes, I trust this folder')) {
    // Two unnumbered options, "No, exit" first and highlighted by default.
    const highlighted = /❯\s*Yes, I trust/.test(text) ? 1 : 0;
    return { kind: 'trust', dialog: { kind: 'permission', options: ['No, exit', 'Yes, I trust this folder'], highlighted, question: 'Trust this folder?' } };
  }

  const dialog = readDialog(lines);
  if (dialog) return { kind: 'dialog', dialog };

  if (/Do you want to use this API key\?|Make auto mode your default permission mode\?|Select login method|Choose the text style|Press Enter to continue/.test(text)) {
    return { kind: 'blocked', dialog: null };
  }
  // The status line under the prompt box says which: busy wins, it replaces the idle hint.
  const status = statusLine(lines);
  if (/esc to interrupt/i.test(status)) return { kind: 'busy', dialog: null };
  if (promptBoxShown(lines)) return { kind: 'idle', dialog: null };
  return { kind: 'unknown', dialog: null };
}

/**
 * A dialog that answers a tool call: consecutive numbered options (1., 2., …) with one
 * highlighted by ❯, classified by what surrounds them. Other numbered menus (a picker opened
 * in the terminal) are not answerable dialogs.
 */
function readDialog(lines: readonly string[]): Dialog | null {
  const width = Math.max(...lines.map((l) => l.length));
  // The last option 1 on screen starts the newest menu.
  let first = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = OPTION.exec(lines[i] ?? '');
    if (m && m[2] === '1') {
      first = i;
      break;
    }
  }
  if (first < 0) return null;
  // Dialogs replace the prompt box: options inside the box are text someone typed.
  if (insideBox(lines, first)) return null;
  const above = lines.slice(Math.max(0, first - QUESTION_REACH), first);
  const below = lines.slice(first);
  const kind: DialogKind | null = below.some((l) => QUESTION_FOOTER.test(l)) || above.some((l) => QUESTION_REVIEW.test(l))
    ? 'question'
    : above.some((l) => PLAN_QUESTION.test(l)) && lines.slice(Math.max(0, first - PLAN_REACH), first).some((l) => PLAN_MARKER.test(l))
      ? 'plan'
      : above.some((l) => PERMISSION_QUESTION.test(l)) && below.some((l) => /Esc to cancel/i.test(l))
        ? 'permission'
        : null;
  if (!kind) return null;

  const options: string[] = [];
  let highlighted = -1;
  let last = ''; // the previous line of the list, to tell a wrapped label from a description
  for (let i = first; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const m = OPTION.exec(line);
    if (m && Number(m[2]) === options.length + 1) {
      if (m[1]) highlighted = options.length;
      options.push(m[3] ?? '');
      last = line;
      continue;
    }
    if (m) break; // numbering broken: another list
    // AskUserQuestion draws a rule before its last option ("Chat about this").
    if (kind === 'question' && isRule(line) && OPTION.test(lines[i + 1] ?? '')) continue;
    // Indented lines under an option: a label Claude Code wrapped at the width, or a
    // description / hint (a question's "A warm color", the plan's "shift+tab to approve…").
    if (options.length > 0 && /^\s{4,}\S/.test(line) && !SCROLL_HINT.test(line)) {
      if (kind !== 'question' && wrapped(last, line, width)) options[options.length - 1] += ` ${line.trim()}`;
      last = line;
      continue;
    }
    break; // a blank line, a footer, a scroll hint: the list is over
  }
  if (options.length < 2 || highlighted < 0) return null;
  return { kind, options, highlighted, question: questionOf(above, kind) };
}

/** A continuation is a wrap when its first word would not have fit on the line before. */
function wrapped(prev: string, next: string, width: number): boolean {
  const word = next.trim().split(/\s+/)[0] ?? '';
  return prev.trimEnd().length + 1 + word.length > width - 2;
}

/**
 * The question above the options: the block of text lines just above them (a question
 * wrapped over two lines at 80 columns is joined), nearest the options first.
 */
function questionOf(above: readonly string[], kind: DialogKind): string {
  const pattern = kind === 'permission' ? PERMISSION_QUESTION : kind === 'plan' ? PLAN_QUESTION : null;
  const decorative = (l: string): boolean => !l || /^[─━╌▔←☐☒✔●→]/.test(l);
  const text = above.map((l) => l.trim());
  let start: number;
  if (pattern) {
    start = findLastIndex(text, (l) => pattern.test(l));
    if (start < 0) return '';
  } else {
    // A question: the block of text just above its options.
    let end = text.length - 1;
    while (end >= 0 && decorative(text[end] ?? '')) end--;
    if (end < 0) return '';
    start = end;
    while (start > 0 && !decorative(text[start - 1] ?? '') && end - start < 2) start--;
  }
  const block: string[] = [];
  for (let i = start; i < text.length && block.length < 3 && !decorative(text[i] ?? ''); i++) block.push(text[i] ?? '');
  return block.join(' ');
}

/** The first non-blank line below the prompt box's lower rule. */
function statusLine(lines: readonly string[]): string {
  const rule = findLastIndex(lines, isRule);
  if (rule < 0) return lines.filter((l) => l.trim() !== '').slice(-1)[0] ?? '';
  for (let i = rule + 1; i < lines.length; i++) if ((lines[i] ?? '').trim() !== '') return lines[i] ?? '';
  return '';
}

/** The input box: a ❯ line between two rules at the bottom. */
function promptBoxShown(lines: readonly string[]): boolean {
  return boxBounds(lines) !== null;
}

/** The prompt box: its upper and lower rule, with a ❯ line just under the upper one. */
function boxBounds(lines: readonly string[]): { upper: number; lower: number } | null {
  const lower = findLastIndex(lines, isRule);
  if (lower < 2) return null;
  for (let i = lower - 1; i > 0; i--) {
    if (isRule(lines[i] ?? '')) return /^\s*❯/.test(lines[i + 1] ?? '') ? { upper: i, lower } : null;
  }
  return null;
}

function insideBox(lines: readonly string[], row: number): boolean {
  const b = boxBounds(lines);
  return b !== null && row > b.upper && row < b.lower;
}

/** The text in the input box (its lines after the ❯), or null when no box shows. */
function promptBoxText(lines: readonly string[]): string | null {
  const b = boxBounds(lines);
  if (!b) return null;
  const { upper, lower } = b;
  const body = lines.slice(upper + 1, lower).map((l, i) => (i === 0 ? l.replace(/^\s*❯\s?/, '') : l.replace(/^\s{2}/, '')));
  const text = body.join('\n').trimEnd();
  return PLACEHOLDERS.includes(text) ? '' : text;
}

/** Dim hints Claude Code shows in an empty box (plain text on the mirror's lines). */
const PLACEHOLDERS = ['Resend your message to try again'];

function findLastIndex(lines: readonly string[], pred: (l: string) => boolean): number {
  for (let i = lines.length - 1; i >= 0; i--) if (pred(lines[i] ?? '')) return i;
  return -1;
}
