/**
 * The session's WebSocket: asks for binary output with acknowledgements, reconnects by itself
 * with backoff (the server then sends a fresh snapshot, so nothing is duplicated or missing).
 */
import type { ServerMessage } from '../shared/protocol';

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
  private stopped = false;
  private timer: number | undefined;

  constructor(
    private readonly url: string,
    private readonly on: SocketHandlers,
  ) {}

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  connect(): void {
    this.stopped = false;
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
      if (this.stopped) return;
      const wait = BACKOFF_MS[Math.min(this.attempt++, BACKOFF_MS.length - 1)] ?? 8000;
      this.timer = window.setTimeout(() => this.connect(), wait);
    };
  }

  /** Reconnect now (the tab became visible, the network came back). */
  nudge(): void {
    if (this.ws || this.stopped) return;
    window.clearTimeout(this.timer);
    this.attempt = 0;
    this.connect();
  }

  send(msg: object): void {
    if (this.connected) this.ws!.send(JSON.stringify(msg));
  }

  sendBytes(data: Uint8Array | string): void {
    if (!this.connected) return;
    this.ws!.send(typeof data === 'string' ? new TextEncoder().encode(data) : data);
  }

  close(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
    this.ws?.close();
  }
}
