/**
 * A fast serializer for a headless xterm: the same bytes as @xterm/addon-serialize 0.14's
 * `serialize({scrollback})` (checked cell for cell against it in serialize.test.ts, on random
 * screens too), about 30× faster. The addon walks every cell through the public API (a method
 * call per attribute, an array and a string per cell): a 10,000-line scrollback took 350-600 ms
 * here, far over the 50 ms a reconnecting viewer may wait (DESIGN.md §11). This port reads each
 * line's cell words directly (`BufferLine._data`: 3 × u32 per cell: content, fg, bg) and writes
 * UTF-16 code units into one growable array, decoded to a string once.
 *
 * It relies on @xterm/headless 6.0.0 internals; `fastSerializeSupported` checks them, and the
 * caller falls back to the addon when they are not what this file expects.
 */
import os from 'node:os';
import type headless from '@xterm/headless';

type Terminal = headless.Terminal;

// Cell layout of @xterm/headless 6 (common/buffer/Constants.ts).
const CELL_SIZE = 3;
const CONTENT_IS_COMBINED = 0x200000;
const CONTENT_CODEPOINT = 0x1fffff;
const CM_MASK = 0x3000000;
const CM_P16 = 0x1000000;
const CM_P256 = 0x2000000;
const CM_RGB = 0x3000000;
const RGB_MASK = 0xffffff;
const PCOLOR_MASK = 0xff;
const FG_INVERSE = 0x4000000;
const FG_BOLD = 0x8000000;
const FG_UNDERLINE = 0x10000000;
const FG_BLINK = 0x20000000;
const FG_INVISIBLE = 0x40000000;
const FG_STRIKETHROUGH = 0x80000000;
const BG_ITALIC = 0x4000000;
const BG_DIM = 0x8000000;
const BG_HAS_EXTENDED = 0x10000000;
const BG_OVERLINE = 0x40000000;

interface ExtendedAttrs {
  readonly underlineStyle: number;
}

/** The internal BufferLine fields read here. */
interface RawLine {
  readonly _data: Uint32Array;
  readonly _combined: Record<number, string>;
  readonly _extendedAttrs: Record<number, ExtendedAttrs | undefined>;
  readonly isWrapped: boolean;
  readonly length: number;
}

interface RawBuffer {
  readonly length: number;
  readonly baseY: number;
  readonly cursorX: number;
  readonly cursorY: number;
  line(y: number): RawLine | undefined;
}

/** A cell's attributes: what the addon's IBufferCell comparisons look at. */
interface Attr {
  fg: number;
  bg: number;
  ext: ExtendedAttrs | undefined;
}

function rawLine(term: Terminal, buffer: headless.IBuffer, y: number): RawLine | undefined {
  void term;
  return (buffer.getLine(y) as unknown as { _line?: RawLine } | undefined)?._line;
}

function rawBuffer(term: Terminal, buffer: headless.IBuffer): RawBuffer {
  return {
    length: buffer.length,
    baseY: buffer.baseY,
    cursorX: buffer.cursorX,
    cursorY: buffer.cursorY,
    line: (y) => rawLine(term, buffer, y),
  };
}

/** True when this xterm build has the internals the fast path reads (else use the addon). */
export function fastSerializeSupported(term: Terminal): boolean {
  if (os.endianness() !== 'LE') return false;
  const line = rawLine(term, term.buffer.normal, 0);
  const cur = curAttr(term);
  return (
    line !== undefined &&
    line._data instanceof Uint32Array &&
    line._data.length >= line.length * CELL_SIZE &&
    typeof line._combined === 'object' &&
    typeof line._extendedAttrs === 'object' &&
    typeof line.isWrapped === 'boolean' &&
    line.length === term.cols &&
    cur !== undefined &&
    typeof cur.fg === 'number' &&
    typeof cur.bg === 'number'
  );
}

function curAttr(term: Terminal): { fg: number; bg: number; extended?: ExtendedAttrs } | undefined {
  // The addon reads the same field (for the cursor's current style, xterm.js issue 3677).
  return (term as unknown as { _core?: { _inputHandler?: { _curAttrData?: { fg: number; bg: number; extended?: ExtendedAttrs } } } })._core?._inputHandler
    ?._curAttrData;
}

