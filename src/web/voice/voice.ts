/**
 * The voice controls of a session page, one line (it takes no height of its own from the
 * terminal): the mic button (hold to talk, or a hands-free switch), a hands-free toggle, a
 * speaker toggle, a level meter, the state, and one status line. A prompt heard in hold-to-talk
 * mode goes to the page's compose box, to edit and send. The page hooks it up with `mountVoice`
 * and hands it every socket message; it keeps no other tie to the page.
 */
import type { ClientMessage, ServerMessage } from '../../shared/protocol';
import type { Disposable } from '../disposer';
import { h } from '../dom';
import { voiceInfo, type VoiceError, type VoiceInfo } from './api';
import { VoiceController, type Mode, type Phase } from './controller';
import { icon } from './icons';
import { micUnavailable } from './mic';

export interface VoiceHandle extends Disposable {
  element: HTMLElement;
  onMessage(m: ServerMessage): void;
}

const LABEL: Record<Phase, string> = {
  off: 'voice off',
  loading: 'loading',
  ready: 'hold to talk',
  listening: 'listening',
  speaking: 'speaking',
  transcribing: 'transcribing',
  sending: 'sending',
  waiting: 'Claude is working',
};

const PREF_MODE = 'ccpty.voice.mode';
const PREF_SPEAKER = 'ccpty.voice.speaker';

function pref(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage may be off
  }
}

function setPref(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // not kept; fine
  }
}

export interface VoicePage {
  send(m: ClientMessage): void;
  /** Puts a heard prompt where the person edits and sends prompts (appended to what is there). */
  compose(text: string): void;
}

