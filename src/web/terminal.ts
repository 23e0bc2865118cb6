/**
 * xterm.js with the addons a person expects (WebGL with a clean fallback, Unicode 11 widths,
 * links, search, clipboard), acknowledging output only once xterm has parsed it.
 *
 * One size for everyone (DESIGN.md §8): the terminal always has exactly the PTY's cols × rows,
 * as the server announces them (`setPtySize`); it never re-wraps to its window. When the grid
 * is larger than the space it has, it is scaled down to fit; when smaller, it is centred on
 * the terminal's own background (letterboxed). `proposed()` says what would fit this window, for
 * the page to ask for when this viewer drives the size.
 */
import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { WebglAddon } from '@xterm/addon-webgl';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { SearchAddon } from '@xterm/addon-search';
import { ClipboardAddon } from '@xterm/addon-clipboard';
import { ACK_EVERY_BYTES } from '../shared/flow';
import { isAutomaticReply } from '../shared/terminal-replies';
import { EscapeBounds } from '../shared/escape-bounds';
import { clampSize } from '../shared/size-limits';
import { touchScroll } from './touch-scroll';

/** System monospace fonts, then the symbols Claude Code draws that they may lack (styles.css). */
export const FONT_FAMILY = 'ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace, "ccpty symbols"';
/** Characters of the shipped symbols font, loaded before the first paint. */
const SYMBOLS_SAMPLE = '\u23fa\u23bf\u23f8\u23f5';
/** xterm's scrollbar (overlaid on the grid's right edge; the fit leaves room for it). */
const SCROLLBAR_PX = 14;
/** Parsed bytes are acked at once past ACK_EVERY_BYTES, else after this quiet time. */
const ACK_DELAY_MS = 100;

export interface Size {
  cols: number;
  rows: number;
}

export interface TerminalOptions {
  readOnly: boolean;
  theme: ITheme;
  fontSize: number;
  screenReader: boolean;
  /** What xterm emitted: keys typed or pasted, or (`auto`) its own answers to the program's queries. */
  onInput(data: string, auto: boolean): void;
  /** `bytes` of output have been parsed (for `ack`). */
  onParsed(bytes: number): void;
  /** The space for the terminal changed (window, keyboard, bars). */
  onSpace(): void;
  /** Keys for the page before xterm sees them: return false to keep them from the program. */
  onKey(e: KeyboardEvent): boolean;
  /** Keys the page sends itself (Page Up/Down while scrolling an alternate screen). */
  send(keys: string): void;
}

export class TerminalView {
  readonly term: Terminal;
  readonly search = new SearchAddon();
  private readonly fit = new FitAddon();
  private parsedSinceAck = 0;
  /** Bumped on reconnect: parse callbacks of the old connection's output no longer count. */
  private generation = 0;
  private ackTimer: number | undefined;
  private readonly encoder = new TextEncoder();
  /** What one escape sequence may cost this tab (a huge REP count froze xterm.js for minutes). */
  private bounds = new EscapeBounds();
  private readonly resizeObserver: ResizeObserver;
  private readonly stopTouch: () => void;
  private disposed = false;
  /** The size the server announced; null until it has. */
  ptySize: Size | null = null;
  /** Current scale of the grid (1: natural size). */
  scale = 1;