// ---- the addon's comparisons, on raw words ----

function fgColor(fg: number): number {
  const mode = fg & CM_MASK;
  return mode === CM_P16 || mode === CM_P256 ? fg & PCOLOR_MASK : mode === CM_RGB ? fg & RGB_MASK : -1;
}

/** The SGR parameters that set a foreground (`base` 30) or background (`base` 40) colour word. */
function pushColor(sgr: number[], word: number, base: 30 | 40): void {
  const color = fgColor(word);
  const mode = word & CM_MASK;
  if (mode === CM_RGB) sgr.push(base + 8, 2, (color >>> 16) & 0xff, (color >>> 8) & 0xff, color & 0xff);
  else if (mode === CM_P16 || mode === CM_P256) {
    if (color >= 16) sgr.push(base + 8, 5, color);
    else sgr.push((color & 8 ? base + 60 : base) + (color & 7)); // 90/100 + n: the bright eight
  } else sgr.push(base + 9);
}

function equalFg(a: Attr, b: Attr): boolean {
  return (a.fg & CM_MASK) === (b.fg & CM_MASK) && fgColor(a.fg) === fgColor(b.fg);
}

function equalBg(a: Attr, b: Attr): boolean {
  return (a.bg & CM_MASK) === (b.bg & CM_MASK) && fgColor(a.bg) === fgColor(b.bg);
}

/** AttributeData.isUnderline(): 1 for an extended underline style, else the fg flag's value. */
function underline(a: Attr): number {
  return a.bg & BG_HAS_EXTENDED && (a.ext?.underlineStyle ?? 0) !== 0 ? 1 : a.fg & FG_UNDERLINE;
}

function equalFlags(a: Attr, b: Attr): boolean {
  return (
    (a.fg & FG_INVERSE) === (b.fg & FG_INVERSE) &&
    (a.fg & FG_BOLD) === (b.fg & FG_BOLD) &&
    underline(a) === underline(b) &&
    (a.bg & BG_OVERLINE) === (b.bg & BG_OVERLINE) &&
    (a.fg & FG_BLINK) === (b.fg & FG_BLINK) &&
    (a.fg & FG_INVISIBLE) === (b.fg & FG_INVISIBLE) &&
    (a.bg & BG_ITALIC) === (b.bg & BG_ITALIC) &&
    (a.bg & BG_DIM) === (b.bg & BG_DIM) &&
    (a.fg & FG_STRIKETHROUGH) === (b.fg & FG_STRIKETHROUGH)
  );
}

/** The addon's _diffStyle: SGR parameters taking `old` to `cell`, '' when nothing changes. */
function diffStyle(cell: Attr, old: Attr): string {
  // Fast path: identical words (and the same underline style) compare equal in every way.
  if (cell.fg === old.fg && cell.bg === old.bg && (!(cell.bg & BG_HAS_EXTENDED) || underline(cell) === underline(old))) return '';
  const fgChanged = !equalFg(cell, old);
  const bgChanged = !equalBg(cell, old);
  const flagsChanged = !equalFlags(cell, old);
  if (!fgChanged && !bgChanged && !flagsChanged) return '';
  const sgr: number[] = [];
  if (cell.fg === 0 && cell.bg === 0) {
    if (!(old.fg === 0 && old.bg === 0)) sgr.push(0);
    return sgr.join(';');
  }
  if (fgChanged) pushColor(sgr, cell.fg, 30);
  if (bgChanged) pushColor(sgr, cell.bg, 40);
  if (flagsChanged) {
    const flag = (on: number, was: number, set: number, reset: number): void => {
      if (on !== was) sgr.push(on ? set : reset);
    };
    flag(cell.fg & FG_INVERSE, old.fg & FG_INVERSE, 7, 27);
    flag(cell.fg & FG_BOLD, old.fg & FG_BOLD, 1, 22);
    flag(underline(cell), underline(old), 4, 24);
    flag(cell.bg & BG_OVERLINE, old.bg & BG_OVERLINE, 53, 55);
    flag(cell.fg & FG_BLINK, old.fg & FG_BLINK, 5, 25);
    flag(cell.fg & FG_INVISIBLE, old.fg & FG_INVISIBLE, 8, 28);
    flag(cell.bg & BG_ITALIC, old.bg & BG_ITALIC, 3, 23);
    flag(cell.bg & BG_DIM, old.bg & BG_DIM, 2, 22);
    flag(cell.fg & FG_STRIKETHROUGH, old.fg & FG_STRIKETHROUGH, 9, 29);
  }
  return sgr.join(';');
}

