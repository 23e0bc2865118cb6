/**
 * Who sets the PTY's size (DESIGN.md §8): the viewer that last typed into the session or
 * clicked its terminal "drives" it, and asks for the size that fills its own window; every
 * other viewer shows the PTY's exact cols × rows, scaled down or letterboxed (TerminalView),
 * never re-wrapped. A viewer that opens a session nobody else watches drives it at once; one
 * that joins a watched session does not, so a phone looking in leaves the desktop's screen as
 * it is. View-only viewers never resize. The server announces every size (`session_size`); a
 * size other than the one asked for means someone else drives now.
 */
import type { Size, TerminalView } from './terminal';

/** Window changes (dragging its edge, a phone keyboard sliding in) settle before one resize. */
const RESIZE_DEBOUNCE_MS = 120;

/**
 * A size announced this soon after this viewer asked for another may predate the request (the
 * server greets a new socket with the current size while its resize is on the way): it does
 * not mean someone else drives. Round trips on a phone network are well under this.
 */
const ANSWER_GRACE_MS = 2000;

const same = (a: Size | null, b: Size | null): boolean => !!a && !!b && a.cols === b.cols && a.rows === b.rows;

export class SizePolicy {
  private driving = false;
  /** The size this viewer last asked for (or found already in force). */
  private asked: Size | null = null;
  /** When the last resize was sent, until the server announced that size. */
  private askedAt: number | null = null;
  private timer: number | undefined;

  constructor(
    private readonly view: TerminalView,
    private readonly sendResize: (size: Size) => void,
    private readonly readOnly: boolean,
    /** Driving or the fit changed (for the "Fit here" button). */
    private readonly changed: () => void,
  ) {}

  get isDriving(): boolean {
    return this.driving;
  }

  /** This viewer takes over: the PTY gets the size that fills its window. */
  claim(): void {
    if (this.readOnly) return;
    const was = this.driving;
    this.driving = true;
    this.push();
    if (!was) this.changed();
  }

  /** The space for the terminal changed; a driving viewer asks for the new fit. */
  space(): void {
    if (!this.driving) return this.changed();
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.push(), RESIZE_DEBOUNCE_MS);
  }

  /** After a reconnect the server may have restarted (80×24 again): a driver asks again. */
  reconnected(): void {
    this.asked = null;
    if (this.driving) this.push();
  }

  /** The server says what size the PTY has now. */
  announced(size: Size): void {
    this.view.setPtySize(size);
    if (same(this.asked, size)) this.askedAt = null;
    else if (this.driving && this.asked && (this.askedAt === null || performance.now() - this.askedAt > ANSWER_GRACE_MS)) this.driving = false; // someone else took it
    this.changed();
  }

  dispose(): void {
    window.clearTimeout(this.timer);
  }

  private push(): void {
    window.clearTimeout(this.timer);
    const want = this.view.proposed();
    if (!want || this.readOnly) return;
    this.asked = want;
    if (same(want, this.view.ptySize)) return;
    this.askedAt = performance.now();
    this.sendResize(want);
  }
}
