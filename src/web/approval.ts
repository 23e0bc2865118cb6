/**
 * The approval panel: what Claude is asking (a tool's permission, a question, a plan), one big
 * button per option, and Cancel. It lies over the bottom of the terminal instead of taking rows
 * from it: a panel that shrank the terminal made Claude Code redraw its dialog with fewer
 * options, which changed the panel's height, which grew the terminal again (a loop).
 *
 * One dialog is one panel (keyed by its tool_use_id): an update of the same dialog keeps the
 * buttons where they are, and options that only scrolled out of Claude Code's view stay.
 * Keys (desktop): y = the first "Yes" option, n = "No" (else Cancel), 1–9 = that option,
 * Esc = Cancel. After any answer the terminal gets the focus back (on a phone it would open
 * the keyboard, so there it does not).
 */
import type { ServerMessage } from '../shared/protocol';
import type { Disposer } from './disposer';
import { h } from './dom';

type Pending = Extract<ServerMessage, { type: 'session_pending' }>;

export interface ApprovalActions {
  select(index: number): void;
  cancel(): void;
  /** After an answer: give the focus back to the terminal. */
  refocus(): void;
}

const KIND_TITLE: Record<string, (tool: string) => string> = {
  permission: (tool) => `${tool || 'A tool'} wants to run`,
  question: () => 'Claude asks',
  plan: () => 'Claude has a plan',
};

export class ApprovalPanel {
  readonly element: HTMLElement;
  private readonly title = h('h2 font-semibold text-base');
  private readonly question = h('p text-sm');
  private readonly detail = h('pre bg-base-100 rounded p-2 text-sm overflow-auto max-h-32 whitespace-pre-wrap break-all', { 'data-testid': 'tool-input' });
  private readonly buttons = h('div grid gap-2 sm:grid-cols-2', { role: 'group', 'aria-label': 'Options' });
  private readonly hint = h('p text-xs opacity-80 hidden sm:block', {}, 'Keys: y yes · n no · 1–9 an option · Esc cancel');
  /** The dialog shown: its tool_use_id (or tool name) and question. */
  private key: string | null = null;
  private options: string[] = [];

  constructor(
    private readonly page: Disposer,
    private readonly actions: ApprovalActions,
    private readonly readOnly: boolean,
  ) {
    this.element = h('section approval absolute inset-x-0 bottom-0 z-20 hidden max-h-[85%] overflow-auto border-t-2 border-warning bg-base-200 p-3 space-y-2 shadow-2xl', {
      'data-testid': 'approval',
      'aria-label': 'Claude is waiting for you',
      'aria-live': 'assertive',
    }, this.title, this.question, this.detail, this.buttons, this.hint);
    this.element.addEventListener('keydown', (e) => {
      if (this.handleKey(e)) e.preventDefault();
    });
  }

  get visible(): boolean {
    return !this.element.classList.contains('hidden');
  }

  /** Shows a dialog, or updates the one shown. */
  show(m: Pending): void {
    const key = `${m.tool_use_id ?? m.tool_name}\u0000${m.question ?? ''}`;
    const same = key === this.key;
    // The same dialog scrolled in Claude Code's window shows fewer options: keep the ones known.
    const options = same && m.options.every((o) => this.options.includes(o)) ? this.options : m.options;
    if (same && options === this.options && this.visible) return;
    this.key = key;
    this.options = options;
    this.element.dataset.tool = m.tool_name;
    this.title.textContent = (KIND_TITLE[m.kind] ?? KIND_TITLE.permission!)(m.tool_name);
    this.question.textContent = m.question ?? '';
    this.detail.textContent = describe(m.tool_input);
    this.detail.classList.toggle('hidden', m.kind === 'question');
    this.renderButtons();
    this.element.classList.remove('hidden');
  }

  hide(): void {
    this.element.classList.add('hidden');
    this.key = null;
    this.options = [];
  }

  /** Focuses the first option (Tab from the terminal while a dialog waits). */
  focusFirst(): void {
    this.buttons.querySelector<HTMLButtonElement>('button')?.focus();
  }

  /** The option a key answers with (null: Cancel), or undefined for a key the panel does not take. */
  private choice(e: KeyboardEvent): number | null | undefined {
    if (!this.visible || this.readOnly || e.ctrlKey || e.metaKey || e.altKey) return undefined;
    if (e.key === 'Escape') return null;
    const yes = this.options.findIndex((o) => /^yes\b/i.test(o));
    const no = this.options.findIndex((o) => /^no\b/i.test(o));
    if (e.key === 'y' && yes >= 0) return yes;
    if (e.key === 'n') return no >= 0 ? no : null;
    if (/^[1-9]$/.test(e.key) && Number(e.key) <= this.options.length) return Number(e.key) - 1;
    return undefined;
  }

  /**
   * A key for the panel (pressed in it or in the terminal): true when the panel takes it (its
   * keypress and keyup too, so that the program never gets the key); answers on keydown.
   */
  handleKey(e: KeyboardEvent): boolean {
    const c = this.choice(e);
    if (c === undefined) return false;
    if (e.type === 'keydown') this.answer(c);
    return true;
  }

  private answer(index: number | null): void {
    if (index === null) this.actions.cancel();
    else this.actions.select(index);
    this.markSent(index);
    this.actions.refocus();
  }

  /** The pressed button shows it was sent until the dialog goes (or changes). */
  private markSent(index: number | null): void {
    for (const b of this.buttons.querySelectorAll<HTMLButtonElement>('button')) {
      b.classList.toggle('btn-active', b.dataset.option === String(index ?? 'cancel'));
    }
    this.page.timeout(() => this.buttons.querySelectorAll('.btn-active').forEach((b) => b.classList.remove('btn-active')), 3000);
  }

  private renderButtons(): void {
    const buttons = this.options.map((label, index) =>
      h('button btn justify-start text-left h-auto min-h-12 py-2 text-base font-medium', {
        class: index === 0 ? 'btn-primary' : /^no\b/i.test(label) ? 'btn-error' : 'btn-outline',
        disabled: this.readOnly,
        'data-option': index,
        onclick: () => this.answer(index),
      }, h('kbd kbd-sm mr-1', { 'aria-hidden': 'true' }, String(index + 1)), label),
    );
    this.buttons.replaceChildren(...buttons,
      h('button btn btn-ghost min-h-12 text-base', { disabled: this.readOnly, 'data-option': 'cancel', onclick: () => this.answer(null) }, 'Cancel (Esc)'));
  }
}

/** The tool's input as a person reads it: the command, the file and its change, or JSON. */
export function describe(input: unknown): string {
  if (input && typeof input === 'object') {
    const o = input as Record<string, unknown>;
    if (typeof o.command === 'string') return o.command;
    if (typeof o.plan === 'string') return o.plan;
    if (typeof o.file_path === 'string' && typeof o.new_string === 'string') return `${o.file_path}\n- ${String(o.old_string ?? '')}\n+ ${o.new_string}`;
    if (typeof o.file_path === 'string') return o.file_path + (typeof o.content === 'string' ? `\n${o.content}` : '');
  }
  return JSON.stringify(input, null, 2);
}
