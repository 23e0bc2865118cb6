/**
 * A headless terminal that parses every byte a session prints, watched or not, so that any
 * viewer can be given the current screen (with scrollback) on attach or after falling behind.
 */
import headless from '@xterm/headless';
import serialize from '@xterm/addon-serialize';

export const MIRROR_SCROLLBACK = 10_000;
/** Bytes written to the mirror but not yet parsed before the PTY is paused / resumed. */
const PARSE_HIGH = 8 * 1024 * 1024;
const PARSE_LOW = 1024 * 1024;

/** Full reset first, so a snapshot replaces whatever the viewer's terminal showed. */
const RESET = '\x1bc';

export interface MirrorBackpressure {
  pause(): void;
  resume(): void;
}

export class TerminalMirror {
  private readonly term: headless.Terminal;
  private readonly serializer = new serialize.SerializeAddon();
  private written = 0;
  private parsed = 0;
  private paused = false;
  private cached: { at: number; cols: number; rows: number; text: string } | null = null;
  private backpressure: MirrorBackpressure | null = null;

  constructor(cols: number, rows: number) {
    this.term = new headless.Terminal({ cols, rows, scrollback: MIRROR_SCROLLBACK, allowProposedApi: true });
    this.term.loadAddon(this.serializer);
  }

  get cols(): number {
    return this.term.cols;
  }

  get rows(): number {
    return this.term.rows;
  }

  get bracketedPaste(): boolean {
    return this.term.modes.bracketedPasteMode;
  }

  /** Whom to pause when parsing falls behind (the current PTY); null detaches. */
  setBackpressure(target: MirrorBackpressure | null): void {
    if (this.paused && this.backpressure) this.backpressure.resume();
    this.paused = false;
    this.backpressure = target;
  }

  write(chunk: Uint8Array): void {
    const n = chunk.length;
    this.written += n;
    this.term.write(chunk, () => {
      this.parsed += n;
      if (this.paused && this.written - this.parsed < PARSE_LOW) {
        this.paused = false;
        this.backpressure?.resume();
      }
    });
    if (!this.paused && this.backpressure && this.written - this.parsed > PARSE_HIGH) {
      this.paused = true;
      this.backpressure.pause();
    }
  }

  resize(cols: number, rows: number): void {
    if (cols !== this.term.cols || rows !== this.term.rows) this.term.resize(cols, rows);
  }

  /**
   * Calls `cb` with the screen as it stands after everything written so far, and before
   * anything written later: the callback of an empty write runs exactly at that point of the
   * parse queue. That is what lets a viewer join with no byte lost or repeated.
   */
  snapshot(cb: (text: string) => void): void {
    this.term.write('', () => cb(this.serializeNow()));
  }

  /** Runs `cb` once everything written so far has been parsed. */
  whenParsed(cb: () => void): void {
    this.term.write('', cb);
  }

  /** Calls `cb` with the visible lines once everything written so far is parsed. */
  readScreenLines(cb: (lines: string[]) => void): void {
    this.whenParsed(() => cb(this.screenLines()));
  }

  /** Visible screen as plain text lines (for screen-based state detection and tests). */
  screenLines(): string[] {
    const buf = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < this.term.rows; y++) {
      lines.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
    }
    return lines;
  }

  private serializeNow(): string {
    const c = this.cached;
    // `parsed` is exact here: this runs inside the parse queue (see snapshot()).
    const key = { at: this.parsed, cols: this.term.cols, rows: this.term.rows };
    if (c && c.at === key.at && c.cols === key.cols && c.rows === key.rows) return c.text;
    const text = RESET + this.serializer.serialize({ scrollback: MIRROR_SCROLLBACK });
    this.cached = { ...key, text };
    return text;
  }

  dispose(): void {
    this.setBackpressure(null);
    this.term.dispose();
  }
}