// ---- output: UTF-16 code units in one growable array ----

class Out {
  buf: Uint16Array;
  n = 0;

  /**
   * `slack`: room kept free after every `str` (2 units a cell of a row), so that the cells of
   * a row, reserved for at its start, can be written without a check.
   */
  constructor(
    capacity: number,
    private readonly slack: number,
  ) {
    this.buf = new Uint16Array(Math.max(1024, capacity + slack));
  }

  /** Room for `need` more code units (the fast path below writes without checking). */
  reserve(need: number): void {
    if (this.n + need > this.buf.length) this.grow(need);
  }

  private grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < this.n + need) size *= 2;
    const next = new Uint16Array(size);
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }

  str(s: string): void {
    const len = s.length;
    if (this.n + len + this.slack > this.buf.length) this.grow(len + this.slack);
    for (let i = 0; i < len; i++) this.buf[this.n++] = s.charCodeAt(i);
  }

  codepoint(cp: number): void {
    if (this.n + 2 > this.buf.length) this.grow(2);
    if (cp < 0x10000) this.buf[this.n++] = cp;
    else {
      const c = cp - 0x10000;
      this.buf[this.n++] = 0xd800 + (c >> 10);
      this.buf[this.n++] = 0xdc00 + (c & 0x3ff);
    }
  }

  text(from: number, to: number): string {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + from * 2, (to - from) * 2).toString('utf16le');
  }
}

const ESC = '\x1b[';

/** A cell's attributes (a copy), or null outside the line (the addon's getCell gives undefined). */
function attrOrNull(line: RawLine | undefined, x: number): Attr | null {
  if (!line || x < 0 || x >= line.length) return null;
  const d = line._data;
  const bg = d[x * CELL_SIZE + 2] as number;
  return { fg: d[x * CELL_SIZE + 1] as number, bg, ext: bg & BG_HAS_EXTENDED ? line._extendedAttrs[x] : undefined };
}

function widthAt(line: RawLine, x: number): number {
  return x < 0 || x >= line.length ? 0 : (line._data[x * CELL_SIZE] as number) >> 22;
}

/** CellData.getChars() !== '' (a combined cell counts by its string). */
function hasChars(line: RawLine, x: number): boolean {
  if (x < 0 || x >= line.length) return false;
  const content = line._data[x * CELL_SIZE] as number;
  if (content & CONTENT_IS_COMBINED) return (line._combined[x] ?? '') !== '';
  return (content & CONTENT_CODEPOINT) !== 0;
}

