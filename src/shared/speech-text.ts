/**
 * What is read aloud: Claude's replies as speakable text (code blocks, tables, long paths and
 * links replaced by a short spoken summary, Markdown marks dropped) and a pending dialog as one
 * question. Shared by the browser (it reads) and the server (`speak` with no text). Pure.
 */
import type { PendingTool } from './state.js';

/**
 * Most characters read from one reply: about a minute of speech (~15 characters a second); a
 * longer reply is better read on screen, and one text-to-speech request takes 4096 at most.
 */
export const READ_MAX_CHARS = 1000;
/** An error is told briefly: its first words. */
const ERROR_MAX_CHARS = 120;
/** Paths with at least this many parts, or longer than PATH_MAX_CHARS, are told by their last part. */
const PATH_MIN_PARTS = 3;
const PATH_MAX_CHARS = 30;
/** Inline code longer than this is not spelled out. */
const INLINE_CODE_MAX_CHARS = 40;
/** A tool's command or file in a spoken dialog question, at most. */
const TOOL_DETAIL_MAX_CHARS = 100;

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** A reply (Markdown) as text to read aloud; `isError`: an API error ending the turn. */
export function replySpeech(text: string, isError = false): string {
  // What is read is at most READ_MAX_CHARS: a few times that is all that needs looking at.
  text = text.slice(0, 4 * READ_MAX_CHARS);
  if (isError) return `Error: ${clip(plain(text), ERROR_MAX_CHARS)}`;
  return clip(plain(text), READ_MAX_CHARS, ' The rest is on screen.');
}

function plain(text: string): string {
  const out: string[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const fence = /^\s*(```+|~~~+)\s*([\w+#.-]*)/.exec(line);
    if (fence) {
      const marker = fence[1] as string;
      let n = 0;
      let j = i + 1;
      for (; j < lines.length && !(lines[j] as string).trim().startsWith(marker); j++) n++;
      const lang = fence[2] ? `${fence[2]} ` : '';
      out.push(`${/^[aeiou]/i.test(lang) ? 'An' : 'A'} ${lang}code block of ${count(n, 'line')}.`);
      i = j;
      continue;
    }
    if (/^\s*\|.*\|\s*$/.test(line)) {
      let j = i;
      let rows = 0;
      for (; j < lines.length && /^\s*\|.*\|\s*$/.test(lines[j] as string); j++) {
        if (!/^\s*\|[\s:|-]+\|\s*$/.test(lines[j] as string)) rows++; // the |---| rule is not a row
      }
      out.push(`A table of ${count(rows, 'row')}.`);
      i = j - 1;
      continue;
    }
    out.push(inline(line));
  }
  return out.filter((l) => l.trim() !== '').join('\n').replace(/[ \t]+/g, ' ').replace(/\n+/g, '\n').trim();
}

/**
 * Characters of one line given to the patterns below: more than is ever read aloud
 * (READ_MAX_CHARS), and a bound on their backtracking, which is quadratic over one long
 * token (a 16,000-character line of base64 took 175 ms; this many, ~3 ms).
 */
const LINE_MAX_CHARS = 2000;

/** One line of Markdown as spoken words. */
function inline(line: string): string {
  return line
    .slice(0, LINE_MAX_CHARS)
    .replace(/^\s{0,3}#{1,6}\s+/, '') // headings
    .replace(/^\s*>\s?/, '') // quotes
    .replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '') // list markers
    .replace(/^\s*(?:-{3,}|\*{3,}|_{3,})\s*$/, '') // rules
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '') // images
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1') // links: their text
    .replace(/`([^`]+)`/g, (_m, code: string) => (code.length > INLINE_CODE_MAX_CHARS ? 'a code snippet' : code))
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2')
    .replace(/(^|[\s(])[*_](?=\S)(.+?)(?<=\S)[*_](?=[\s).,;:!?]|$)/g, '$1$2')
    .replace(/\bhttps?:\/\/([^/\s)]+)[^\s)]*/g, (_m, host: string) => `a link to ${host.replace(/^www\./, '')}`)
    .replace(/(?:~|\.{1,2})?(?:\/[\w.@+-]+)+\/?|(?:[\w.@+-]+\/){2,}[\w.@+-]+/g, (p) => spokenPath(p));
}

function spokenPath(p: string): string {
  const parts = p.split('/').filter(Boolean);
  if (parts.length < PATH_MIN_PARTS && p.length <= PATH_MAX_CHARS) return p;
  return `a path ending in ${parts[parts.length - 1] ?? p}`;
}

function clip(text: string, max: number, tail = '…'): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('\n'));
  return `${(end > max / 2 ? cut.slice(0, end + 1) : cut.replace(/\s+\S*$/, '')).trim()}${tail}`;
}

/** A pending dialog as one spoken question: "Claude wants to run Bash: touch notes.txt. Yes, always, or no?" */
export function pendingSpeech(p: Pick<PendingTool, 'kind' | 'tool_name' | 'tool_input' | 'options' | 'question'>): string {
  const answers = spokenChoices(p.options);
  if (p.kind === 'question') {
    const labels = p.options.filter((o) => !/^(type something\.?|chat about this)$/i.test(o.trim()));
    const choices = labels.length > 1 ? `${labels.slice(0, -1).join(', ')}, or ${labels[labels.length - 1]}?` : labels[0] ?? '';
    return `Claude asks: ${p.question ?? 'a question'} ${choices}`.trim();
  }
  if (p.kind === 'plan') return `Claude has a plan ready. ${p.question ?? 'Proceed?'} ${answers}`.trim();
  const detail = toolDetail(p.tool_name, p.tool_input);
  return `Claude wants to ${detail}. ${answers}`;
}

function toolDetail(tool: string, input: unknown): string {
  const o = input && typeof input === 'object' ? (input as Record<string, unknown>) : {};
  const str = (k: string): string | null => (typeof o[k] === 'string' && (o[k] as string).trim() !== '' ? (o[k] as string) : null);
  const said = (s: string): string => clip(inline(s.split('\n')[0] ?? s), TOOL_DETAIL_MAX_CHARS);
  const command = str('command');
  if (command) return `run ${tool || 'a command'}: ${said(command)}`;
  const file = str('file_path') ?? str('notebook_path');
  if (file) return `${tool === 'Write' ? 'write' : tool === 'Read' ? 'read' : 'edit'} ${spokenPath(file).replace(/^a path ending in /, '')}`;
  const url = str('url');
  if (url) return `use ${tool}: ${said(url)}`;
  return `use ${tool || 'a tool'}`;
}

/** "Yes, always, or no?" from the options shown. */
function spokenChoices(options: readonly string[]): string {
  const words: string[] = [];
  if (options.some((o) => /^yes\b/i.test(o))) words.push('yes');
  if (options.some((o) => /\balways\b|don'?t ask again|\ballow all\b/i.test(o))) words.push('always');
  words.push('no');
  const text = words.length > 1 ? `${words.slice(0, -1).join(', ')}, or ${words[words.length - 1]}?` : 'Yes or no?';
  return text.charAt(0).toUpperCase() + text.slice(1);
}
