/**
 * xterm.js with the addons a person expects (fit, WebGL with a clean fallback, Unicode 11
 * widths, links, search, clipboard), acknowledging output only once xterm has parsed it.
 */
import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { WebglAddon } from '@xterm/addon-webgl';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { SearchAddon } from '@xterm/addon-search';
import { ClipboardAddon } from '@xterm/addon-clipboard';
import { ACK_EVERY_BYTES } from '../shared/flow';

const DARK: ITheme = { background: '#1d232a', foreground: '#d7dde4', cursor: '#d7dde4', selectionBackground: '#3b4a5c' };
const LIGHT: ITheme = { background: '#ffffff', foreground: '#1f2937', cursor: '#1f2937', selectionBackground: '#c7d2fe' };

export interface TerminalOptions {
  readOnly: boolean;
  /** Keys typed (or pasted) into the terminal. */
  onInput(data: string): void;
  onResize(cols: number, rows: number): void;
  /** `bytes` of output have been parsed (for `ack`). */
  onParsed(bytes: number): void;
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
  private readonly resizeObserver: ResizeObserver;
  private readonly dark: MediaQueryList;
  private readonly onSchemeChange: (e: MediaQueryListEvent) => void;
  private disposed = false;

  constructor(
    host: HTMLElement,
    private readonly opts: TerminalOptions,
  ) {
    const dark = (this.dark = window.matchMedia('(prefers-color-scheme: dark)'));
    this.term = new Terminal({
      allowProposedApi: true,
      cursorBlink: !opts.readOnly,
      disableStdin: opts.readOnly,
      fontFamily: 'ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace',
      fontSize: window.innerWidth < 500 ? 12 : 14,
      scrollback: 10_000,
      theme: dark.matches ? DARK : LIGHT,
    });
    const paint = (isDark: boolean): void => {
      const theme = isDark ? DARK : LIGHT;
      this.term.options.theme = theme;
      host.style.background = theme.background ?? ''; // the padding around the grid too
    };
    paint(dark.matches);
    this.onSchemeChange = (e) => paint(e.matches);
    dark.addEventListener('change', this.onSchemeChange);
    this.term.loadAddon(this.fit);
    this.term.loadAddon(new Unicode11Addon());
    this.term.unicode.activeVersion = '11';
    this.term.loadAddon(new WebLinksAddon());
    this.term.loadAddon(this.search);
    this.term.loadAddon(new ClipboardAddon());
    this.term.open(host);
    try {
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => webgl.dispose()); // back to the DOM renderer
      this.term.loadAddon(webgl);
    } catch {
      // no WebGL (headless, old phone): the DOM renderer is fine
    }
    if (!opts.readOnly) {
      this.term.onData((d) => opts.onInput(d));
      this.term.onBinary((d) => opts.onInput(d));
    }
    this.term.onResize(({ cols, rows }) => opts.onResize(cols, rows));
    this.resizeObserver = new ResizeObserver(() => this.refit());
    this.resizeObserver.observe(host);
    this.refit();
  }

  /** Stops observing, drops the pending ack and disposes xterm (and its addons). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.resizeObserver.disconnect();
    this.dark.removeEventListener('change', this.onSchemeChange);
    window.clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.term.dispose();
  }

  refit(): void {
    if (this.disposed) return;
    try {
      this.fit.fit();
    } catch {
      // not laid out yet
    }
  }

  /** Writes output; once parsed it counts toward the next ack (if `counted`). */
  write(data: Uint8Array | string, counted: boolean): void {
    if (this.disposed) return;
    const bytes = typeof data === 'string' ? this.encoder.encode(data).length : data.length;
    const gen = this.generation;
    this.term.write(data, () => {
      if (!counted || gen !== this.generation || this.disposed) return;
      this.parsedSinceAck += bytes;
      if (this.parsedSinceAck >= ACK_EVERY_BYTES) this.flushAck();
      else if (this.ackTimer === undefined) this.ackTimer = window.setTimeout(() => this.flushAck(), 100);
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
}
