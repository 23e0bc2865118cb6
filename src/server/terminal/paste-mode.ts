/**
 * Follows the bracketed-paste mode (DEC private mode 2004) of a program's output on the main
 * thread, as the output is written: the mirror's parser runs in a worker and may be behind,
 * but the prompt-typing code reads the mode synchronously just before it pastes, and must get
 * the mode as of everything the program printed so far.
 *
 * A tiny scanner, not a terminal: it looks only for what changes mode 2004 in xterm.js —
 * `CSI ? Pm h` / `CSI ? Pm l` (DECSET/DECRST, any parameter list holding 2004; CSI is `ESC [`
 * or the C1 byte U+009B), `ESC c` (full reset) and `CSI ! p` (soft reset), which turn it off.
 * Native `indexOf` finds those, so ordinary output costs no JavaScript per byte; a sequence cut
 * between two chunks is carried over (at most MAX_CARRY bytes). It follows xterm's parser for
 * everything programs send (C0 controls inside a CSI are executed and the CSI goes on; CAN,
 * SUB, ESC and C1 controls cancel it; a second private marker or an intermediate byte makes it
 * another function). What it does not model (a C0 control between `ESC [` and `?`) is set
 * right by `resync`, which the mirror calls with the worker's value whenever the worker has
 * parsed everything written: then they agree by construction.
 */

const ESC = 0x1b;
/** Longest CSI kept across chunks (real DECSET sequences are < 40 bytes). */
const MAX_CARRY = 256;
const PATTERNS = [Buffer.from('\x1b[?'), Buffer.from('\xc2\x9b?', 'latin1'), Buffer.from('\x1bc'), Buffer.from('\x1b[!p')];
// PATTERNS[0] and [1] open a private CSI (ESC [ ? and U+009B ?); [2] and [3] reset the mode.
const RIS = 2;
const DECSTR = 3;
/** xterm caps parameter values here (common/parser/Params.ts). */
const MAX_PARAM = 0x7fffffff;
/** xterm keeps at most this many parameters; later ones are ignored. */
const MAX_PARAMS = 32;

type Scan = { kind: 'set' | 'reset' | 'other'; end: number; has2004: boolean } | { kind: 'incomplete' } | { kind: 'cancelled'; end: number };

/**
 * Reads `CSI ?` parameters and final byte starting at `from` (just after the `?`).
 * Follows xterm's VT500 parser for the CSI_PARAM/CSI_INTERMEDIATE/CSI_IGNORE states.
 */
function scanPrivateCsi(data: Buffer, from: number): Scan {
  let has2004 = false;
  let value = 0;
  let params = 1;
  let sub = false;
  let ignore = false;
  let intermediate = false;
  for (let i = from; i < data.length; i++) {
    const b = data[i] as number;
    if (b >= 0x30 && b <= 0x39) {
      if (intermediate) ignore = true; // a digit after an intermediate: CSI_IGNORE
      else if (!sub) value = Math.min(MAX_PARAM, value * 10 + (b - 0x30));
      continue;
    }
    if (b === 0x3b) {
      // ';' ends a parameter
      if (intermediate) ignore = true;
      if (!sub && value === 2004 && params <= MAX_PARAMS) has2004 = true;
      value = 0;
      sub = false;
      params++;
      continue;
    }
    if (b === 0x3a) {
      // ':' starts a sub-parameter of the current parameter (ignored for modes)
      if (intermediate) ignore = true;
      if (!sub && value === 2004 && params <= MAX_PARAMS) has2004 = true;
      sub = true;
      continue;
    }
    if (b >= 0x3c && b <= 0x3f) {
      ignore = true; // a second private marker
      continue;
    }
    if (b >= 0x20 && b <= 0x2f) {
      intermediate = true;
      continue;
    }
    if (b >= 0x40 && b <= 0x7e) {
      if (!sub && value === 2004 && params <= MAX_PARAMS) has2004 = true;
      if (ignore || intermediate) return { kind: 'other', end: i + 1, has2004: false };
      return { kind: b === 0x68 ? 'set' : b === 0x6c ? 'reset' : 'other', end: i + 1, has2004 };
    }
    if (b === 0x18 || b === 0x1a || b === ESC) return { kind: 'cancelled', end: i };
    if (b < 0x20 || b === 0x7f) continue; // C0 controls are executed inside a CSI; DEL is ignored
    // A byte >= 0x80: a C1 control (cancels) or a non-ASCII character (xterm ignores the CSI).
    return { kind: 'cancelled', end: i };
  }
  return data.length - from > MAX_CARRY ? { kind: 'cancelled', end: data.length } : { kind: 'incomplete' };
}

export class PasteModeTracker {
  private on = false;
  private carry: Buffer | null = null;

  /** The mode as of everything written so far. */
  get bracketedPaste(): boolean {
    return this.on;
  }

  write(chunk: Uint8Array): void {
    let data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (this.carry) {
      data = Buffer.concat([this.carry, data]);
      this.carry = null;
    }
    // Fast exit: nothing that starts a sequence we follow (no ESC, no C1 CSI lead byte).
    if (data.indexOf(ESC) === -1 && data.indexOf(0xc2) === -1) return;
    const next = PATTERNS.map((p) => data.indexOf(p));
    let pos = 0;
    for (;;) {
      let which = -1;
      let at = Infinity;
      for (let k = 0; k < next.length; k++) {
        const n = next[k] as number;
        if (n !== -1 && n < at) {
          at = n;
          which = k;
        }
      }
      if (which === -1) break;
      let end = at + (PATTERNS[which] as Buffer).length;
      if (which === RIS || which === DECSTR) {
        this.on = false;
      } else {
        const scan = scanPrivateCsi(data, end);
        if (scan.kind === 'incomplete') {
          this.carry = Buffer.from(data.subarray(at));
          return;
        }
        end = scan.end;
        if (scan.kind === 'set' && scan.has2004) this.on = true;
        else if (scan.kind === 'reset' && scan.has2004) this.on = false;
      }
      pos = Math.max(end, at + 1);
      for (let k = 0; k < next.length; k++) if ((next[k] as number) !== -1 && (next[k] as number) < pos) next[k] = data.indexOf(PATTERNS[k] as Buffer, pos);
    }
    // A sequence may have begun in the last bytes: keep a prefix of any pattern.
    this.carry = trailingPrefix(data, Math.max(pos, data.length - 3));
  }

  /** Sets the mode from the real parser (see the header); drops a half-read sequence. */
  resync(on: boolean): void {
    this.on = on;
    this.carry = null;
  }

  /** True when no sequence is half-read (a resync is only exact then). */
  get idle(): boolean {
    return this.carry === null;
  }
}

/** The shortest tail of `data` (from `from` on) that starts some pattern, copied; else null. */
function trailingPrefix(data: Buffer, from: number): Buffer | null {
  for (let i = Math.max(0, from); i < data.length; i++) {
    const b = data[i] as number;
    if (b !== ESC && b !== 0xc2) continue;
    const tail = data.subarray(i);
    if (PATTERNS.some((p) => tail.length < p.length && p.subarray(0, tail.length).equals(tail))) return Buffer.from(tail);
  }
  return null;
}
