/**
 * Voice for one session page. Two modes:
 * - hold-to-talk: the microphone is open while the button is held; each utterance is
 *   transcribed and shown in an editable box (a prompt) or applied at once (a dialog answer,
 *   "stop"), by the shared spoken-answer table;
 * - hands-free: listen; each utterance is transcribed and applied at once; the microphone is
 *   closed while Claude works and opens again when the turn is over (its reply being read then:
 *   speaking interrupts the reading).
 * Replies and dialogs are read aloud while the speaker is on. Nothing is typed when
 * speech-to-text fails.
 */
import type { ClientMessage, ServerMessage } from '../../shared/protocol';
import { pendingSpeech, replySpeech } from '../../shared/speech-text';
import type { PendingTool, SessionStateName } from '../../shared/state';
import { spokenAction } from '../../shared/voice-answers';
import { encodeWav } from '../../shared/wav';
import { transcribe, type VoiceError } from './api';
import { Mic } from './mic';
import { Speaker } from './speaker';

export type Mode = 'hold' | 'handsfree';
/** `ready`: hold-to-talk, loaded, not held. `waiting`: hands-free, Claude is working. */
export type Phase = 'off' | 'loading' | 'ready' | 'listening' | 'speaking' | 'transcribing' | 'sending' | 'waiting';

/** The VAD delivers 16 kHz mono. */
const SAMPLE_RATE = 16000;
/**
 * A sent command that changes nothing for this long was lost or ignored: listen again. Input to
 * a session that is still starting waits up to 30 s for it to be ready (protocol §3).
 */
const TURN_GIVE_UP_MS = 35_000;

export interface VoiceView {
  phase(phase: Phase, reading: boolean): void;
  level(level: number): void;
  /** One line: what was heard and done, or why not (`error`, with its code). */
  status(text: string, error?: VoiceError): void;
  /** Hold-to-talk: a prompt heard, for the person to edit and send. */
  heard(text: string): void;
}

/** What the tests (and a curious person in the console) can see: `window.ccptyVoice`. */
export interface VoiceEvent {
  t: number;
  kind: 'speech-end' | 'transcribed' | 'sent' | 'reply' | 'played' | 'read' | 'listening' | 'error' | 'ignored';
  text?: string;
}

export class VoiceController {
  readonly events: VoiceEvent[] = [];
  readonly mic: Mic;
  readonly speaker: Speaker;
  private mode: Mode;
  private phase: Phase = 'off';
  private state: SessionStateName = 'starting';
  private pending: PendingTool | null = null;
  private lastDialog = '';
  private holding = false;
  private handsFree = false;
  private speakerOn: boolean;
  private awaiting: { from: string; sawRunning: boolean; timer: number } | null = null;
  private work: Promise<void> = Promise.resolve();
  private inflight = 0;
  /** Hands-free: the turn is over while a reply is still read; listen once it has been. */
  private listenWhenRead = false;
  private disposed = false;

  constructor(
    private readonly sessionId: string,
    private readonly send: (m: ClientMessage) => void,
    private readonly view: VoiceView,
    serverVoice: () => boolean,
    prefs: { mode: Mode; speaker: boolean | null },
  ) {
    this.mode = prefs.mode;
    this.speakerOn = prefs.speaker ?? false;
    this.mic = new Mic({
      speechStart: () => this.setPhase('speaking'),
      speechRealStart: () => this.speaker.stop(), // barge-in
      speechEnd: (audio) => this.utterance(audio),
      misfire: () => this.setPhase(this.mic.listening ? 'listening' : this.idlePhase()),
      frame: (level) => this.view.level(level),
    });
    this.speaker = new Speaker(sessionId, serverVoice, {
      reading: (on) => {
        this.render();
        if (on) return;
        this.log('read');
        if (this.listenWhenRead) {
          this.listenWhenRead = false;
          void this.listen();
        }
      },
      played: (text) => this.log('played', text),
      failed: (e) => this.view.status(`Text-to-speech failed (read by the browser instead): ${e.message}`, e),
    });
  }

  get speakerEnabled(): boolean {
    return this.speakerOn;
  }

  get currentMode(): Mode {
    return this.mode;
  }

  get currentPhase(): Phase {
    return this.phase;
  }

