/**
 * The settings dialog: page theme, terminal colours, font size, screen reader mode (saved in
 * this browser), and logging out of it.
 */
import { api } from './api';
import type { Disposer } from './disposer';
import { h } from './dom';
import { FONT_SIZES, loadPrefs, savePrefs, type Prefs } from './prefs';

let seq = 0;

function select<T extends string | number>(label: string, value: T, choices: ReadonlyArray<readonly [T, string]>, set: (v: T) => void, testid: string): HTMLElement {
  const id = `ccpty-setting-${++seq}`;
  const el = h('select select select-bordered w-full', { id, 'data-testid': testid },
    ...choices.map(([v, text]) => h('option', { value: String(v), selected: v === value }, text)));
  el.addEventListener('change', () => set((choices.find(([v]) => String(v) === el.value)?.[0] ?? value) as T));
  return h('div space-y-1', {}, h('label block text-sm font-medium', { for: id }, label), el);
}

export function settingsDialog(page: Disposer, showLogout: boolean): void {
  const p = loadPrefs();
  const update = (patch: Partial<Prefs>): void => {
    Object.assign(p, patch);
    savePrefs({ ...p });
  };
  const srId = `ccpty-setting-${++seq}`;
  const dialog = h('dialog modal', { 'aria-labelledby': 'ccpty-settings-title' },
    h('div modal-box space-y-3', {},
      h('h2 font-bold text-lg', { id: 'ccpty-settings-title' }, 'Settings'),
      select('Page theme', p.pageTheme, [['auto', 'Like the system'], ['light', 'Light'], ['dark', 'Dark']], (v) => update({ pageTheme: v }), 'pref-page-theme'),
      select('Terminal colours', p.terminalColors, [['auto', "Like Claude Code's theme"], ['dark', 'Dark'], ['light', 'Light']], (v) => update({ terminalColors: v }), 'pref-terminal-colors'),
      select('Terminal font size', p.fontSize, [[0, 'Automatic'], ...FONT_SIZES.map((n) => [n, `${n} px`] as const)], (v) => update({ fontSize: v }), 'pref-font-size'),
      h('div flex items-center gap-2', {},
        h('input checkbox', { type: 'checkbox', id: srId, checked: p.screenReader, 'data-testid': 'pref-screen-reader', onchange: (e: Event) => update({ screenReader: (e.target as HTMLInputElement).checked }) }),
        h('label text-sm', { for: srId }, 'Screen reader mode (the terminal is read out as text)')),
      h('div modal-action flex-wrap', {},
        showLogout ? h('button btn btn-outline', { 'data-testid': 'logout', onclick: async () => {
          await api.logout().catch(() => undefined);
          location.assign('/login');
        } }, 'Log out of this browser') : null,
        h('form', { method: 'dialog' }, h('button btn btn-primary', {}, 'Done'))),
    ),
  );
  document.body.append(dialog);
  dialog.addEventListener('close', () => dialog.remove());
  page.defer(() => dialog.remove());
  dialog.showModal();
}
