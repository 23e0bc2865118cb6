/**
 * WAV (RIFF) files: the browser encodes each utterance of the VAD (16 kHz mono float samples)
 * as 16-bit PCM, the server reads a WAV upload's header to check it. Pure: no DOM, no node:*.
 */

/** What a WAV header says. */
export interface WavInfo {
  /** 1 = PCM integers, 3 = IEEE float, 0xfffe = extensible (the subformat decides). */
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Bytes of sample data (as declared, capped at what the file holds). */
  dataBytes: number;
  durationMs: number;
}

const HEADER_BYTES = 44;

/** 16-bit PCM mono WAV of `samples` (floats in [-1, 1]; outside values are clipped). */
export function encodeWav(samples: Float32Array, sampleRate: number): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`sample rate ${sampleRate} is not a positive integer`);
  const dataBytes = samples.length * 2;
  const out = new Uint8Array(HEADER_BYTES + dataBytes);
  const view = new DataView(out.buffer);
  const ascii = (offset: number, text: string): void => {
    for (let i = 0; i < text.length; i++) out[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i] ?? 0));
    // Asymmetric range of int16: -32768..32767; NaN becomes silence.
    view.setInt16(HEADER_BYTES + i * 2, Number.isNaN(s) ? 0 : s < 0 ? Math.round(s * 0x8000) : Math.round(s * 0x7fff), true);
  }
  return out;
}

/** The header of a WAV file, or null when `bytes` is not one (walks the chunks to `fmt ` and `data`). */
export function readWavInfo(bytes: Uint8Array): WavInfo | null {
  if (bytes.length < 12 || tag(bytes, 0) !== 'RIFF' || tag(bytes, 8) !== 'WAVE') return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: Omit<WavInfo, 'dataBytes' | 'durationMs'> | null = null;
  let offset = 12;
  // A handful of chunks at most in practice (fmt, LIST, fact, data); the cap bounds a crafted file.
  for (let chunks = 0; chunks < 64 && offset + 8 <= bytes.length; chunks++) {
    const id = tag(bytes, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ' && size >= 16 && body + 16 <= bytes.length) {
      fmt = {
        format: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!fmt || fmt.channels === 0 || fmt.sampleRate === 0 || fmt.bitsPerSample === 0) return null;
      const dataBytes = Math.min(size, bytes.length - body);
      const frameBytes = fmt.channels * Math.ceil(fmt.bitsPerSample / 8);
      return { ...fmt, dataBytes, durationMs: Math.round((dataBytes / frameBytes / fmt.sampleRate) * 1000) };
    }
    offset = body + size + (size % 2); // chunks are padded to an even length
  }
  return null;
}

function tag(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset] ?? 0, bytes[offset + 1] ?? 0, bytes[offset + 2] ?? 0, bytes[offset + 3] ?? 0);
}
