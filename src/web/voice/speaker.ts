/**
 * Reading aloud: texts are queued and read one after another, through the server's
 * text-to-speech (`speak`) when it has one, else the browser's own speech synthesis. One audio
 * element is reused for every clip: the tap that starts voice unlocks it (phones play audio
 * only after a gesture). `stop()` is the barge-in: silence now, the queue dropped.
 */
import { encodeWav } from '../../shared/wav';
import { speak, type VoiceError } from './api';

/** Speech runs at ~15 characters a second; twice that time, plus a start-up margin, is surely over. */
const SYNTHESIS_MS_PER_CHAR = 130;
const SYNTHESIS_GIVE_UP_MS = 3000;

export interface SpeakerEvents {
  /** Reading started (true) or everything queued has been read or stopped (false). */
  reading(on: boolean): void;
  /** A clip started playing (first audio out). */
  played(text: string): void;
  /** The server's text-to-speech failed for a text (it is then read by the browser's voice). */
  failed(error: VoiceError): void;
}

export class Speaker {
  private readonly audio = new Audio();
  private readonly queue: string[] = [];
  private current: { abort: AbortController; url: string | null } | null = null;
  private busy = false;
  private disposed = false;
  /** Bumped by stop(): a read still under way from before finds it changed and ends. */
  private epoch = 0;

  constructor(
    private readonly sessionId: string,
    private readonly serverVoice: () => boolean,
    private readonly on: SpeakerEvents,
  ) {
    this.audio.preload = 'auto';
  }

  get reading(): boolean {
    return this.busy;
  }

  /** In a user gesture: lets later clips play (a silent clip now; an empty utterance primes synthesis). */
  unlock(): void {
    const silence = URL.createObjectURL(new Blob([encodeWav(new Float32Array(800), 16000)], { type: 'audio/wav' }));
    this.audio.src = silence;
    void this.audio.play().catch(() => undefined).finally(() => URL.revokeObjectURL(silence));
    if ('speechSynthesis' in window && !this.serverVoice()) speechSynthesis.speak(new SpeechSynthesisUtterance(''));
  }

  say(text: string): void {
    if (this.disposed || text.trim() === '') return;
    this.queue.push(text);
    if (!this.busy) void this.drain();
  }

  /** Silence now (barge-in), and forget what was queued. */
  stop(): void {
    this.epoch++;
    this.queue.length = 0;
    this.current?.abort.abort();
    this.audio.pause();
    if ('speechSynthesis' in window) speechSynthesis.cancel();
    this.finish();
  }

  private finish(): void {
    if (this.current?.url) URL.revokeObjectURL(this.current.url);
    this.current = null;
    if (this.busy) {
      this.busy = false;
      this.on.reading(false);
    }
  }

  private async drain(): Promise<void> {
    const epoch = this.epoch;
    this.busy = true;
    this.on.reading(true);
    while (this.queue.length > 0 && epoch === this.epoch && !this.disposed) {
      const text = this.queue.shift() as string;
      const readByServer = this.serverVoice() && (await this.playFromServer(text, epoch));
      if (!readByServer && epoch === this.epoch) await this.synthesize(text);
    }
    if (epoch === this.epoch) this.finish();
  }

  /** True once the clip has been played (or stopped); false: the browser's voice should read it. */
  private async playFromServer(text: string, epoch: number): Promise<boolean> {
    const abort = new AbortController();
    const current: { abort: AbortController; url: string | null } = { abort, url: null };
    this.current = current;
    const got = await speak(this.sessionId, text, abort.signal);
    if (epoch !== this.epoch) return true;
    if (!got.ok) {
      this.on.failed(got.error);
      return false;
    }
    const url = URL.createObjectURL(got.value);
    current.url = url;
    this.audio.src = url;
    const playing = (): void => this.on.played(text);
    this.audio.addEventListener('playing', playing, { once: true });
    try {
      await this.audio.play();
    } catch {
      this.audio.removeEventListener('playing', playing);
      return false; // not allowed to play (no gesture yet), or stopped: the browser's voice may be
    }
    // Listened for once it plays, so no event of the element's earlier clip can end this one.
    await new Promise<void>((resolve) => {
      const done = (): void => {
        for (const t of ['ended', 'error', 'pause'] as const) this.audio.removeEventListener(t, done);
        resolve();
      };
      for (const t of ['ended', 'error', 'pause'] as const) this.audio.addEventListener(t, done);
      if (this.audio.ended || this.audio.paused) done();
    });
    URL.revokeObjectURL(url);
    current.url = null;
    return true;
  }

  private synthesize(text: string): Promise<void> {
    if (!('speechSynthesis' in window)) return Promise.resolve();
    return new Promise((resolve) => {
      const u = new SpeechSynthesisUtterance(text);
      // A browser without voices may never end the utterance: give up after a generous reading time.
      const giveUp = window.setTimeout(resolve, SYNTHESIS_GIVE_UP_MS + text.length * SYNTHESIS_MS_PER_CHAR);
      u.onstart = () => this.on.played(text);
      u.onend = u.onerror = () => {
        window.clearTimeout(giveUp);
        resolve();
      };
      speechSynthesis.speak(u);
    });
  }

  dispose(): void {
    this.stop();
    this.disposed = true;
    this.audio.removeAttribute('src');
  }
}