  private log(kind: VoiceEvent['kind'], text?: string): void {
    this.events.push(text === undefined ? { t: Date.now(), kind } : { t: Date.now(), kind, text });
    if (this.events.length > 500) this.events.splice(0, 100);
  }

  private idlePhase(): Phase {
    return this.mode === 'hold' && this.mic.loaded ? 'ready' : 'off';
  }

  private setPhase(p: Phase): void {
    this.phase = p;
    if (p === 'listening') this.log('listening');
    this.render();
  }

  private render(): void {
    if (!this.disposed) this.view.phase(this.phase, this.speaker.reading);
  }

  /** A gesture's first duty: audio and the microphone's context may start from it. */
  private unlock(): void {
    this.mic.unlock();
    this.speaker.unlock();
  }

  setSpeaker(on: boolean): void {
    this.speakerOn = on;
    if (on) this.speaker.unlock();
    else this.speaker.stop();
  }

  async setMode(mode: Mode): Promise<void> {
    if (mode === this.mode) return;
    await this.stopAll();
    this.mode = mode;
    this.setPhase(this.idlePhase());
  }

  private async stopAll(): Promise<void> {
    this.handsFree = false;
    this.holding = false;
    this.endAwaiting();
    this.speaker.stop();
    await this.mic.stop(false);
  }

  /** The mic button went down (hold-to-talk: start; hands-free: toggle). */
  async press(): Promise<void> {
    this.unlock();
    this.speaker.stop(); // barge-in by hand
    if (this.mode === 'handsfree') return this.handsFree ? this.stopHandsFree() : this.startHandsFree();
    this.holding = true;
    if (!(await this.openMic())) {
      this.holding = false;
      return;
    }
    if (!this.holding) {
      await this.mic.stop(true); // released while the model loaded
      if (this.inflight === 0) this.setPhase(this.idlePhase());
    }
  }

  /** The mic button came up (hold-to-talk: what was said so far is one utterance). */
  async release(): Promise<void> {
    if (this.mode !== 'hold' || !this.holding) return;
    this.holding = false;
    await this.mic.stop(true);
    if (this.inflight === 0 && this.phase !== 'transcribing') this.setPhase(this.idlePhase());
  }

  private async startHandsFree(): Promise<void> {
    this.handsFree = true;
    await this.listen();
  }

  private async stopHandsFree(): Promise<void> {
    await this.stopAll();
    this.setPhase('off');
  }

  /** Opens the microphone (loading the VAD the first time); false (and said why) if it cannot. */
  private async openMic(): Promise<boolean> {
    this.setPhase(this.mic.loaded ? 'listening' : 'loading');
    try {
      await this.mic.start();
    } catch (err) {
      const message = (err as Error).name === 'NotAllowedError' ? 'the microphone was not allowed' : (err as Error).message || String(err);
      this.view.status(`Voice could not start: ${message}`, { code: 'mic', message });
      this.log('error', message);
      this.handsFree = false;
      this.setPhase(this.idlePhase());
      return false;
    }
    if (this.disposed) return false;
    this.setPhase('listening');
    return true;
  }

  private async listen(): Promise<void> {
    if (!this.handsFree || this.disposed) return;
    if ((await this.openMic()) && !this.handsFree) {
      await this.mic.stop(false); // turned off while the microphone opened
      this.setPhase(this.idlePhase());
    }
  }

  /** One utterance from the VAD: transcribed, then applied (one at a time, in order). */
  private utterance(audio: Float32Array): void {
    this.log('speech-end');
    this.inflight++;
    this.setPhase('transcribing');
    if (this.handsFree) void this.mic.stop(false); // closed while we work on it
    const wav = encodeWav(audio, SAMPLE_RATE);
    const heard = transcribe(this.sessionId, wav); // starts now, even if an earlier one is applied still
    this.work = this.work.then(async () => {
      let counted = false;
      try {
        const r = await heard;
        this.inflight--;
        counted = true;
        if (this.disposed) return;
        if (!r.ok) {
          this.log('error', r.error.message);
          this.view.status(`Speech-to-text failed: ${r.error.message}`, r.error);
          return this.afterNothingSent();
        }
        this.log('transcribed', r.value);
        this.apply(r.value);
      } catch (err) {
        // Whatever failed (an answer that is not JSON from a proxy in between), the next
        // utterance must still be heard: this one is dropped, said so, nothing sent.
        if (!counted) this.inflight--;
        if (this.disposed) return;
        this.log('error', String(err));
        this.view.status(`Speech-to-text failed: ${String(err)}`);
        this.afterNothingSent();
      }
    });
  }

