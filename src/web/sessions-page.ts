/**
 * The dashboard (`/`): every session the server knows, newest activity first, with its title
 * (the name given here, Claude Code's title, or the first prompt), folder, state and what it
 * waits for, last activity; live (polled while the tab is visible); searchable; open, resume,
 * stop, rename, share and delete. "New session" is the one way to make a session here.
 */
import type { SessionInfo } from '../shared/session-info';
import { api } from './api';
import { confirmDelete } from './delete-dialog';
import { Disposer, type Disposable } from './disposer';
import { ago, h } from './dom';
import { settingsDialog } from './settings';

/** How often the list is refreshed while visible (a state change shows within this). */
const REFRESH_MS = 2500;

const STATE_CLASS: Record<string, string> = {
  running: 'badge-info',
  starting: 'badge-info',
  idle: 'badge-success',
  pending: 'badge-warning',
  stopped: 'badge-neutral',
};

export function sessionTitle(s: SessionInfo): string {
  return s.title ?? s.first_prompt ?? 'New session (no prompt yet)';
}

function stateText(s: SessionInfo): string {
  if (s.state === 'pending') {
    const w = s.waiting_for;
    if (!w) return 'waiting for you';
    return w.kind === 'question' ? 'waiting: a question' : w.kind === 'plan' ? 'waiting: a plan' : `waiting: may ${w.tool_name || 'a tool'} run?`;
  }
  if (s.state !== 'stopped') return s.state;
  if (s.runs === 0) return 'not started';
  return s.exit_signal ? `ended (${s.exit_signal})` : s.exit_code !== null ? `ended (exit ${s.exit_code})` : 'stopped';
}

