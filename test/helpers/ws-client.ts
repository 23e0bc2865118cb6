/** A real WebSocket client that records every frame and waits on conditions. */
import headless from '@xterm/headless';
import WebSocket from 'ws';
import { waitFor } from './wait.js';

export type Msg = Record<string, unknown> & { type: string };

export class TestClient {
  readonly messages: Msg[] = [];
  /** Date.now() at arrival, one per message. */
  readonly times: number[] = [];
  /** Terminal output in arrival order: JSON session_pty_output and binary frames alike. */
  output = '';
  binaryBytes = 0;
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const buf = data as Buffer;
      if (isBinary) {
        this.binaryBytes += buf.length;
        this.output += buf.toString('utf8');
        return;
      }
      const msg = JSON.parse(buf.toString('utf8')) as Msg;
      this.messages.push(msg);
      this.times.push(Date.now());
      if (msg.type === 'session_pty_output') this.output += msg.output as string;
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  static async connect(url: string, headers: Record<string, string> = {}, options: WebSocket.ClientOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(url, { headers, ...options });
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    return client;
  }

  send(msg: unknown): void {
    this.ws.send(JSON.stringify(msg));
  }

  sendBinary(data: string | Buffer): void {
    this.ws.send(typeof data === 'string' ? Buffer.from(data) : data, { binary: true });
  }

  /** Waits for a message matching `pred` that arrived at or after index `from`. */
  async next(pred: (m: Msg) => boolean, what: string, from = 0, timeoutMs = 10_000): Promise<Msg> {
    return waitFor(() => this.messages.slice(from).find(pred), what, timeoutMs);
  }

  async nextType(type: string, from = 0, timeoutMs = 10_000): Promise<Msg> {
    return this.next((m) => m.type === type, `a ${type} message`, from, timeoutMs);
  }

  async outputContains(text: string | RegExp, timeoutMs = 10_000): Promise<void> {
    await waitFor(
      () => (typeof text === 'string' ? this.output.includes(text) : text.test(this.output)),
      `output to contain ${String(text)} (have: ${JSON.stringify(this.output.slice(-300))})`,
      timeoutMs,
    );
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await waitFor(() => this.closed, 'the socket to close', 5_000);
  }
}

/** Renders a client's output in a headless terminal, as a person would see it. */
export async function renderScreen(output: string, cols = 120, rows = 40): Promise<string> {
  const term = new headless.Terminal({ cols, rows, allowProposedApi: true, scrollback: 1000 });
  await new Promise<void>((r) => term.write(output, r));
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < buf.length; y++) lines.push(buf.getLine(y)?.translateToString(true) ?? '');
  term.dispose();
  // Claude Code draws U+00A0 after its prompt glyph.
  return lines.join('\n').replace(/\u00a0/g, ' ');
}
