/**
 * A client that behaves like the EchoKit server's Claude bridge (second-state/echokit_server,
 * src/services/ws/stable/claude.rs) and decodes as strictly as it does (serde, internally
 * tagged enums, no unknown variants): connects to `<base>/<id>`, sends PascalCase messages,
 * follows each Input with a Confirm 300 ms later, skips binary frames, and can stop reading
 * its socket (as it does while waiting for the user to speak). Any frame that would fail the
 * real decode, and any `session_error`, is recorded as a failure.
 */
import WebSocket from 'ws';
import { waitFor } from './wait.js';

export type BridgeState =
  | { state: 'Idle' }
  | { state: 'Output'; output: string; is_thinking: boolean }
  | { state: 'PreUseTool'; request: Array<{ id: string; name: string; input: unknown; done: boolean }>; is_pending: boolean }
  | { state: 'StopUseTool'; is_error: boolean };

export type BridgeMessage =
  | { type: 'session_pty_output'; output: string }
  | { type: 'session_ended'; session_id: string }
  | { type: 'session_idle'; session_id: string }
  | { type: 'session_state'; session_id: string; current_state: BridgeState }
  | { type: 'session_error'; session_id: string; error_code: string };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function need<T>(o: Record<string, unknown>, key: string, check: (v: unknown) => v is T, what: string): T {
  if (!(key in o)) throw new Error(`missing field \`${key}\``);
  const v = o[key];
  if (!check(v)) throw new Error(`invalid type for \`${key}\`: expected ${what}`);
  return v;
}
const str = (v: unknown): v is string => typeof v === 'string';
const bool = (v: unknown): v is boolean => typeof v === 'boolean';
const any = (_v: unknown): _v is unknown => true;

function decodeState(v: unknown): BridgeState {
  if (!isObj(v)) throw new Error('current_state: expected internally tagged enum ClaudeCodeState');
  const tag = need(v, 'state', str, 'a string');
  switch (tag) {
    case 'Idle':
      return { state: 'Idle' };
    case 'Output':
      return { state: 'Output', output: need(v, 'output', str, 'a string'), is_thinking: need(v, 'is_thinking', bool, 'a boolean') };
    case 'StopUseTool':
      return { state: 'StopUseTool', is_error: need(v, 'is_error', bool, 'a boolean') };
    case 'PreUseTool': {
      const request = need(v, 'request', Array.isArray, 'a sequence').map((t) => {
        if (!isObj(t)) throw new Error('UseTool: expected a struct');
        return { id: need(t, 'id', str, 'a string'), name: need(t, 'name', str, 'a string'), input: need(t, 'input', any, 'any'), done: need(t, 'done', bool, 'a boolean') };
      });
      return { state: 'PreUseTool', request, is_pending: need(v, 'is_pending', bool, 'a boolean') };
    }
    default:
      throw new Error(`unknown variant \`${tag}\`, expected one of \`PreUseTool\`, \`Output\`, \`StopUseTool\`, \`Idle\``);
  }
}

/** Decodes one text frame exactly as the bridge's `WsOutputMessage` would, or throws. */
export function decodeBridgeFrame(text: string): BridgeMessage {
  const v: unknown = JSON.parse(text);
  if (!isObj(v)) throw new Error('expected internally tagged enum WsOutputMessage');
  const type = need(v, 'type', str, 'a string');
  switch (type) {
    case 'session_pty_output':
      return { type, output: need(v, 'output', str, 'a string') };
    case 'session_ended':
    case 'session_idle':
      return { type, session_id: need(v, 'session_id', str, 'a string') };
    case 'session_state':
      return { type, session_id: need(v, 'session_id', str, 'a string'), current_state: decodeState(need(v, 'current_state', any, 'a struct')) };
    case 'session_error': {
      const session_id = need(v, 'session_id', str, 'a string');
      const code = need(v, 'error_code', str, 'a string');
      switch (code) {
        case 'session_not_found':
          break;
        case 'invalid_input':
        case 'InternalError':
          need(v, 'error_message', str, 'a string');
          break;
        case 'invalid_input_for_state':
          need(v, 'error_state', str, 'a string');
          need(v, 'error_input', str, 'a string');
          break;
        default:
          throw new Error(`unknown variant \`${code}\` for error_code`);
      }
      return { type, session_id, error_code: code };
    }
    default:
      throw new Error(`unknown variant \`${type}\`, expected one of \`session_pty_output\`, \`session_ended\`, \`session_idle\`, \`session_state\`, \`session_error\``);
  }
}

export class BridgeClient {
  /** Every decoded frame but pty output, in order, with arrival times. */
  readonly states: Array<{ at: number; m: BridgeMessage }> = [];
  /** Decode failures and session_errors: each would end the real device's session. */
  readonly failures: string[] = [];
  closed: { code: number; reason: string } | null = null;
  private paused = false;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return; // the bridge logs and skips binary frames
      const text = (data as Buffer).toString('utf8');
      let m: BridgeMessage;
      try {
        m = decodeBridgeFrame(text);
      } catch (err) {
        this.failures.push(`decode failed (${(err as Error).message}): ${text.slice(0, 300)}`);
        return;
      }
      if (m.type === 'session_error') this.failures.push(`session_error: ${text.slice(0, 300)}`);
      if (m.type !== 'session_pty_output') this.states.push({ at: Date.now(), m });
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  /** Connects like the bridge: `format!("{}/{}", url.trim_end_matches('/'), id)`, then CreateSession. */
  static async connect(baseUrl: string, id: string): Promise<BridgeClient> {
    const ws = new WebSocket(`${baseUrl.replace(/\/+$/, '')}/${id}`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    const c = new BridgeClient(ws);
    c.send({ type: 'CreateSession' });
    return c;
  }

  send(msg: object): void {
    this.ws.send(JSON.stringify(msg));
  }

  /** One utterance: `Input`, then `Confirm` 300 ms later, as the bridge does. */
  async say(text: string): Promise<void> {
    this.send({ type: 'Input', input: text });
    await new Promise((r) => setTimeout(r, 300));
    this.send({ type: 'Confirm' });
  }

  /** Stops reading the socket (no frames, no pong), as the bridge does while the user is silent. */
  pause(): void {
    this.paused = true;
    (this.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  resume(): void {
    this.paused = false;
    (this.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** The next state from index `from` on that matches. */
  async next(pred: (m: BridgeMessage) => boolean, what: string, from: number, timeoutMs: number): Promise<{ index: number; m: BridgeMessage }> {
    try {
      return await waitFor(() => {
        if (this.failures.length > 0) throw new Error(`the device's session would have ended: ${this.failures.join('; ')}`);
        const i = this.states.findIndex((s, k) => k >= from && pred(s.m));
        return i >= 0 ? { index: i, m: this.states[i]!.m } : undefined;
      }, what, timeoutMs);
    } catch (err) {
      // What the device saw, so a failure in CI says which frame was missing or out of order.
      (err as Error).message += `\n  frames from ${from}: ${this.trail(from)}`;
      throw err;
    }
  }

  /** The states from index `from` on, with times relative to the first: `+ms state`. */
  trail(from: number): string {
    const t0 = this.states[from]?.at ?? 0;
    return this.states.slice(from).map((s) => `+${s.at - t0} ${s.m.type === 'session_state' ? s.m.current_state.state : s.m.type}`).join(', ') || '(none)';
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await waitFor(() => this.closed, 'the socket to close', 5_000);
  }
}

export const isState = (m: BridgeMessage, state: BridgeState['state']): boolean =>
  (m.type === 'session_state' && m.current_state.state === state) || (state === 'Idle' && m.type === 'session_idle');
