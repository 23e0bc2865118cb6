/**
 * Spoken words → what to do with a session: the one table shared by the browser (voice UI) and
 * the server (`transcribe?act=1`). Pure and small on purpose: no language model ever decides an
 * approval. While a dialog is pending only the phrases below act (a whole utterance, not a word
 * inside a sentence); anything else is never typed, since it would answer the dialog.
 */
import type { PendingTool, SessionStateName } from './state.js';

/** What an utterance does. `none`: nothing is sent; `reason` says why (shown and spoken). */
export type SpokenAction =
  | { kind: 'prompt'; text: string }
  | { kind: 'select'; index: number; label: string }
  | { kind: 'cancel'; why: 'decline' | 'interrupt' }
  | { kind: 'none'; reason: string };

export interface SpokenContext {
  state: SessionStateName;
  /** The dialog on screen (only read while `state` is `pending`). */
  pending: Pick<PendingTool, 'kind' | 'options'> | null;
}

type Intent = 'yes' | 'always' | 'no' | 'cancel';

/** The phrases, per intent (English and Chinese). Matched after `normalizeUtterance`. */
export const SPOKEN_PHRASES: Readonly<Record<Intent, readonly string[]>> = {
  yes: ['yes', 'yeah', 'yep', 'approve', 'approved', 'allow', 'allow it', 'ok', 'okay', 'sure', 'go ahead', 'do it', 'yes do it',
    '确认', '是', '是的', '好', '好的', '可以', '允许', '同意', '批准'],
  always: ['always', 'always allow', 'yes always', 'allow always', "don't ask again", 'do not ask again', "yes don't ask again",
    '总是', '总是允许', '始终允许', '不再询问', '不要再问'],
  no: ['no', 'nope', 'deny', 'denied', 'decline', 'reject', "don't", 'do not', 'no thanks',
    '拒绝', '不', '不要', '否', '不行', '不可以', '不同意'],
  cancel: ['cancel', 'stop', 'abort', 'interrupt', 'never mind', 'nevermind', 'stop it',
    '中断', '取消', '停止', '停', '算了'],
};

/** Option labels Claude Code adds to a question; a spoken label never picks these (say their number). */
const OWN_QUESTION_OPTIONS = new Set(['type something', 'chat about this']);

const WORD_NUMBERS: Readonly<Record<string, number>> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9,
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9,
};
/** Speech-to-text homophones of numbers, taken only after "option" / "number" / "choice". */
const HOMOPHONES: Readonly<Record<string, number>> = { won: 1, to: 2, too: 2, for: 4 };
const CJK_NUMBERS = '一二三四五六七八九';

