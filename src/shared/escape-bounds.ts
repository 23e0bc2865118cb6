/**
 * Bounds what one escape sequence can cost a terminal emulator. A program's output is
 * anybody's text (`cat` of a file, a model's reply): `ESC [ 2147483647 b` (REP, "repeat the
 * last character") made xterm.js loop for minutes and allocate gigabytes, in the server's
 * mirror and in every viewer's browser alike. Numeric parameters of control sequences (CSI)
 * are kept to MAX_PARAM_DIGITS digits: further digits are dropped, so every count, size and
 * position stays below 10,000 — more than any screen has cells in one line, and no real
 * program sends more (colours stop at 255, positions at the screen size). Streaming: a
 * sequence split across chunks is bounded all the same. Used by the server's mirror and the
 * browser's terminal.
 */

/** Digits kept per numeric parameter of a CSI sequence (values up to 9999). */
export const MAX_PARAM_DIGITS = 4;

const enum S {
  Ground,
  Esc,
  Csi,
  /** Saw 0xC2: the next byte 0x9B would be C1 CSI in UTF-8 (U+009B). */
  C2,
}

export class EscapeBounds {
  private state = S.Ground;
  private digits = 0;
  /** Where a 0xC2 came in: a byte after it other than 0x9B is read as in that state. */
  private beforeC2 = S.Ground;

  /** The chunk itself when nothing had to be dropped (the common case), else a shorter copy. */
  filter(chunk: Uint8Array): Uint8Array {
    let out: Uint8Array | null = null;
    let n = 0; // bytes kept in `out`
    // Where the next ESC and the next 0xC2 are (searched again only once passed).
    let esc = -2;
    let c2 = -2;
    for (let i = 0; i < chunk.length; i++) {
      if (this.state === S.Ground) {
        // Text runs are skipped with the engine's native search: only sequences are walked.
        if (esc !== -1 && esc < i) esc = chunk.indexOf(0x1b, i);
        if (c2 !== -1 && c2 < i) c2 = chunk.indexOf(0xc2, i);
        const next = esc < 0 ? c2 : c2 < 0 ? esc : Math.min(esc, c2);
        if (next < 0) {
          if (out) {
            out.set(chunk.subarray(i), n);
            n += chunk.length - i;
          }
          break;
        }
        if (out && next > i) {
          out.set(chunk.subarray(i, next), n);
          n += next - i;
        }
        i = next;
      }
      const b = chunk[i] as number;
      let drop = false;
      switch (this.state) {
        case S.Ground:
          if (b === 0x1b) this.state = S.Esc;
          else if (b === 0xc2) this.c2(S.Ground);
          break;
        case S.C2:
          // C1 CSI (U+009B) starts a sequence from any state, as ESC does. Another 0xC2 may
          // start it in turn (`\xc2\xc2\x9b2147483647b` slipped through when it did not).
          if (b === 0x9b) this.state = this.enterCsi();
          else if (b === 0x1b) this.state = S.Esc;
          else if (b !== 0xc2) {
            this.state = this.beforeC2;
            i--; // this byte is read again in that state
            continue;
          }
          break;
        case S.Esc:
          if (b === 0xc2) this.c2(S.Ground);
          else this.state = b === 0x5b ? this.enterCsi() : b === 0x1b ? S.Esc : S.Ground;
          break;
        case S.Csi:
          if (b === 0xc2) {
            this.c2(S.Csi);
          } else if (b >= 0x30 && b <= 0x39) {
            this.digits++;
            drop = this.digits > MAX_PARAM_DIGITS;
          } else if (b === 0x3b || b === 0x3a) {
            this.digits = 0; // the next parameter
          } else if (b === 0x1b) {
            this.state = S.Esc;
          } else if (b === 0x18 || b === 0x1a || (b >= 0x40 && b <= 0x7e)) {
            this.state = S.Ground; // cancelled, or the final byte
          }
          break;
      }
      if (drop) {
        if (!out) {
          out = new Uint8Array(chunk.length);
          out.set(chunk.subarray(0, i));
          n = i;
        }
      } else if (out) {
        out[n++] = b;
      }
    }
    return out ? out.subarray(0, n) : chunk;
  }

  private c2(from: S): void {
    this.beforeC2 = from;
    this.state = S.C2;
  }

  private enterCsi(): S {
    this.digits = 0;
    return S.Csi;
  }
}

/** The same bound for text (a JSON client's output); the text itself when nothing was dropped. */
export function boundEscapesText(text: string, bounds: EscapeBounds): string {
  const utf8 = new TextEncoder().encode(text);
  const kept = bounds.filter(utf8);
  return kept === utf8 ? text : new TextDecoder().decode(kept);
}
