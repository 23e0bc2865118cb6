/** The web UI's entry: which page, for whom. `/` opens a new session (its id goes into the
 * address bar, so a reload or a bookmark returns to it); `/?id=<id>` opens that one. */
import './styles.css';
import { api } from './api';
import { h } from './dom';
import { sessionPage } from './session-page';
import { sessionsPage } from './sessions-page';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function start(): Promise<void> {
  const root = document.getElementById('app') as HTMLElement;
  try {
    const me = await api.whoami();
    if (location.pathname === '/sessions' && me.role === 'owner') return void (await sessionsPage(root));
    let id = new URLSearchParams(location.search).get('id');
    if (me.session_id) id = me.session_id; // a share link opens its own session only
    if (!id || !UUID.test(id)) {
      const created = await api.create();
      id = created.id;
    }
    history.replaceState(null, '', `/?id=${id.toLowerCase()}`);
    sessionPage(root, id.toLowerCase(), me);
  } catch (err) {
    root.replaceChildren(h('div p-6', {}, h('div alert alert-error', {}, `ccpty: ${(err as Error).message}`)));
  }
}

void start();