  constructor(
    private readonly host: HTMLElement,
    private readonly opts: TerminalOptions,
  ) {
    this.term = new Terminal({
      allowProposedApi: true,
      cursorBlink: !opts.readOnly,
      disableStdin: opts.readOnly,
      fontFamily: FONT_FAMILY,
      fontSize: opts.fontSize,
      scrollback: 10_000,
      theme: opts.theme,
      screenReaderMode: opts.screenReader,
      cols: 80,
      rows: 24,
    });
    this.paintBackground(opts.theme);
    this.term.loadAddon(this.fit);
    this.term.loadAddon(new Unicode11Addon());
    this.term.unicode.activeVersion = '11';
    this.term.loadAddon(new WebLinksAddon());
    this.term.loadAddon(this.search);
    this.term.loadAddon(new ClipboardAddon());
    this.term.attachCustomKeyEventHandler((e) => opts.onKey(e));
    this.term.open(host);
    this.term.textarea?.setAttribute('aria-label', opts.readOnly ? 'Terminal (view only)' : 'Terminal');
    try {
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => webgl.dispose()); // back to the DOM renderer
      this.term.loadAddon(webgl);
    } catch {
      // no WebGL (headless, old phone): the DOM renderer is fine
    }
    this.term.onData((d) => opts.onInput(d, isAutomaticReply(d)));
    this.term.onBinary((d) => opts.onInput(d, false));
    this.term.onResize(() => this.layout());
    this.resizeObserver = new ResizeObserver(() => {
      this.layout();
      opts.onSpace();
    });
    this.resizeObserver.observe(host);
    this.stopTouch = touchScroll(host, this.term, () => this.rowHeight(), (k) => opts.send(k));
    // The symbols font is drawn into WebGL's glyph atlas: have it before glyphs are cached.
    void document.fonts?.load(`${opts.fontSize}px "ccpty symbols"`, SYMBOLS_SAMPLE).then(() => {
      if (this.disposed) return;
      this.term.clearTextureAtlas();
      this.term.refresh(0, this.term.rows - 1);
    }, () => undefined);
    this.layout();
  }

  /** Stops observing, drops the pending ack and disposes xterm (and its addons). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.resizeObserver.disconnect();
    this.stopTouch();
    window.clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.term.dispose();
  }

  /** The grid that would fill this window at the current font size (within the server's limits). */
  proposed(): Size | null {
    if (this.disposed) return null;
    let dims: Size | undefined;
    try {
      dims = this.fit.proposeDimensions();
    } catch {
      return null; // not laid out yet
    }
    if (!dims || !Number.isFinite(dims.cols) || !Number.isFinite(dims.rows) || this.host.clientWidth === 0) return null;
    return clampSize(dims.cols, dims.rows); // the server's limits: asking for less gets this much
  }

  /**
   * The PTY's size: the grid takes it in order with the output (after what was written before
   * this, before what comes after), so nothing is drawn at a size it was not printed for.
   */
  setPtySize(size: Size): void {
    this.ptySize = size;
    if (this.disposed) return;
    this.term.write('', () => {
      if (this.disposed) return;
      if (this.term.cols !== size.cols || this.term.rows !== size.rows) this.term.resize(size.cols, size.rows);
      this.layout();
    });
  }

  /** Scales the grid down to fit, or centres it on the terminal background. */
  layout(): void {
    if (this.disposed) return;
    const el = this.term.element;
    const screen = el?.querySelector<HTMLElement>('.xterm-screen');
    if (!el || !screen || screen.offsetWidth === 0) return;
    const cs = getComputedStyle(el);
    const padX = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight);
    const padY = parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom);
    const naturalW = screen.offsetWidth + padX + SCROLLBAR_PX;
    const naturalH = screen.offsetHeight + padY;
    el.style.width = `${naturalW}px`;
    el.style.height = `${naturalH}px`;
    const w = this.host.clientWidth;
    const h = this.host.clientHeight;
    if (w === 0 || h === 0) return;
    this.scale = Math.min(1, w / naturalW, h / naturalH);
    el.style.transform = this.scale < 1 ? `scale(${this.scale})` : '';
    el.style.left = `${Math.max(0, (w - naturalW * this.scale) / 2)}px`;
  }

  /** Whether the grid is shown other than at its natural size in this window's proposal. */
  get fitsWindow(): boolean {
    const p = this.proposed();
    return !p || !this.ptySize || (p.cols === this.ptySize.cols && p.rows === this.ptySize.rows);
  }

  /** A row's height on screen (CSS px). */
  private rowHeight(): number {
    const screen = this.term.element?.querySelector<HTMLElement>('.xterm-screen');
    return screen && this.term.rows > 0 ? (screen.offsetHeight / this.term.rows) * this.scale : 16;
  }

  setTheme(theme: ITheme): void {
    this.term.options.theme = theme;
    this.paintBackground(theme);
  }

  setFontSize(px: number): void {
    this.term.options.fontSize = px;
    this.layout();
  }

  setScreenReader(on: boolean): void {
    this.term.options.screenReaderMode = on;
  }

  /** The letterbox and the padding in the terminal's own background: no frame of another colour. */
  private paintBackground(theme: ITheme): void {
    this.host.style.background = theme.background ?? '';
  }

  /** Writes output; once parsed it counts toward the next ack (if `counted`). */
  write(data: Uint8Array | string, counted: boolean): void {
    if (this.disposed) return;
    const raw = typeof data === 'string' ? this.encoder.encode(data) : data;
    const bytes = raw.length; // the server counts what it sent, bounded or not
    const gen = this.generation;
    this.term.write(this.bounds.filter(raw), () => {
      if (!counted || gen !== this.generation || this.disposed) return;
      this.parsedSinceAck += bytes;
      if (this.parsedSinceAck >= ACK_EVERY_BYTES) this.flushAck();
      else if (this.ackTimer === undefined) this.ackTimer = window.setTimeout(() => this.flushAck(), ACK_DELAY_MS);
    });
  }

  private flushAck(): void {
    window.clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.parsedSinceAck === 0) return;
    const n = this.parsedSinceAck;
    this.parsedSinceAck = 0;
    this.opts.onParsed(n);
  }

  /** After a reconnect the server counts from zero again. */
  resetAcks(): void {
    this.generation++;
    this.bounds = new EscapeBounds(); // the new stream starts with a snapshot, not mid-sequence
    window.clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.parsedSinceAck = 0;
  }

  focus(): void {
    this.term.focus();
  }

  /** The whole buffer as text (scrollback included): what a person could scroll through. */
  text(): string {
    const buf = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < buf.length; y++) lines.push(buf.getLine(y)?.translateToString(true) ?? '');
    return lines.join('\n');
  }

  /** The visible screen's lines (what every viewer of the session should see alike). */
  screenLines(): string[] {
    const buf = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < this.term.rows; y++) lines.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
    return lines;
  }
}