export function sessionsPage(root: HTMLElement): Disposable {
  const page = new Disposer();
  const list = h('ul space-y-2', { 'data-testid': 'session-list', 'aria-label': 'Sessions' });
  const error = h('div', { role: 'alert' });
  const search = h('input input input-bordered w-full', { type: 'search', placeholder: 'Search by title, prompt, folder or id', 'aria-label': 'Search sessions', 'data-testid': 'search' });
  const empty = h('p opacity-80 hidden', { 'data-testid': 'empty' });
  /** Rows by session id, with the data they were drawn from (redrawn only when it changes). */
  const rows = new Map<string, { el: HTMLElement; key: string; s: SessionInfo }>();
  let sessions: SessionInfo[] = [];
  let editing: string | null = null;

  root.replaceChildren(h('div flex flex-col h-full', {},
    h('header navbar min-h-12 px-2 gap-2 border-b border-base-300', {},
      h('span font-bold text-lg px-1', {}, 'ccpty'),
      h('div flex-1'),
      h('button btn btn-sm btn-ghost', { onclick: () => settingsDialog(page, true), 'data-testid': 'settings' }, 'Settings')),
    h('main flex-1 overflow-auto', {},
      h('div max-w-3xl mx-auto p-3 space-y-3', {},
        h('div flex items-center gap-2', {},
          h('h1 text-2xl font-bold flex-1', {}, 'Sessions'),
          h('a btn btn-primary', { href: '/?new=1', 'data-testid': 'new-session' }, 'New session')),
        search,
        error,
        empty,
        list)),
  ));

  const fail = (err: unknown): void => {
    error.replaceChildren(h('div alert alert-error', {}, (err as Error).message));
  };

  async function refresh(): Promise<void> {
    try {
      sessions = await api.sessions();
    } catch (err) {
      if (!page.disposed) fail(err);
      return;
    }
    if (page.disposed) return;
    error.replaceChildren();
    render();
  }

  function render(): void {
    const q = search.value.trim().toLowerCase();
    const shown = sessions.filter((s) => !q || [sessionTitle(s), s.first_prompt ?? '', s.folder, s.id, s.state].some((t) => t.toLowerCase().includes(q)));
    const keep = new Set(shown.map((s) => s.id));
    for (const [id, r] of rows) {
      if (!keep.has(id)) {
        r.el.remove();
        rows.delete(id);
      }
    }
    shown.forEach((s, i) => {
      // "active 3m ago" moves on its own: redraw a row when its data changed or its age text did.
      const key = JSON.stringify({ ...s, age: ago(Date.now() - s.last_active_at) });
      let r = rows.get(s.id);
      if (!r || (r.key !== key && editing !== s.id)) {
        const el = row(s);
        if (r) r.el.replaceWith(el);
        r = { el, key, s };
        rows.set(s.id, r);
      }
      if (list.children[i] !== r.el) list.insertBefore(r.el, list.children[i] ?? null);
    });
    empty.classList.toggle('hidden', shown.length > 0);
    empty.textContent = sessions.length === 0 ? 'No sessions yet: start one with "New session".' : 'No session matches.';
  }
  search.addEventListener('input', render);

  function act(label: string, cls: string, fn: () => Promise<unknown>, testid: string): HTMLButtonElement {
    return h(`button btn btn-sm ${cls}`, { 'data-testid': testid, onclick: async () => {
      try {
        await fn();
      } catch (err) {
        fail(err);
      }
      await refresh();
    } }, label);
  }

  function row(s: SessionInfo): HTMLElement {
    const name = sessionTitle(s);
    const titleLink = h('a link link-hover font-semibold truncate min-w-0', { href: `/?id=${s.id}`, 'data-testid': 'row-title', title: name }, name);
    const titleBox = h('div flex items-center gap-2 min-w-0 flex-1', {}, titleLink);
    const rename = h('button btn btn-sm btn-ghost', { 'data-testid': 'rename', onclick: () => startRename(s, titleBox) }, 'Rename');
    return h('li card card-border bg-base-200', { 'data-session': s.id, 'data-state': s.state },
      h('div card-body p-3 gap-1', {},
        h('div flex items-center gap-2 flex-wrap', {},
          titleBox,
          h('span badge', { class: STATE_CLASS[s.state] ?? 'badge-ghost', 'data-testid': 'row-state' }, stateText(s)),
          h('span text-xs opacity-80', {}, `active ${ago(Date.now() - s.last_active_at)} ago`)),
        h('div text-xs opacity-80 flex gap-2 min-w-0', {}, h('span truncate', { title: s.folder }, s.folder), h('code', { title: s.id }, s.id.slice(0, 8))),
        s.state === 'stopped' && s.exit_reason ? h('div text-xs opacity-80 truncate', { title: s.exit_reason }, s.exit_reason) : null,
        h('div flex gap-2 flex-wrap pt-1', {},
          h('a btn btn-sm btn-primary', { href: `/?id=${s.id}`, 'data-testid': 'open' }, 'Open'),
          s.running
            ? act('Stop', 'btn-outline', () => api.stop(s.id), 'stop')
            : h('a btn btn-sm btn-outline', { href: `/?id=${s.id}&resume=1`, 'data-testid': 'resume' }, 'Resume'),
          rename,
          act('Share view link', 'btn-ghost', async () => {
            const link = await api.share(s.id, 'view', 86400);
            prompt('View-only link (24 h):', link.url);
          }, 'share'),
          h('button btn btn-sm btn-ghost', { 'data-testid': 'delete', onclick: () => confirmDelete(page, s, name, async (folder) => {
            await api.remove(s.id, folder);
            await refresh();
          }) }, 'Delete'))));
  }

  function startRename(s: SessionInfo, box: HTMLElement): void {
    editing = s.id;
    const input = h('input input input-sm input-bordered flex-1 min-w-0', { value: s.title ?? '', placeholder: s.first_prompt ?? 'A name for this session', 'aria-label': 'Session name', 'data-testid': 'rename-input', maxlength: 200 });
    const done = async (save: boolean): Promise<void> => {
      if (editing !== s.id) return;
      editing = null;
      if (save) await api.rename(s.id, input.value.trim() || null).catch(fail);
      rows.get(s.id)?.el.remove(); // drawn again from the server's answer
      rows.delete(s.id);
      await refresh();
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') void done(true);
      if (e.key === 'Escape') void done(false);
    });
    box.replaceChildren(input,
      h('button btn btn-sm btn-primary', { 'data-testid': 'rename-save', onclick: () => void done(true) }, 'Save'),
      h('button btn btn-sm btn-ghost', { onclick: () => void done(false) }, 'Cancel'));
    input.focus();
    input.select();
  }

  // The first list, then a refresh every REFRESH_MS while the tab is visible (never once left).
  void refresh().then(() => page.interval(() => {
    if (!document.hidden) void refresh();
  }, REFRESH_MS));
  page.listen(document, 'visibilitychange', () => {
    if (!document.hidden) void refresh();
  });
  return page;
}
