/**
 * The voice activity detector (Silero v5 through @ricky0123/vad-web on onnxruntime-web), in its
 * own chunk: this module is imported only when the microphone is first used, so nothing of it
 * (nor the 14 MB WebAssembly runtime) loads before. Every file it fetches is served by ccpty
 * under /assets (copied there at build time by vite.config.ts), never from a CDN.
 */
// real-time-vad only: the package's index also pulls in the non-real-time VAD with the whole of
// onnxruntime-web (WebGL, WebGPU), 370 KB more for nothing.
import { MicVAD } from '@ricky0123/vad-web/dist/real-time-vad';

/** `/assets/vad-<content hash>-`: the VAD's files are served under this prefix (vite.config.ts). */
declare const __VAD_ASSET_PREFIX__: string;

/** Silero's speech probability that starts speech; the library's default, tuned for v5. */
const POSITIVE_SPEECH_THRESHOLD = 0.3;
/** ...and below which a frame counts as silence (the library's default, 0.05 under the start). */
const NEGATIVE_SPEECH_THRESHOLD = 0.25;
/**
 * Silence that ends an utterance. A breath between words is 0.2-0.5 s; every extra 100 ms here
 * is 100 ms more before the prompt is sent (the library's default, 1.4 s, feels slow).
 */
const REDEMPTION_MS = 800;
/** Audio kept from before speech was detected: Silero notices a word's onset 1-3 frames late. */
const PRE_SPEECH_PAD_MS = 300;
/** Shorter speech is a click or a cough: discarded. "Yes" and "no" last ~300 ms, so keep below. */
const MIN_SPEECH_MS = 250;

export interface VadEvents {
  speechStart(): void;
  /** Enough speech to be an utterance (MIN_SPEECH_MS): a barge-in. */
  speechRealStart(): void;
  /** One utterance: 16 kHz mono samples in [-1, 1]. */
  speechEnd(audio: Float32Array): void;
  misfire(): void;
  /** Each 32 ms frame: its loudness (0-1) and Silero's speech probability. */
  frame(level: number, speech: number): void;
}

export type Vad = MicVAD;

/** Loads the model and the runtime (not the microphone: `start()` opens it). */
export function loadVad(audioContext: AudioContext, on: VadEvents): Promise<MicVAD> {
  const prefix = __VAD_ASSET_PREFIX__;
  return MicVAD.new({
    model: 'v5',
    baseAssetPath: prefix,
    onnxWASMBasePath: prefix,
    audioContext,
    startOnLoad: false,
    positiveSpeechThreshold: POSITIVE_SPEECH_THRESHOLD,
    negativeSpeechThreshold: NEGATIVE_SPEECH_THRESHOLD,
    redemptionMs: REDEMPTION_MS,
    preSpeechPadMs: PRE_SPEECH_PAD_MS,
    minSpeechMs: MIN_SPEECH_MS,
    submitUserSpeechOnPause: false,
    ortConfig: (ort) => {
      ort.env.logLevel = 'error';
      // Threads need SharedArrayBuffer, i.e. a cross-origin isolated page (COOP + COEP): else one.
      ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
      ort.env.wasm.wasmPaths = { wasm: `${prefix}ort-wasm-simd-threaded.wasm`, mjs: `${prefix}ort-wasm-simd-threaded.mjs` };
    },
    onSpeechStart: () => on.speechStart(),
    onSpeechRealStart: () => on.speechRealStart(),
    onSpeechEnd: (audio) => on.speechEnd(audio),
    onVADMisfire: () => on.misfire(),
    onFrameProcessed: (probs, frame) => on.frame(level(frame), probs.isSpeech),
  });
}

/** Loudness of a frame, 0-1: its RMS from -60 dBFS (silence) to 0 dBFS. */
function level(frame: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += (frame[i] ?? 0) ** 2;
  const rms = Math.sqrt(sum / Math.max(1, frame.length));
  const db = 20 * Math.log10(rms || 1e-9);
  return Math.max(0, Math.min(1, (db + 60) / 60));
}
