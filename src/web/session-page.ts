/**
 * One session in the browser: the terminal, its state, approvals, a keys bar and a compose box
 * for phones, the session id, reconnection, notifications and sharing.
 */
import type { ServerMessage } from '../shared/protocol';
import type { SessionStateName } from '../shared/state';
import { api, type Whoami } from './api';
import { Disposer, type Disposable } from './disposer';
import { ago, copy, h } from './dom';
import { notify, setTitleState } from './notify';
import { SessionSocket } from './socket';
import { TerminalView } from './terminal';

/** The session's states plus the page's own: no socket yet (`connecting`), the process exited (`ended`). */
type State = SessionStateName | 'connecting' | 'ended';

const BADGE: Record<State, string> = {
  connecting: 'badge-ghost',
  starting: 'badge-info',
  running: 'badge-info',
  idle: 'badge-success',
  pending: 'badge-warning',
  stopped: 'badge-neutral',
  ended: 'badge-neutral',
};

const KEYS: ReadonlyArray<readonly [string, string]> = [
  ['Esc', '\x1b'],
  ['Tab', '\t'],
  ['^C', '\x03'],
  ['←', '\x1b[D'],
  ['↑', '\x1b[A'],
  ['↓', '\x1b[B'],
  ['→', '\x1b[C'],
  ['⏎', '\r'],
  ['/', '/'],
];

