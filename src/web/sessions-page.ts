/** Every session the server knows: state, folder, last activity; open, resume, stop, share. */
import type { SessionInfo } from '../shared/session-info';
import type { SessionStateName } from '../shared/state';
import { api } from './api';
import { Disposer, type Disposable } from './disposer';
import { ago, h } from './dom';

const STATE_BADGE: Record<SessionStateName, string> = {
  running: 'badge-info',
  starting: 'badge-info',
  idle: 'badge-success',
  pending: 'badge-warning',
  stopped: 'badge-neutral',
};

export function sessionsPage(root: HTMLElement): Disposable {
  const page = new Disposer();
  const list = h('div space-y-2', { 'data-testid': 'session-list' });
  const error = h('div');
  root.replaceChildren(h('div max-w-3xl mx-auto p-3 space-y-3 h-full overflow-auto', {},
    h('div flex items-center gap-2', {},
      h('h1 text-2xl font-bold flex-1', {}, 'Sessions'),
      h('a btn btn-primary', { href: '/', 'data-testid': 'new-session' }, 'New session')),
    error,
    list,
  ));

  async function refresh(): Promise<void> {
    let sessions: SessionInfo[];
    try {
      sessions = await api.sessions();
    } catch (err) {
      if (page.disposed) return;
      error.replaceChildren(h('div alert alert-error', {}, (err as Error).message));
      return;
    }
    if (page.disposed) return;
    error.replaceChildren();
    if (sessions.length === 0) list.replaceChildren(h('p opacity-70', {}, 'No sessions yet.'));
    else list.replaceChildren(...sessions.map(row));
  }

  function row(s: SessionInfo): HTMLElement {
    const act = (label: string, cls: string, fn: () => Promise<unknown>) =>
      h(`button btn btn-sm ${cls}`, { onclick: async () => {
        try {
          await fn();
        } catch (err) {
          error.replaceChildren(h('div alert alert-error', {}, (err as Error).message));
        }
        await refresh();
      } }, label);
    return h('div card card-border bg-base-200', { 'data-session': s.id, 'data-state': s.state },
      h('div card-body p-3 gap-1', {},
        h('div flex items-center gap-2 flex-wrap', {},
          h('span badge', { class: STATE_BADGE[s.state] ?? 'badge-ghost', 'data-testid': 'row-state' }, s.running ? s.state : 'stopped'),
          h('code text-xs truncate', {}, s.id),
          h('span text-xs opacity-70 ml-auto', {}, `active ${ago(Date.now() - s.last_active_at)} ago`)),
        h('div text-xs opacity-70 truncate', {}, s.folder),
        h('div flex gap-2 flex-wrap pt-1', {},
          h('a btn btn-sm btn-primary', { href: `/?id=${s.id}` }, 'Open'),
          s.running ? act('Stop', 'btn-outline', () => api.stop(s.id)) : act('Resume', 'btn-outline', () => api.resume(s.id)),
          act('Share view link', 'btn-ghost', async () => {
            const link = await api.share(s.id, 'view', 86400);
            prompt('View-only link (24 h):', link.url);
          }))));
  }

  // The first list, then one every 3 s (never once the page is left).
  void refresh().then(() => page.interval(() => void refresh(), 3000));
  return page;
}