/** The addon's StringSerializeHandler over rows [start, end] of one buffer, cursor included. */
function serializeRows(buf: RawBuffer, termRows: number, termCols: number, start: number, end: number, cur: Attr): string {
  const out = new Out((end - start + 1) * (termCols + 24), 2 * Math.max(termCols, 1));
  const rowEnds: number[] = []; // where each row's text ends (its separator follows)
  let nullCellCount = 0;
  let cursorStyle: Attr = { fg: 0, bg: 0, ext: undefined };
  let cursorStyleRow = 0;
  let cursorStyleCol = 0;
  let backgroundCell: Attr = { fg: 0, bg: 0, ext: undefined };
  const firstRow = start;
  let lastCursorRow = start;
  let lastCursorCol = 0;
  let lastContentCursorRow = start;
  let lastContentCursorCol = 0;
  const cell: Attr = { fg: 0, bg: 0, ext: undefined };

  for (let row = start; row <= end; row++) {
    const line = buf.line(row);
    if (line) {
      const data = line._data;
      const endCol = Math.min(row === end ? termCols : line.length, line.length);
      out.reserve(2 * endCol);
      for (let col = 0; col < endCol; col++) {
        const i = col * CELL_SIZE;
        const content = data[i] as number;
        const width = content >> 22;
        if (width === 0) continue; // the placeholder after a wide character
        const fg = data[i + 1] as number;
        const bg = data[i + 2] as number;
        if (fg === cursorStyle.fg && bg === cursorStyle.bg && !(bg & BG_HAS_EXTENDED) && !(content & CONTENT_IS_COMBINED)) {
          // The common cell, same words as the current style: no style change (the general
          // path below would decide the same), so only the text and the cursor move.
          const cp = content & CONTENT_CODEPOINT;
          if (cp === 0) {
            nullCellCount += width;
            continue;
          }
          if (nullCellCount > 0) {
            if (equalBg(cursorStyle, backgroundCell)) out.str(`${ESC}${nullCellCount}C`);
            else out.str(`${ESC}${nullCellCount}X${ESC}${nullCellCount}C`);
            nullCellCount = 0;
          }
          if (cp < 0x10000) out.buf[out.n++] = cp; // reserved above: at most 2 units a cell
          else out.codepoint(cp);
          lastContentCursorRow = lastCursorRow = row;
          lastContentCursorCol = lastCursorCol = col + width;
          continue;
        }
        cell.fg = fg;
        cell.bg = bg;
        cell.ext = cell.bg & BG_HAS_EXTENDED ? line._extendedAttrs[col] : undefined;
        let combined: string | undefined;
        let empty: boolean;
        if (content & CONTENT_IS_COMBINED) {
          combined = line._combined[col] ?? '';
          empty = combined === '';
        } else empty = (content & CONTENT_CODEPOINT) === 0;

        const sgr = diffStyle(cell, cursorStyle);
        const styleChanged = empty ? !equalBg(cursorStyle, cell) : sgr !== '';
        if (styleChanged) {
          if (nullCellCount > 0) {
            if (!equalBg(cursorStyle, backgroundCell)) out.str(`${ESC}${nullCellCount}X`);
            out.str(`${ESC}${nullCellCount}C`);
            nullCellCount = 0;
          }
          lastContentCursorRow = lastCursorRow = row;
          lastContentCursorCol = lastCursorCol = col;
          out.str(`${ESC}${sgr}m`);
          cursorStyle = { fg: cell.fg, bg: cell.bg, ext: cell.ext };
          cursorStyleRow = row;
          cursorStyleCol = col;
        }
        if (empty) {
          nullCellCount += width;
        } else {
          if (nullCellCount > 0) {
            if (equalBg(cursorStyle, backgroundCell)) out.str(`${ESC}${nullCellCount}C`);
            else out.str(`${ESC}${nullCellCount}X${ESC}${nullCellCount}C`);
            nullCellCount = 0;
          }
          if (combined !== undefined) out.str(combined);
          else out.codepoint(content & CONTENT_CODEPOINT);
          lastContentCursorRow = lastCursorRow = row;
          lastContentCursorCol = lastCursorCol = col + width;
        }
      }
    }

    // ---- row end (the addon's _rowEnd) ----
    if (nullCellCount > 0 && !equalBg(cursorStyle, backgroundCell)) out.str(`${ESC}${nullCellCount}X`);
    rowEnds.push(out.n);
    if (row !== end) {
      if (row - firstRow >= termRows) backgroundCell = attrOrNull(buf.line(cursorStyleRow), cursorStyleCol) ?? backgroundCell; // BCE
      const current = buf.line(row) as RawLine;
      const next = buf.line(row + 1) as RawLine;
      if (!next.isWrapped) {
        out.str('\r\n');
        lastCursorRow = row + 1;
        lastCursorCol = 0;
      } else {
        const lastX = current.length - 1;
        const none: Attr = { fg: 0, bg: 0, ext: undefined };
        const lastAttr = attrOrNull(current, lastX) ?? none;
        const secondAttr = attrOrNull(current, lastX - 1) ?? none;
        const nextAttr = attrOrNull(next, 0) ?? none;
        const nextDouble = widthAt(next, 0) > 1;
        let valid = false;
        if (hasChars(next, 0) && nextDouble ? nullCellCount <= 1 : nullCellCount <= 0) {
          if ((hasChars(current, lastX) || widthAt(current, lastX) === 0) && equalBg(lastAttr, nextAttr)) valid = true;
          if (
            nextDouble &&
            (hasChars(current, lastX - 1) || widthAt(current, lastX - 1) === 0) &&
            equalBg(lastAttr, nextAttr) &&
            equalBg(secondAttr, nextAttr)
          ) {
            valid = true;
          }
        }
        if (!valid) {
          let sep = '-'.repeat(nullCellCount + 1) + `${ESC}1D${ESC}1X`;
          if (nullCellCount > 0) {
            sep += `${ESC}A${ESC}${current.length - nullCellCount}C${ESC}${nullCellCount}X${ESC}${current.length - nullCellCount}D${ESC}B`;
          }
          out.str(sep);
          lastContentCursorRow = row + 1;
          lastContentCursorCol = 0;
          lastCursorRow = row + 1;
          lastCursorCol = 0;
        }
      }
    }
    nullCellCount = 0;
  }

  // ---- the addon's _serializeString ----
  let rowEnd = rowEnds.length;
  if (buf.length - firstRow <= termRows) {
    rowEnd = lastContentCursorRow + 1 - firstRow;
    lastCursorCol = lastContentCursorCol;
    lastCursorRow = lastContentCursorRow;
  }
  // Rows and separators are contiguous in `out`: the content ends where the last row kept ends.
  const kept = Math.min(rowEnd, rowEnds.length);
  let content = kept > 0 ? out.text(0, rowEnds[kept - 1] as number) : '';
  const realRow = buf.baseY + buf.cursorY;
  const realCol = buf.cursorX;
  if (realRow !== lastCursorRow || realCol !== lastCursorCol) {
    const down = realRow - lastCursorRow;
    if (down > 0) content += `${ESC}${down}B`;
    else if (down < 0) content += `${ESC}${-down}A`;
    const right = realCol - lastCursorCol;
    if (right > 0) content += `${ESC}${right}C`;
    else if (right < 0) content += `${ESC}${-right}D`;
  }
  const sgr = diffStyle(cur, cursorStyle);
  if (sgr !== '') content += `${ESC}${sgr}m`;
  return content;
}

