/**
 * The session's WebSocket: asks for binary output with acknowledgements, reconnects by itself
 * with backoff (the server then sends a fresh snapshot, so nothing is duplicated or missing).
 */
import type { ClientMessage, ServerMessage } from '../shared/protocol';

export interface SocketHandlers {
  open(): void;
  closed(): void;
  message(m: ServerMessage): void;
  output(data: Uint8Array | string): void;
}

const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];

export class SessionSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  /** Closed for good (dispose): no reconnect, no more handler calls. */
  private disposed = false;
  private timer: number | undefined;

  constructor(
    private readonly url: string,
    private readonly on: SocketHandlers,
  ) {}

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  connect(): void {
    if (this.disposed) return;
    const ws = new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.send({ type: 'hello', binary: true, ack: true });
      this.on.open();
    };
    ws.onmessage = (e: MessageEvent<ArrayBuffer | string>) => {
      if (typeof e.data === 'string') {
        const m = JSON.parse(e.data) as ServerMessage;
        if (m.type === 'session_pty_output') this.on.output(m.output);
        else this.on.message(m);
      } else {
        this.on.output(new Uint8Array(e.data));
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.on.closed();
      if (this.disposed) return;
      const wait = BACKOFF_MS[Math.min(this.attempt++, BACKOFF_MS.length - 1)] ?? 8000;
      this.timer = window.setTimeout(() => this.connect(), wait);
    };
  }

  /** Reconnect now (the tab became visible, the network came back). */
  nudge(): void {
    if (this.ws || this.disposed) return;
    window.clearTimeout(this.timer);
    this.attempt = 0;
    this.connect();
  }

  send(msg: ClientMessage): void {
    if (this.connected) this.ws!.send(JSON.stringify(msg));
  }

  sendBytes(data: Uint8Array | string): void {
    if (!this.connected) return;
    this.ws!.send(typeof data === 'string' ? new TextEncoder().encode(data) : data);
  }

  /** Closes the socket and cancels any reconnect; the handlers are never called again. */
  dispose(): void {
    this.disposed = true;
    window.clearTimeout(this.timer);
    this.timer = undefined;
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    ws.close();
  }
}
