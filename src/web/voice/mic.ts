/**
 * The microphone: an AudioContext made in the user's tap (phones start audio only from a
 * gesture), the VAD loaded on first use, and listening turned on and off. While not listening
 * the microphone is closed (its indicator goes off); listening again reopens it.
 */
import type { Vad, VadEvents } from './vad';

/** Why voice input cannot work on this page (null: it can). */
export function micUnavailable(): string | null {
  if (!window.isSecureContext) return 'The microphone needs HTTPS on this address: see the README, Security (TLS).';
  if (!navigator.mediaDevices?.getUserMedia) return 'This browser gives pages no microphone.';
  if (typeof AudioContext === 'undefined' || typeof WebAssembly === 'undefined') return 'This browser lacks Web Audio or WebAssembly.';
  return null;
}

export class Mic {
  private ctx: AudioContext | null = null;
  private vad: Vad | null = null;
  private loading: Promise<Vad> | null = null;
  private disposed = false;
  listening = false;

  constructor(private readonly on: VadEvents) {}

  /** In a user gesture: makes (or resumes) the audio context, so audio can run at all. */
  unlock(): void {
    if (this.disposed) return;
    this.ctx ??= new AudioContext();
    if (this.ctx.state === 'suspended') void this.ctx.resume();
  }

  get loaded(): boolean {
    return this.vad !== null;
  }

  /** Loads the VAD (once; the first call fetches the model and runtime). */
  load(): Promise<Vad> {
    this.unlock();
    this.loading ??= import('./vad').then(({ loadVad }) => loadVad(this.ctx as AudioContext, this.on)).then((vad) => {
      if (this.disposed) void vad.destroy();
      this.vad = vad;
      return vad;
    });
    this.loading.catch(() => (this.loading = null)); // a failed load may be retried
    return this.loading;
  }

  /** Opens the microphone and listens (loads first if needed). */
  async start(): Promise<void> {
    const vad = await this.load();
    if (this.disposed) return;
    this.listening = true;
    await vad.start();
  }

  /**
   * Stops listening and closes the microphone. `submit`: speech under way is ended as an
   * utterance (hold-to-talk's release); else it is dropped.
   */
  async stop(submit: boolean): Promise<void> {
    if (!this.vad || !this.listening) return;
    this.listening = false;
    this.vad.setOptions({ submitUserSpeechOnPause: submit });
    await this.vad.pause();
  }

  dispose(): void {
    this.disposed = true;
    this.listening = false;
    const vad = this.vad;
    this.vad = null;
    if (vad) void vad.destroy().catch(() => undefined);
    void this.ctx?.close().catch(() => undefined);
    this.ctx = null;
  }
}
