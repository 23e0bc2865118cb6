/** The session's state as a badge: what it is doing, and for how long. */
import type { SessionStateName } from '../shared/state';
import type { Disposer } from './disposer';
import { ago, h } from './dom';

/** The session's states plus the page's own: no socket yet (`connecting`), the process exited (`ended`). */
export type PageState = SessionStateName | 'connecting' | 'ended';

const CLASS: Record<PageState, string> = {
  connecting: 'badge-ghost',
  starting: 'badge-info',
  running: 'badge-info',
  idle: 'badge-success',
  pending: 'badge-warning',
  stopped: 'badge-neutral',
  ended: 'badge-neutral',
};

/** Words for the badge: "pending" says little to a person. */
const LABEL: Record<PageState, string> = {
  connecting: 'connecting',
  starting: 'starting',
  running: 'running',
  idle: 'idle',
  pending: 'waiting for you',
  stopped: 'stopped',
  ended: 'ended',
};

/** How often the "for how long" is redrawn. */
const TICK_MS = 1000;

export class StateBadge {
  readonly element = h('span badge badge-lg whitespace-nowrap', { 'data-testid': 'state', role: 'status' }, 'connecting');
  private state: PageState = 'connecting';
  private since = Date.now();

  constructor(page: Disposer) {
    page.interval(() => this.render(), TICK_MS);
  }

  set(next: PageState): void {
    if (next !== this.state) this.since = Date.now();
    this.state = next;
    this.element.className = `badge badge-lg whitespace-nowrap ${CLASS[next]}`;
    this.element.dataset.state = next;
    this.render();
  }

  private render(): void {
    this.element.textContent = this.state === 'connecting' ? 'connecting' : `${LABEL[this.state]} · ${ago(Date.now() - this.since)}`;
  }
}
