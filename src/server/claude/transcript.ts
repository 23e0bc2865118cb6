/**
 * Follows Claude Code's JSONL transcript from the path its hooks report (never re-derived),
 * from the point where we start following: history that a resume replays is not re-announced.
 * Assistant text and thinking blocks become `session_output`.
 */
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export interface TranscriptBlock {
  text: string;
  thinking: boolean;
}

const READ_CHUNK = 256 * 1024;
/** fs.watch misses events on some file systems; a slow poll backs it up. */
const POLL_MS = 1000;

export class TranscriptTail {
  private offset: number;
  private ino: number;
  private partial = '';
  /** Keeps a character split between two reads whole. */
  private decoder = new StringDecoder('utf8');
  private watcher: fs.FSWatcher | null = null;
  private readonly poll: NodeJS.Timeout;
  private reading = false;
  private again = false;
  private closed = false;
  private readonly seen = new Set<string>();

  constructor(
    readonly path: string,
    private readonly onBlock: (block: TranscriptBlock) => void,
    private readonly onLine: (line: Record<string, unknown>) => void = () => undefined,
  ) {
    const st = stat(path);
    this.offset = st?.size ?? 0;
    this.ino = st?.ino ?? 0;
    this.watch();
    this.poll = setInterval(() => this.read(), POLL_MS);
    this.poll.unref();
  }

  /** Watches the file once it exists (a new session's transcript appears with its first prompt). */
  private watch(): void {
    if (this.watcher || this.closed) return;
    try {
      this.watcher = fs.watch(this.path, () => this.read());
      this.watcher.on('error', () => undefined);
    } catch {
      this.watcher = null; // not there yet: the poll, and every read, try again
    }
  }

  /** Reads what was appended since the last read (also called when a hook says there is more). */
  read(): void {
    if (this.closed) return;
    this.watch();
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    try {
      for (;;) {
        const st = stat(this.path);
        if (!st) break;
        if (st.size < this.offset || (this.ino !== 0 && st.ino !== this.ino)) this.restart(); // truncated or replaced
        this.ino = st.ino;
        const size = st.size;
        if (size === this.offset) break;
        const fd = fs.openSync(this.path, 'r');
        try {
          const buf = Buffer.alloc(Math.min(READ_CHUNK, size - this.offset));
          const n = fs.readSync(fd, buf, 0, buf.length, this.offset);
          this.offset += n;
          this.consume(this.decoder.write(buf.subarray(0, n)));
        } finally {
          fs.closeSync(fd);
        }
      }
    } catch {
      // vanished or unreadable for now; the next event or poll tries again
    } finally {
      this.reading = false;
    }
    if (this.again) {
      this.again = false;
      this.read();
    }
  }

  private restart(): void {
    this.offset = 0;
    this.partial = '';
    this.decoder = new StringDecoder('utf8');
  }

  private consume(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch {
        continue;
      }
      if (typeof obj !== 'object' || obj === null) continue;
      const rec = obj as Record<string, unknown>;
      this.onLine(rec);
      for (const block of assistantBlocks(rec)) {
        const key = `${String(rec.uuid ?? '')}:${block.thinking ? 't' : 'x'}:${block.text}`;
        if (this.seen.has(key)) continue;
        this.seen.add(key);
        this.onBlock(block);
      }
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.poll);
    this.watcher?.close();
  }
}

/**
 * The text and thinking blocks of an assistant transcript line. Lines Claude Code wrote itself
 * (`message.model` "<synthetic>": an API error's text, the "No response requested." it adds
 * when a resumed conversation ended on a declined tool) are not replies; an API error reaches
 * clients through its StopFailure hook, marked as an error.
 */
export function assistantBlocks(rec: Record<string, unknown>): TranscriptBlock[] {
  if (rec.type !== 'assistant' || rec.isSidechain === true || rec.isApiErrorMessage === true) return [];
  const message = rec.message as { content?: unknown; model?: unknown } | undefined;
  if (!message || !Array.isArray(message.content) || message.model === '<synthetic>') return [];
  const out: TranscriptBlock[] = [];
  for (const b of message.content as Array<Record<string, unknown>>) {
    if (b?.type === 'text' && typeof b.text === 'string' && b.text.trim()) out.push({ text: b.text, thinking: false });
    else if (b?.type === 'thinking' && typeof b.thinking === 'string' && b.thinking.trim()) out.push({ text: b.thinking, thinking: true });
  }
  return out;
}

function stat(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}
