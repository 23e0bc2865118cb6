/**
 * What the terminal area says when there is no program to show: "starting…" while a run draws
 * itself, and once it has ended, how (exit code or signal, why when the server knows, its last
 * lines) with a Resume button. Only a person resumes a session: nothing here or in the page
 * restarts it by itself (keys typed meanwhile, or the terminal's own answers, are not sent).
 */
import type { SessionInfo } from '../shared/session-info';
import { h } from './dom';

export class EndedPanel {
  readonly element: HTMLElement;
  private readonly heading = h('h2 font-semibold text-lg', { 'data-testid': 'ended-title' });
  private readonly detail = h('p text-sm', { 'data-testid': 'ended-detail' });
  private readonly tail = h('pre text-xs bg-base-100 rounded p-2 max-h-48 overflow-auto whitespace-pre-wrap hidden', { 'data-testid': 'ended-tail', 'aria-label': 'Last lines on screen' });
  private readonly resume: HTMLButtonElement;
  private readonly starting = h('div absolute inset-0 z-10 hidden flex items-center justify-center pointer-events-none', { 'data-testid': 'starting' },
    h('div flex items-center gap-3 rounded-box bg-base-200/90 px-4 py-3 shadow', { role: 'status' }, h('span loading loading-spinner', { 'aria-hidden': 'true' }), 'Starting…'));

  constructor(onResume: () => void, readOnly: boolean, sessionsHref: string | null) {
    this.resume = h('button btn btn-primary btn-lg min-h-12', { 'data-testid': 'resume', onclick: onResume, disabled: readOnly }, 'Resume');
    this.element = h('section absolute inset-x-0 bottom-0 z-20 hidden border-t-2 border-base-300 bg-base-200 p-4 space-y-3 shadow-2xl', {
      'data-testid': 'ended',
      'aria-label': 'Session ended',
    },
    this.heading,
    this.detail,
    this.tail,
    h('div flex flex-wrap gap-2', {},
      readOnly ? h('span text-sm', {}, 'This link is view-only: the owner can resume the session.') : this.resume,
      sessionsHref ? h('a btn btn-lg min-h-12', { href: sessionsHref }, 'All sessions') : null));
  }

  /** The "starting" veil; it never takes clicks or keys from the terminal under it. */
  get startingElement(): HTMLElement {
    return this.starting;
  }

  setStarting(on: boolean): void {
    this.starting.classList.toggle('hidden', !on);
  }

  /** Shows the end of the run; `info` (from the server) adds why and the last lines once known. */
  show(exit: { code?: number | null; signal?: string | null }, info: SessionInfo | null): void {
    this.setStarting(false);
    const code = exit.code ?? info?.exit_code ?? null;
    const signal = exit.signal ?? info?.exit_signal ?? null;
    this.heading.textContent = signal ? `Session ended (${signal})` : code !== null ? `Session ended (exit code ${code})` : 'Session stopped';
    const reason = info?.exit_reason ?? null;
    this.detail.textContent = reason ? `Why: ${reason}.` : 'The program is not running. Resume starts it again in the same folder and conversation.';
    const lines = info?.exit_tail ?? [];
    this.tail.textContent = lines.join('\n');
    this.tail.classList.toggle('hidden', lines.length === 0);
    this.resume.classList.remove('hidden');
    this.element.classList.remove('hidden');
  }

  /** The id names no session (never created here, or deleted). */
  missing(): void {
    this.setStarting(false);
    this.heading.textContent = 'No such session';
    this.detail.textContent = 'This server knows no session with this id: it was deleted, or never made here.';
    this.tail.classList.add('hidden');
    this.resume.classList.add('hidden');
    this.element.classList.remove('hidden');
  }

  hide(): void {
    this.element.classList.add('hidden');
  }

  get visible(): boolean {
    return !this.element.classList.contains('hidden');
  }

  /** A person typed into an ended session: point at the way to go on. */
  nudge(): void {
    this.resume.focus();
    this.resume.classList.add('animate-pulse');
    window.setTimeout(() => this.resume.classList.remove('animate-pulse'), 1500);
  }
}