export function mountVoice(sessionId: string, page: VoicePage): VoiceHandle {
  let info: VoiceInfo = { stt: false, tts: false };
  let peakLevel = 0;
  const mode: Mode = pref(PREF_MODE) === 'handsfree' ? 'handsfree' : 'hold';
  const speakerPref = pref(PREF_SPEAKER);

  const mic = h('button btn btn-circle btn-sm touch-none select-none', { 'data-testid': 'mic', 'aria-label': 'Hold to talk', title: 'Hold to talk', disabled: true }, icon('mic'));
  const handsFree = h('input toggle toggle-xs', { type: 'checkbox', 'data-testid': 'voice-handsfree', checked: mode === 'handsfree', 'aria-label': 'Hands-free' });
  const speaker = h('button btn btn-ghost btn-sm btn-square', { 'data-testid': 'voice-speaker', 'aria-label': 'Read replies aloud' });
  const bar = h('div h-full bg-success', { 'data-testid': 'voice-level', style: 'width:0%' });
  const state = h('span badge badge-sm badge-ghost whitespace-nowrap', { 'data-testid': 'voice-state', 'data-phase': 'off' }, 'voice off');
  const status = h('span text-xs truncate flex-1 min-w-0', { 'data-testid': 'voice-status', role: 'status' });

  const controller = new VoiceController(sessionId, (m) => page.send(m), {
    phase: (p, reading) => {
      const label = reading && (p === 'listening' || p === 'waiting' || p === 'ready' || p === 'off') ? 'reading aloud' : LABEL[p];
      state.textContent = label;
      state.dataset.phase = p;
      state.dataset.reading = String(reading);
      state.className = `badge badge-sm whitespace-nowrap ${p === 'speaking' ? 'badge-error' : reading ? 'badge-info' : p === 'listening' ? 'badge-success' : 'badge-ghost'}`;
      mic.classList.toggle('btn-primary', p === 'listening' || p === 'speaking' || (controller.currentMode === 'handsfree' && p !== 'off'));
      if (p !== 'listening' && p !== 'speaking') bar.style.width = '0%';
    },
    level: (l) => {
      bar.style.width = `${Math.round(l * 100)}%`;
      peakLevel = Math.max(peakLevel, l);
    },
    status: (text, error) => showStatus(text, error),
    heard: (text) => page.compose(text),
  }, () => info.tts, { mode, speaker: speakerPref === null ? null : speakerPref === 'on' });

  /** One line; `error`: what failed (its code in data-code), or why voice is off (then not red). */
  function showStatus(text: string, error?: VoiceError, off = false): void {
    status.textContent = text;
    status.title = text;
    status.classList.toggle('text-error', !!error && !off);
    if (error) status.dataset.code = error.code;
    else delete status.dataset.code;
  }

  function renderSpeaker(): void {
    const on = controller.speakerEnabled;
    speaker.replaceChildren(icon(on ? 'speaker' : 'muted'));
    speaker.setAttribute('aria-pressed', String(on));
    speaker.title = on ? 'Replies are read aloud (click to stop)' : 'Read replies aloud';
  }

  function renderMode(): void {
    const hold = controller.currentMode === 'hold';
    mic.setAttribute('aria-label', hold ? 'Hold to talk' : 'Hands-free on/off');
    mic.title = hold ? 'Hold to talk (or hold Space on this button)' : 'Click: hands-free on or off';
  }

  const firstUse = (): void => {
    // The speaker comes on with the first use of voice, unless it was turned off before.
    if (pref(PREF_SPEAKER) === null) {
      controller.setSpeaker(true);
      setPref(PREF_SPEAKER, 'on');
      renderSpeaker();
    }
  };
  const down = (e: Event): void => {
    e.preventDefault();
    if ((mic as HTMLButtonElement).disabled) return;
    firstUse();
    void controller.press();
  };
  const up = (): void => void controller.release();
  mic.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    mic.setPointerCapture(e.pointerId); // a finger sliding off the button keeps talking
    down(e);
  });
  for (const t of ['pointerup', 'pointercancel', 'pointerleave'] as const) mic.addEventListener(t, up);
  mic.addEventListener('keydown', (e) => {
    if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) down(e);
  });
  mic.addEventListener('keyup', (e) => {
    if (e.key === ' ' || e.key === 'Enter') up();
  });
  mic.addEventListener('contextmenu', (e) => e.preventDefault()); // a long press on a phone
  handsFree.addEventListener('change', () => {
    const next: Mode = handsFree.checked ? 'handsfree' : 'hold';
    setPref(PREF_MODE, next);
    void controller.setMode(next).then(renderMode);
  });
  speaker.addEventListener('click', () => {
    controller.setSpeaker(!controller.speakerEnabled);
    setPref(PREF_SPEAKER, controller.speakerEnabled ? 'on' : 'off');
    renderSpeaker();
  });
  renderSpeaker();
  renderMode();

  const unavailable = micUnavailable();
  if (unavailable) showStatus(unavailable, { code: 'insecure', message: unavailable }, true);
  else {
    void voiceInfo().then((i) => {
      info = i;
      if (!i.stt) return showStatus('Voice input is off: this server has no speech-to-text (--stt-url; README, Voice).', { code: 'stt_not_configured', message: '' }, true);
      (mic as HTMLButtonElement).disabled = false;
    }).catch(() => showStatus('Voice is unavailable: the server did not say what it offers.', { code: 'network', message: '' }));
  }

  // For the browser tests and debugging: what voice did, and when.
  (window as unknown as { ccptyVoice: object }).ccptyVoice = {
    events: controller.events,
    phase: () => controller.currentPhase,
    reading: () => controller.speaker.reading,
    peakLevel: () => peakLevel,
  };

  // Beside the session id on a wide screen; a line of its own on a phone.
  const element = h('div flex items-center gap-2 min-w-0 grow basis-full sm:basis-80', { 'data-testid': 'voice' },
    mic,
    h('label flex items-center gap-1 text-xs cursor-pointer whitespace-nowrap', { title: 'Hands-free: listen, send each utterance, listen again after the reply' }, handsFree, h('span hidden sm:inline', {}, 'hands-free')),
    speaker,
    h('div w-10 h-2 shrink-0 rounded bg-base-300 overflow-hidden', { 'aria-hidden': 'true' }, bar),
    state,
    status);

  return {
    element,
    onMessage: (m) => controller.onMessage(m),
    dispose: () => controller.dispose(),
  };
}
