/** The keys a terminal would send for each intent: pure, so they are tested as tables. */

export const ESC = '\x1b';
export const ENTER = '\r';

const PASTE_MARKER = /\x1b\[20[01]~/g;

/** Removes paste markers until none is left (removing one can join the halves of another). */
function stripPasteMarkers(text: string): string {
  let prev: string;
  do {
    prev = text;
    text = text.replace(PASTE_MARKER, '');
  } while (text !== prev);
  return text;
}

/**
 * The keys that type `text` (without the Enter that submits it), as a terminal's paste would
 * send them. Paste markers inside the text are removed: they would end a bracketed paste early
 * and turn the rest into keystrokes.
 */
export function inputKeys(text: string, bracketedPaste: boolean): string {
  const clean = stripPasteMarkers(text);
  if (!/[\r\n]/.test(clean)) return clean;
  // Several lines are one submission: a bracketed paste where the program asked for it,
  // else newlines become CR like a terminal's paste does.
  return bracketedPaste ? `\x1b[200~${clean}\x1b[201~` : clean.replace(/\r?\n/g, '\r');
}

/** `text` as one bracketed paste (for a program that enabled bracketed paste mode). */
export function pasteKeys(text: string): string {
  return `\x1b[200~${stripPasteMarkers(text)}\x1b[201~`;
}

/** The keys that choose option `index` (0-based): its digit, or Down from the top and Enter. */
export function selectKeys(index: number): string {
  return index < 9 ? String(index + 1) : `${'\x1b[B'.repeat(index)}${ENTER}`;
}