function serializeBuffer(term: Terminal, buffer: headless.IBuffer, scrollback: number | undefined): string {
  const raw = rawBuffer(term, buffer);
  const maxRows = raw.length;
  const correctRows = scrollback === undefined ? maxRows : Math.max(0, Math.min(scrollback + term.rows, maxRows));
  const c = curAttr(term);
  const cur: Attr = { fg: c?.fg ?? 0, bg: c?.bg ?? 0, ext: c && c.bg & BG_HAS_EXTENDED ? c.extended : undefined };
  return serializeRows(raw, term.rows, term.cols, maxRows - correctRows, maxRows - 1, cur);
}

function serializeModes(term: Terminal): string {
  let content = '';
  const modes = term.modes;
  if (modes.applicationCursorKeysMode) content += '\x1b[?1h';
  if (modes.applicationKeypadMode) content += '\x1b[?66h';
  if (modes.bracketedPasteMode) content += '\x1b[?2004h';
  if (modes.insertMode) content += '\x1b[4h';
  if (modes.originMode) content += '\x1b[?6h';
  if (modes.reverseWraparoundMode) content += '\x1b[?45h';
  if (modes.sendFocusMode) content += '\x1b[?1004h';
  if (modes.wraparoundMode === false) content += '\x1b[?7l';
  switch (modes.mouseTrackingMode) {
    case 'x10':
      content += '\x1b[?9h';
      break;
    case 'vt200':
      content += '\x1b[?1000h';
      break;
    case 'drag':
      content += '\x1b[?1002h';
      break;
    case 'any':
      content += '\x1b[?1003h';
      break;
  }
  return content;
}

/** Same as `new SerializeAddon().serialize({ scrollback })` on `term` (see the header). */
export function serializeTerminal(term: Terminal, scrollback: number): string {
  let content = serializeBuffer(term, term.buffer.normal, scrollback);
  if (term.buffer.active.type === 'alternate') {
    content += `\x1b[?1049h\x1b[H${serializeBuffer(term, term.buffer.alternate, undefined)}`;
  }
  return content + serializeModes(term);
}