  private afterNothingSent(): void {
    if (this.handsFree) void this.listen();
    else this.setPhase(this.holding ? 'listening' : this.idlePhase());
  }

  private apply(text: string): void {
    const action = spokenAction(text, { state: this.state, pending: this.pending });
    switch (action.kind) {
      case 'prompt':
        if (!this.handsFree) {
          this.view.heard(action.text);
          this.view.status(`Heard: “${action.text}” (in the message box: edit it, then send)`);
          return this.afterNothingSent();
        }
        this.view.status(`Sent: “${action.text}”`);
        return this.sendNow({ type: 'input', input: action.text });
      case 'select':
        this.view.status(`Heard “${text}”: ${action.label}`);
        return this.sendNow({ type: 'select', index: action.index });
      case 'cancel':
        this.view.status(`Heard “${text}”: ${action.why === 'interrupt' ? 'interrupt' : 'cancel'}`);
        return this.sendNow({ type: 'cancel' });
      case 'none':
        this.log('ignored', action.reason);
        this.view.status(action.reason);
        if (this.speakerOn) this.speaker.say(action.reason);
        return this.afterNothingSent();
    }
  }

  private sendNow(m: ClientMessage): void {
    this.send(m);
    this.log('sent', m.type === 'input' ? m.input : m.type);
    if (!this.handsFree) return this.afterNothingSent();
    this.setPhase('sending');
    this.endAwaiting();
    this.awaiting = { from: this.stateKey(), sawRunning: false, timer: window.setTimeout(() => this.turnOver(), TURN_GIVE_UP_MS) };
  }

  private stateKey(): string {
    return this.state === 'pending' ? `pending:${this.pending?.tool_use_id ?? ''}:${this.pending?.question ?? ''}:${this.pending?.options.join('|') ?? ''}` : this.state;
  }

  private endAwaiting(): void {
    if (this.awaiting) window.clearTimeout(this.awaiting.timer);
    this.awaiting = null;
  }

  /** Hands-free listens again once the reply has been read (not over it: the mic would hear it). */
  private turnOver(): void {
    this.endAwaiting();
    if (!this.handsFree) return;
    if (this.speaker.reading) this.listenWhenRead = true;
    else void this.listen();
  }

  /** Every message the page's socket receives. */
  onMessage(m: ServerMessage): void {
    switch (m.type) {
      case 'session_running':
        this.setState('running', null);
        break;
      case 'session_idle':
        this.setState('idle', null);
        break;
      case 'session_ended':
        this.setState('stopped', null);
        break;
      case 'session_pending': {
        this.setState('pending', m);
        // Read once per dialog (its options redrawn in another size are the same dialog).
        const key = `${m.tool_use_id ?? m.tool_name}:${m.question ?? ''}`;
        if (key !== this.lastDialog && this.speakerOn) this.speaker.say(pendingSpeech(m));
        this.lastDialog = key;
        break;
      }
      case 'session_output':
        if (m.is_thinking) return;
        this.log('reply', m.output);
        if (this.speakerOn) this.speaker.say(replySpeech(m.output, m.is_error === true));
        return;
      case 'session_error':
        if (this.awaiting) {
          this.view.status(`Not done: ${m.error_message ?? m.error_code}`, { code: m.error_code, message: m.error_message ?? m.error_code });
          this.turnOver();
        }
        return;
      default:
        return;
    }
    this.checkTurn();
  }

  private setState(state: SessionStateName, pending: PendingTool | null): void {
    this.state = state;
    this.pending = pending;
    if (state !== 'pending') this.lastDialog = '';
  }

  private checkTurn(): void {
    const a = this.awaiting;
    if (!a) return;
    if (this.state === 'running' || this.state === 'starting') {
      // The turn is on: it ends with its state, however long it runs (no give-up timer then).
      if (!a.sawRunning) window.clearTimeout(a.timer);
      a.sawRunning = true;
      this.setPhase('waiting');
      return;
    }
    if (a.sawRunning || this.stateKey() !== a.from) this.turnOver();
  }

  dispose(): void {
    this.disposed = true;
    this.endAwaiting();
    this.speaker.dispose();
    this.mic.dispose();
  }
}
