/**
 * One chunk of PTY output as every viewer sends it (DESIGN.md §8: viewers that keep up share
 * one encoded frame). A binary viewer sends `bytes` (the very Buffer node-pty gave); a JSON
 * viewer sends `json`, the session_pty_output message encoded once for all of them. Text is
 * decoded only when some viewer reads JSON: decoding 40 MB of output costs ~40-90 ms of the
 * main thread here, for nothing when every viewer takes binary frames (the web UI does).
 */
import type { StringDecoder } from 'node:string_decoder';

let seq = 0;

export class OutputFrame {
  /** Order of frames (shared coalesced frames are keyed by it). */
  readonly seq = ++seq;
  private _json: string | null = null;

  constructor(
    readonly bytes: Buffer,
    private _text: string | null,
  ) {}

  /**
   * The decoded text. Without one given (no JSON viewer when it was printed), it is decoded on
   * its own: only a viewer that switches from binary to JSON frames while frames wait for it
   * gets there, and then a character cut at this chunk's edges becomes U+FFFD.
   */
  get text(): string {
    return (this._text ??= this.bytes.toString('utf8'));
  }

  get json(): string {
    return (this._json ??= jsonOutput(this.text));
  }

  get length(): number {
    return this.bytes.length;
  }
}

export function jsonOutput(text: string): string {
  return JSON.stringify({ type: 'session_pty_output', output: text });
}

/**
 * The frame for `chunk`. `decoder` is the run's UTF-8 decoder (it carries a character cut
 * between chunks); it is advanced either way, and decodes only if a viewer wants text.
 */
export function outputFrame(chunk: Buffer, decoder: StringDecoder, viewers: Iterable<{ readonly binary: boolean }>): OutputFrame {
  for (const v of viewers) if (!v.binary) return new OutputFrame(chunk, decoder.write(chunk));
  skipText(decoder, chunk);
  return new OutputFrame(chunk, null);
}

/**
 * Advances `decoder` past `chunk` without decoding it. A UTF-8 decoder's state after a chunk
 * is the incomplete character at its end, if any: a lead byte within the last 3 bytes and the
 * continuation bytes after it. Feeding it the last 4 bytes leaves it in that state whatever it
 * held before (a lead byte is never taken as a continuation, so an earlier pending character
 * completes or fails before the last one starts). Checked against full decoding in
 * output.test.ts.
 */
export function skipText(decoder: StringDecoder, chunk: Buffer): void {
  decoder.write(chunk.length > 4 ? chunk.subarray(chunk.length - 4) : chunk);
}
