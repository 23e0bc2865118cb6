/**
 * The web UI's entry: which page, for whom. `/` is the dashboard (every session; nothing is
 * created by visiting it); `/?new=1` makes a session and opens it (its id replaces the address,
 * so a reload returns to it instead of making another); `/?id=<id>` opens one (`&resume=1`:
 * and starts it, asked for by a person on the dashboard). A share link opens its own session.
 * Pages change by navigation (plain links), so the page shown is disposed on `pagehide`; the
 * session page (xterm.js and its addons) loads only when a session is opened.
 */
import './styles.css';
import { parseSessionId } from '../shared/session-id';
import { api } from './api';
import type { Disposable } from './disposer';
import { h } from './dom';
import { loadPrefs, onPrefs } from './prefs';
import { sessionsPage } from './sessions-page';
import { applyPageTheme } from './theme';

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

applyPageTheme(loadPrefs().pageTheme);
onPrefs((p) => applyPageTheme(p.pageTheme));

async function start(): Promise<void> {
  const root = document.getElementById('app') as HTMLElement;
  const params = new URLSearchParams(location.search);
  // A session is to be shown: fetch its page's code (xterm.js) while whoami is asked.
  const sessionCode = params.has('id') || params.has('new') ? import('./session-page') : null;
  sessionCode?.catch(() => undefined); // a failure is reported where it is awaited
  try {
    const me = await api.whoami();
    let id = parseSessionId(me.session_id || params.get('id') || '');
    let fresh = false;
    if (me.role === 'owner' && id === null && params.has('new')) {
      id = (await api.create()).id.toLowerCase();
      fresh = true;
    }
    if (id === null) {
      if (location.pathname !== '/' || location.search) history.replaceState(null, '', '/');
      return show(() => sessionsPage(root));
    }
    const resume = params.get('resume') === '1';
    history.replaceState(null, '', `/?id=${id}`); // a reload opens it again, nothing more
    const sessionId = id;
    // Asked before this page's socket exists: does anyone else watch it?
    const watched = api.info(sessionId).then((i) => i.viewers > 0, () => true);
    const { sessionPage } = await (sessionCode ?? import('./session-page'));
    show(() => sessionPage(root, sessionId, me, { resume, fresh, watched }));
  } catch (err) {
    root.replaceChildren(h('main p-6', {}, h('div alert alert-error', { role: 'alert' }, `ccpty: ${(err as Error).message}`), h('a btn mt-4', { href: '/' }, 'All sessions')));
  }
}

void start();