export function sessionPage(root: HTMLElement, id: string, me: Whoami): Disposable {
  const page = new Disposer();
  const readOnly = me.role === 'view';
  let state: State = 'connecting';
  let since = Date.now();
  let helloSeen = false;

  const badge = h('span badge badge-lg', { 'data-testid': 'state' }, 'connecting');
  const banner = h('div alert alert-warning rounded-none py-1 hidden', { role: 'status', 'data-testid': 'disconnected' }, 'Disconnected — reconnecting…');
  const panel = h('div hidden border-b border-base-300 bg-base-200 p-3 space-y-2', { 'data-testid': 'approval' });
  const termHost = h('div term-host flex-1');
  const idText = h('code truncate text-xs', { 'data-testid': 'session-id' }, id);

  const socket = page.add(new SessionSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/${id}`, {
    open: () => {
      helloSeen = false;
      view.resetAcks();
      banner.classList.add('hidden');
      if (!readOnly) socket.send({ type: 'create_session' });
      if (!readOnly) socket.send({ type: 'resize', cols: view.term.cols, rows: view.term.rows });
    },
    closed: () => {
      banner.classList.remove('hidden');
      setState('connecting');
    },
    output: (data) => view.write(data, helloSeen),
    message: (m) => onMessage(m),
  }));

  const view = page.add(new TerminalView(termHost, {
    readOnly,
    onInput: (d) => socket.sendBytes(d),
    onResize: (cols, rows) => {
      if (!readOnly) socket.send({ type: 'resize', cols, rows });
    },
    onParsed: (bytes) => socket.send({ type: 'ack', bytes }),
  }));

  function setState(next: State): void {
    if (next !== state) since = Date.now();
    const was = state;
    state = next;
    badge.className = `badge badge-lg ${BADGE[next]}`;
    renderBadge();
    setTitleState(next === 'pending' ? 'waiting for you' : next === 'connecting' ? 'offline' : next);
    if (next === 'pending') notify('Claude needs your permission', panel.dataset.tool ?? 'A tool is waiting');
    if (next === 'idle' && (was === 'running' || was === 'pending')) notify('Claude finished', 'The turn is done');
    if (next !== 'pending') panel.classList.add('hidden');
  }

  function renderBadge(): void {
    badge.textContent = state === 'connecting' ? 'connecting' : `${state} · ${ago(Date.now() - since)}`;
  }
  page.interval(renderBadge, 1000);

  function onMessage(m: ServerMessage): void {
    switch (m.type) {
      case 'hello':
        helloSeen = true;
        return;
      case 'session_running':
        return setState('running');
      case 'session_idle':
        return setState('idle');
      case 'session_ended':
        return setState('ended');
      case 'session_pending':
        showApproval(m.tool_name, m.tool_input, m.options);
        return setState('pending');
      case 'session_error':
        toast(m.error_message ?? m.error_code);
        return;
      default:
        return;
    }
  }

  function showApproval(tool: string, input: unknown, options: string[]): void {
    panel.dataset.tool = tool;
    const detail = describe(input);
    const buttons = options.map((label, index) =>
      h('button btn btn-lg justify-start text-left h-auto min-h-12 py-2', {
        class: index === 0 ? 'btn-primary' : /^No\b/.test(label) ? 'btn-error btn-outline' : 'btn-outline',
        disabled: readOnly,
        'data-option': index,
        onclick: () => socket.send({ type: 'select', index }),
      }, label),
    );
    panel.replaceChildren(
      h('div font-semibold', {}, `${tool || 'A tool'} wants to run`),
      h('pre bg-base-100 rounded p-2 text-sm overflow-auto max-h-48 whitespace-pre-wrap break-all', { 'data-testid': 'tool-input' }, detail),
      h('div grid gap-2 sm:grid-cols-2', {}, ...buttons,
        h('button btn btn-lg btn-ghost', { disabled: readOnly, onclick: () => socket.send({ type: 'cancel' }) }, 'Cancel')),
    );
    panel.classList.remove('hidden');
    view.refit();
  }

  const compose = h('textarea textarea textarea-bordered flex-1 min-h-11 h-11 text-base', {
    placeholder: 'Message Claude…',
    title: 'Enter sends, Shift+Enter starts a new line',
    rows: 1,
    autocapitalize: 'sentences',
    'data-testid': 'compose',
  });
  const sendCompose = (): void => {
    const text = compose.value;
    if (!text.trim()) return;
    socket.send({ type: 'input', input: text });
    compose.value = '';
    askNotifyPermission();
  };
  compose.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      sendCompose();
    }
  });

  const keybar = h('div keybar flex gap-1 overflow-x-auto px-2 py-1 border-t border-base-300', { 'data-testid': 'keybar' },
    ...KEYS.map(([label, seq]) => h('button btn btn-sm btn-ghost font-mono', { 'aria-label': label, onclick: (e: Event) => {
      e.preventDefault();
      socket.sendBytes(seq);
    } }, label)));

  const toastBox = h('div toast toast-top toast-center z-50');
  function toast(text: string): void {
    const t = h('div alert alert-error text-sm', {}, text);
    toastBox.append(t);
    page.timeout(() => t.remove(), 4000);
  }

  const copyBtn = h('button btn btn-xs btn-ghost', { 'data-testid': 'copy-id', onclick: async () => {
    copyBtn.textContent = (await copy(id)) ? 'copied' : 'copy failed';
    page.timeout(() => (copyBtn.textContent = 'copy'), 1500);
  } }, 'copy');

  const nav = h('div navbar min-h-12 px-2 gap-2 border-b border-base-300',
    {},
    h('a font-bold text-lg px-1', { href: me.role === 'owner' ? '/sessions' : '#' }, 'ccpty'),
    badge,
    readOnly ? h('span badge badge-outline', { 'data-testid': 'view-only' }, 'view only') : null,
    h('div flex-1'),
    me.role === 'owner' ? h('a btn btn-sm btn-ghost', { href: '/sessions', 'data-testid': 'sessions-link' }, 'Sessions') : null,
    me.role === 'owner' ? h('button btn btn-sm', { onclick: () => shareDialog(id, page), 'data-testid': 'share' }, 'Share') : null,
  );

  root.replaceChildren(h('div flex flex-col h-full', {},
    nav,
    banner,
    panel,
    termHost,
    readOnly ? null : keybar,
    readOnly ? null : h('div flex gap-2 p-2 border-t border-base-300', {}, compose, h('button btn btn-primary min-h-11', { onclick: sendCompose }, 'Send')),
    h('div flex items-center gap-2 px-2 py-1 text-base-content/70 border-t border-base-300', {}, h('span text-xs', {}, 'session'), idText, copyBtn),
    toastBox,
  ));
  view.refit();
  // A handle for people debugging in the console, and for the browser tests: the WebGL
  // renderer draws on a canvas, so the screen's text is not in the DOM.
  (window as unknown as { ccpty: object }).ccpty = { id, text: () => view.text(), state: () => state };
  socket.connect();
  if (!readOnly) view.focus();
  page.listen(document, 'visibilitychange', () => {
    if (!document.hidden) socket.nudge();
  });
  page.listen(window, 'online', () => socket.nudge());
  return page;
}

function describe(input: unknown): string {
  if (input && typeof input === 'object') {
    const o = input as Record<string, unknown>;
    if (typeof o.command === 'string') return o.command;
    if (typeof o.file_path === 'string' && typeof o.new_string === 'string') return `${o.file_path}\n- ${String(o.old_string ?? '')}\n+ ${o.new_string}`;
    if (typeof o.file_path === 'string') return o.file_path + (typeof o.content === 'string' ? `\n${o.content}` : '');
  }
  return JSON.stringify(input, null, 2);
}

function askNotifyPermission(): void {
  if ('Notification' in window && Notification.permission === 'default') void Notification.requestPermission();
}

function shareDialog(id: string, page: Disposer): void {
  const role = h('select select select-bordered w-full', { 'data-testid': 'share-role' }, h('option', { value: 'view' }, 'View only'), h('option', { value: 'control' }, 'Control'));
  const hours = h('select select select-bordered w-full', {}, h('option', { value: '3600' }, '1 hour'), h('option', { value: '86400', selected: true }, '1 day'), h('option', { value: '604800' }, '1 week'));
  const out = h('div space-y-2');
  const dialog = h('dialog modal', {},
    h('div modal-box space-y-3', {},
      h('h3 font-bold text-lg', {}, 'Share this session'),
      role,
      hours,
      h('button btn btn-primary w-full', { 'data-testid': 'share-create', onclick: async () => {
        try {
          const link = await api.share(id, role.value as 'view' | 'control', Number(hours.value));
          const input = h('input input input-bordered w-full', { readonly: true, value: link.url, 'data-testid': 'share-url' });
          out.replaceChildren(input, h('button btn w-full', { onclick: async (e: Event) => {
            (e.target as HTMLButtonElement).textContent = (await copy(link.url)) ? 'Copied' : 'Copy failed';
          } }, 'Copy link'));
        } catch (err) {
          out.replaceChildren(h('div alert alert-error', {}, (err as Error).message));
        }
      } }, 'Create link'),
      out,
      h('form modal-action', { method: 'dialog' }, h('button btn', {}, 'Close')),
    ),
  );
  document.body.append(dialog);
  dialog.addEventListener('close', () => dialog.remove());
  page.defer(() => dialog.remove()); // it lives outside the page's root
  dialog.showModal();
}
