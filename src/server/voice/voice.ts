/**
 * The server's voice: its speech clients (either may be off) and each session's last reply
 * (so `speak` with no text reads it). The last replies are kept by observing what a run's
 * state tracker broadcasts (`observe`, wired at the composition root), so no session code
 * knows about voice.
 */
import type { ServerMessage } from '../../shared/protocol.js';
import type { Config } from '../config.js';
import type { TrackerHost } from '../state/tracker.js';
import { SpeechToText, TextToSpeech } from './speech-client.js';

/** Sessions whose last reply is kept (the oldest is forgotten first): bounded memory. */
const MAX_SESSIONS_KEPT = 1000;
/** Characters kept of one reply: far more than is ever read aloud (speech-text.ts READ_MAX_CHARS). */
const MAX_REPLY_CHARS = 16 * 1024;

export interface LastReply {
  text: string;
  isError: boolean;
  at: number;
}

export class LastReplies {
  private readonly replies = new Map<string, LastReply>();

  constructor(private readonly max = MAX_SESSIONS_KEPT) {}

  /** Notes a message a session sends its viewers; keeps Claude's replies (not its thinking). */
  note(sessionId: string, m: ServerMessage): void {
    if (m.type !== 'session_output' || m.is_thinking || m.output.trim() === '') return;
    this.replies.delete(sessionId); // re-inserted last: the map's order is recency
    this.replies.set(sessionId, { text: m.output.slice(0, MAX_REPLY_CHARS), isError: m.is_error === true, at: Date.now() });
    if (this.replies.size > this.max) this.replies.delete(this.replies.keys().next().value as string);
  }

  get(sessionId: string): LastReply | undefined {
    return this.replies.get(sessionId);
  }

  /**
   * A tracker host that tells this what the tracker broadcasts, and is otherwise `host` itself
   * (its getters and methods are inherited, not copied).
   */
  observe(sessionId: string, host: TrackerHost): TrackerHost {
    return Object.create(host, {
      broadcast: {
        value: (m: ServerMessage): void => {
          this.note(sessionId, m);
          host.broadcast(m);
        },
      },
    }) as TrackerHost;
  }
}

/**
 * Speech requests handled at once, server-wide. An upload holds up to ~3 × 25 MiB while it is
 * read and sent on (body, form, blob), so this bounds what uploads can cost to ~300 MiB; a
 * person or a device sends one utterance at a time, and a few tabs a few. More get 429.
 */
export const MAX_SPEECH_REQUESTS = 4;

/** Counts speech requests in flight; `begin()` is null when MAX_SPEECH_REQUESTS already run. */
export class SpeechSlots {
  private busy = 0;

  constructor(private readonly max = MAX_SPEECH_REQUESTS) {}

  begin(): (() => void) | null {
    if (this.busy >= this.max) return null;
    this.busy++;
    let done = false;
    return () => {
      if (!done) this.busy--;
      done = true;
    };
  }
}

export interface Voice {
  stt: SpeechToText | null;
  tts: TextToSpeech | null;
  replies: LastReplies;
  slots: SpeechSlots;
}

export function createVoice(config: Pick<Config, 'stt' | 'tts'>): Voice {
  return {
    stt: config.stt ? new SpeechToText(config.stt) : null,
    tts: config.tts ? new TextToSpeech(config.tts) : null,
    replies: new LastReplies(),
    slots: new SpeechSlots(),
  };
}
