/**
 * Keys a phone's keyboard lacks, as buttons with names a screen reader can say. The scroll
 * keys move through the terminal's history (or send Page Up/Down to a full-screen program).
 */
import { h } from './dom';

export interface KeyDef {
  /** What the button shows. */
  label: string;
  /** What a screen reader says (it contains the visible label: speech control finds it by that). */
  name: string;
  /** Bytes for the program, or a page action. */
  send: string | 'scroll-up' | 'scroll-down';
}

export const KEYS: readonly KeyDef[] = [
  { label: 'Esc', name: 'Esc (Escape)', send: '\x1b' },
  { label: 'Tab', name: 'Tab', send: '\t' },
  { label: '⇧Tab', name: 'Shift Tab', send: '\x1b[Z' },
  { label: '^C', name: 'Control C', send: '\x03' },
  { label: '←', name: 'Left arrow', send: '\x1b[D' },
  { label: '↑', name: 'Up arrow', send: '\x1b[A' },
  { label: '↓', name: 'Down arrow', send: '\x1b[B' },
  { label: '→', name: 'Right arrow', send: '\x1b[C' },
  { label: '⏎', name: 'Enter', send: '\r' },
  { label: '/', name: 'Slash', send: '/' },
  { label: 'PgUp', name: 'PgUp: scroll up', send: 'scroll-up' },
  { label: 'PgDn', name: 'PgDn: scroll down', send: 'scroll-down' },
];

export function keybar(press: (k: KeyDef) => void): HTMLElement {
  return h('div keybar flex gap-1 overflow-x-auto px-2 py-1 border-t border-base-300', { 'data-testid': 'keybar', role: 'toolbar', 'aria-label': 'Keys' },
    ...KEYS.map((k) => h('button btn btn-sm btn-ghost font-mono', {
      'aria-label': k.name,
      title: k.name,
      // Keep the focus where it is (the terminal, or nowhere on a phone: no keyboard pops up).
      onpointerdown: (e: Event) => e.preventDefault(),
      onclick: (e: Event) => {
        e.preventDefault();
        press(k);
      },
    }, k.label)));
}