/** Lowercase, punctuation and fillers ("please", "thanks", "吧") dropped, repeated words once. */
export function normalizeUtterance(text: string): string {
  let s = text.normalize('NFKC').toLowerCase()
    .replace(/['’‘`]/g, '') // "don't" and "dont" alike
    .replace(/[^\p{L}\p{N} ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  s = s.replace(/^(?:please|ok so|so|um|uh|hey claude|claude)\s+(?=\S)/, '').replace(/\s+(?:please|thanks|thank you)$/, '');
  s = s.replace(/(?<=\p{Script=Han})[吧啊呀了呢]$/u, '');
  const words = s.split(' ');
  return words.filter((w, i) => i === 0 || w !== words[i - 1]).join(' ');
}

const NORMALIZED: ReadonlyArray<readonly [Intent, ReadonlySet<string>]> = (Object.keys(SPOKEN_PHRASES) as Intent[])
  .map((intent) => [intent, new Set(SPOKEN_PHRASES[intent].map(normalizeUtterance))] as const);

function intentOf(norm: string): Intent | null {
  for (const [intent, phrases] of NORMALIZED) if (phrases.has(norm)) return intent;
  return null;
}

/** "option two", "number 2", "the second one", "2", "第二个", "选项二" → 2 (1-based); else null. */
export function spokenNumber(norm: string): number | null {
  const en = /^(?:(option|number|choice)\s+)?(?:the\s+)?(\S+)(?:\s+(?:one|option|choice))?$/.exec(norm);
  if (en) {
    const [, prefix, word] = en as unknown as [string, string | undefined, string];
    if (/^[1-9]$/.test(word)) return Number(word);
    const n = WORD_NUMBERS[word] ?? (prefix ? HOMOPHONES[word] : undefined);
    if (n !== undefined) return n;
  }
  const zh = /^(?:第|选项|选|选择)\s?([一二三四五六七八九1-9])\s?(?:个|项|个选项)?$/u.exec(norm);
  if (zh) {
    const d = zh[1] as string;
    return /[1-9]/.test(d) ? Number(d) : CJK_NUMBERS.indexOf(d) + 1;
  }
  return null;
}

/** Which option each intent picks, by its label as Claude Code shows it. */
const YES_RE = /^yes\b/i;
const ALWAYS_RE = /\balways\b|don'?t ask again|do not ask again|\ballow all\b/i;
const NO_RE = /^no\b/i;

function optionIndex(options: readonly string[], re: RegExp): number {
  return options.findIndex((o) => re.test(o));
}

/** What the person meant, given the session's state and dialog. */
export function spokenAction(transcript: string, ctx: SpokenContext): SpokenAction {
  const norm = normalizeUtterance(transcript);
  if (norm === '') return { kind: 'none', reason: 'Nothing was heard.' };
  const intent = intentOf(norm);
  if (ctx.state !== 'pending') {
    if (intent === 'cancel') {
      return ctx.state === 'running' || ctx.state === 'starting'
        ? { kind: 'cancel', why: 'interrupt' }
        : { kind: 'none', reason: 'Claude is not working on anything to stop.' };
    }
    return { kind: 'prompt', text: transcript.trim() };
  }
  const options = ctx.pending?.options ?? [];
  const pick = (index: number): SpokenAction => ({ kind: 'select', index, label: options[index] ?? '' });
  switch (intent) {
    case 'yes': {
      const i = optionIndex(options, YES_RE);
      return i >= 0 ? pick(i) : { kind: 'none', reason: `There is no "Yes" here. ${answerHint(ctx)}` };
    }
    case 'always': {
      const i = optionIndex(options, ALWAYS_RE);
      return i >= 0 ? pick(i) : { kind: 'none', reason: `There is no "always" option here. ${answerHint(ctx)}` };
    }
    case 'no': {
      const i = optionIndex(options, NO_RE);
      return i >= 0 ? pick(i) : { kind: 'cancel', why: 'decline' };
    }
    case 'cancel':
      return { kind: 'cancel', why: 'decline' };
    case null:
      break;
  }
  const n = spokenNumber(norm);
  if (n !== null) {
    if (n <= options.length) return pick(n - 1);
    return { kind: 'none', reason: `There is no option ${n}: the dialog shows ${options.length}.` };
  }
  if (ctx.pending?.kind === 'question') {
    const said = norm.replace(/^the\s+/, '');
    const i = options.findIndex((o) => !OWN_QUESTION_OPTIONS.has(normalizeUtterance(o)) && normalizeUtterance(o) === said);
    if (i >= 0) return pick(i);
  }
  return { kind: 'none', reason: `Not sent: Claude is waiting for an answer. ${answerHint(ctx)}` };
}

/** What may be said to the dialog now, in one line. */
export function answerHint(ctx: SpokenContext): string {
  const options = ctx.pending?.options ?? [];
  const words: string[] = [];
  if (optionIndex(options, YES_RE) >= 0) words.push('yes');
  if (optionIndex(options, ALWAYS_RE) >= 0) words.push('always');
  words.push('no');
  if (ctx.pending?.kind === 'question') words.push('an option\'s name');
  if (options.length > 0) words.push(`an option number (1-${options.length})`);
  words.push('or cancel');
  return `Say ${words.join(', ')}.`;
}
