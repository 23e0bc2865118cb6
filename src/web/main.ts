/** The web UI's entry: which page, for whom. `/` opens a new session (its id goes into the
 * address bar, so a reload or a bookmark returns to it); `/?id=<id>` opens that one.
 * Pages change by navigation (plain links), so the page shown is disposed on `pagehide`. */
import './styles.css';
import { parseSessionId } from '../shared/session-id';
import { api } from './api';
import type { Disposable } from './disposer';
import { h } from './dom';
import { sessionPage } from './session-page';
import { sessionsPage } from './sessions-page';

let current: Disposable | null = null;
let left = false;

window.addEventListener('pagehide', () => {
  left = true;
  current?.dispose();
  current = null;
});
// Back to a page kept in the back/forward cache: it was disposed on the way out, so start over.
window.addEventListener('pageshow', (e) => {
  if (e.persisted) location.reload();
});

/** Builds the page, unless it was left while waiting for the server. */
function show(build: () => Disposable): void {
  if (!left) current = build();
}

async function start(): Promise<void> {
  const root = document.getElementById('app') as HTMLElement;
  try {
    const me = await api.whoami();
    if (location.pathname === '/sessions' && me.role === 'owner') return show(() => sessionsPage(root));
    // a share link opens its own session only
    let id = parseSessionId(me.session_id || new URLSearchParams(location.search).get('id') || '');
    if (id === null) {
      const created = await api.create();
      id = created.id.toLowerCase();
    }
    history.replaceState(null, '', `/?id=${id}`);
    show(() => sessionPage(root, id, me));
  } catch (err) {
    root.replaceChildren(h('div p-6', {}, h('div alert alert-error', {}, `ccpty: ${(err as Error).message}`)));
  }
}

void start();
