/**
 * One session in the browser: the terminal at the session's one size, its state, the approval
 * panel, what ended it, a keys bar and a compose box for phones, reconnection, notifications,
 * sharing and settings. Only a person starts a stopped session here (Resume); keys typed while
 * it is not running, and the terminal's own automatic replies, are never sent.
 */
import type { ServerMessage } from '../shared/protocol';
import type { SessionInfo } from '../shared/session-info';
import type { SessionStateName } from '../shared/state';
import { api, ApiError, type Whoami } from './api';
import { ApprovalPanel } from './approval';
import { Disposer, type Disposable } from './disposer';
import { copy, h } from './dom';
import { EndedPanel } from './ended';
import { keybar, type KeyDef } from './keybar';
import { notify, setTitleState } from './notify';
import { fontSizeOf, loadPrefs, onPrefs } from './prefs';
import { settingsDialog } from './settings';
import { shareDialog } from './share-dialog';
import { SizePolicy } from './size-policy';
import { SessionSocket } from './socket';
import { StateBadge, type PageState } from './state-badge';
import { TerminalView } from './terminal';
import { applyPageTheme, terminalTheme } from './theme';
import { scrollPages } from './touch-scroll';
import { mountVoice } from './voice/voice';

export interface SessionPageOptions {
  /** The person asked to start it (Resume on the dashboard): one create_session on connect. */
  resume: boolean;
  /** The page has just created the session (its first run is starting). */
  fresh: boolean;
  /** Whether another viewer watched the session before this page connected. */
  watched: Promise<boolean>;
}

const LIVE: ReadonlySet<PageState> = new Set(['starting', 'running', 'idle', 'pending']);
/** More output than a bare reset (`ESC c`): the program has drawn something. */
const DRAWN_BYTES = 8;
/** The server stores an ended run's last lines within a few hundred ms of the exit. */
const ENDED_INFO_TRIES = 4;
const ENDED_INFO_RETRY_MS = 400;
/** A coarse pointer (a phone): focusing the terminal would open the on-screen keyboard. */
const touchFirst = (): boolean => window.matchMedia('(pointer: coarse)').matches;

export function sessionPage(root: HTMLElement, id: string, me: Whoami, opts: SessionPageOptions): Disposable {
  // Performance marks time an attach (page-start, connecting, terminal-ready, socket-open,
  // first-output, first-paint): see them in the browser's performance panel.
  performance.mark('ccpty:page-start');
  const page = new Disposer();
  const readOnly = me.role === 'view';
  const owner = me.role === 'owner';
  let prefs = loadPrefs();
  let state: PageState = 'connecting';
  let helloSeen = false;
  let resumeOnConnect = opts.resume && !readOnly;
  let info: SessionInfo | null = null;
  let drawn = false;
  let firstPaint: number | null = null;
  /** A run this page started (or saw start) has not been idle yet: the badge says "starting". */
  let launching = opts.fresh || resumeOnConnect;

  const badge = new StateBadge(page);
  const title = h('h1 truncate font-semibold text-base min-w-0', { 'data-testid': 'session-title' }, 'Session');
  const banner = h('div alert alert-warning rounded-none py-1 hidden', { role: 'status', 'data-testid': 'disconnected' }, 'Disconnected — reconnecting…');
  const termHost = h('div term-host absolute inset-0', { 'data-testid': 'terminal' });
  const toastBox = h('div toast toast-top toast-center z-50', { role: 'status', 'aria-live': 'polite' });
  const fitButton = h('button btn btn-xs btn-neutral absolute top-1 right-5 z-10 hidden opacity-90', { 'data-testid': 'fit', onclick: () => size.claim() }, 'Fit here');

  const socket = page.add(new SessionSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/${id}`, {
    open: () => {
      performance.mark('ccpty:socket-open');
      helloSeen = false;
      view.resetAcks();
      banner.classList.add('hidden');
      socket.send({ type: 'get_current_state' }); // a stopped session sends nothing by itself
      if (resumeOnConnect) {
        resumeOnConnect = false;
        void resume();
      }
      size.reconnected();
    },
    closed: () => {
      banner.classList.remove('hidden');
      setState('connecting');
    },
    output: (data) => {
      const bytes = typeof data === 'string' ? data.length : data.byteLength;
      view.write(data, helloSeen);
      if (!drawn && bytes > DRAWN_BYTES) {
        drawn = true;
        performance.mark('ccpty:first-output');
        ended.setStarting(false);
        view.term.write('', () => requestAnimationFrame(() => {
          firstPaint ??= performance.now();
          performance.mark('ccpty:first-paint');
        }));
      }
    },
    message: (m) => onMessage(m),
  }));
  // Connect first: the handshake runs while the terminal is built (its events come after this
  // function has returned, when everything they use exists).
  socket.connect();
  performance.mark('ccpty:connecting');

  const compose = h('textarea textarea textarea-bordered flex-1 min-h-11 h-11 text-base', {
    placeholder: 'Message Claude…',
    title: 'Enter sends, Shift+Enter starts a new line',
    'aria-label': 'Message to Claude',
    rows: 1,
    autocapitalize: 'sentences',
    'data-testid': 'compose',
  });

  // Voice (src/web/voice): talk to Claude and hear it answer; not for view-only links.
  const voice = readOnly ? null : page.add(mountVoice(id, {
    send: (m) => socket.send(m),
    compose: (text) => {
      compose.value = compose.value.trim() ? `${compose.value.trim()} ${text}` : text;
      compose.focus();
    },
  }));

  const view = page.add(new TerminalView(termHost, {
    readOnly,
    theme: terminalTheme(prefs, me.terminal_theme ?? null),
    fontSize: fontSizeOf(prefs),
    screenReader: prefs.screenReader,
    onInput: (data, auto) => sendKeys(data, auto),
    onParsed: (bytes) => socket.send({ type: 'ack', bytes }),
    onSpace: () => size.space(),
    onKey: (e) => terminalKey(e),
    send: (keys) => sendKeys(keys, true),
  }));

  performance.mark('ccpty:terminal-ready');
  const size = new SizePolicy(view, (s) => socket.send({ type: 'resize', cols: s.cols, rows: s.rows }), readOnly, () => {
    fitButton.classList.toggle('hidden', readOnly || size.isDriving || view.fitsWindow);
    if (view.ptySize) fitButton.textContent = `${view.ptySize.cols}×${view.ptySize.rows} · Fit here`;
  });
  page.defer(() => size.dispose());

  const panel = new ApprovalPanel(page, {
    select: (index) => socket.send({ type: 'select', index }),
    cancel: () => socket.send({ type: 'cancel' }),
    refocus: () => {
      if (!touchFirst()) view.focus();
    },
  }, readOnly);

  const ended = new EndedPanel(() => void resume(), readOnly, owner ? '/' : null);

  /** Keys for the program: sent only while it runs; a person's keys to an ended session point at Resume. */
  function sendKeys(data: string, auto: boolean): void {
    if (readOnly) return;
    if (socket.connected && LIVE.has(state)) {
      socket.sendBytes(data);
      if (!auto) size.claim();
      return;
    }
    if (auto) return; // never let the terminal's own answers start a stopped session
    if (state === 'ended') ended.nudge();
    else toast('Not connected: that key was not sent');
  }

  async function resume(): Promise<void> {
    if (readOnly) return;
    // A session deleted meanwhile (on the dashboard, in another tab) is not made again here.
    const known = await api.info(id).then(() => true, (err: unknown) => !(err instanceof ApiError && err.status === 404));
    if (!known) {
      setState('ended');
      return ended.missing();
    }
    drawn = false;
    launching = true;
    ended.hide();
    ended.setStarting(true);
    socket.send({ type: 'create_session' });
    size.claim();
  }

  /** Keys the page takes before the program: the dialog's shortcuts, and ways out of the terminal. */
  function terminalKey(e: KeyboardEvent): boolean {
    if (panel.handleKey(e)) return false;
    if (e.type !== 'keydown') return true;
    if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey && panel.visible) {
      // In Claude Code's dialog Tab means "amend": while a dialog waits, Tab goes to its buttons.
      e.preventDefault();
      panel.focusFirst();
      return false;
    }
    if (e.key === 'F6' || (e.ctrlKey && e.key === ']')) {
      // Tab belongs to Claude Code; these leave the terminal (Shift: backwards).
      e.preventDefault();
      focusBeside(view.term.textarea ?? null, e.shiftKey ? -1 : 1);
      return false;
    }
    return true;
  }

  function setState(next: PageState): void {
    const was = state;
    state = next;
    badge.set(next);
    setTitleState(next === 'pending' ? 'waiting for you' : next === 'connecting' ? 'offline' : next);
    if (next === 'pending' && was !== 'pending') notify('Claude needs your permission', panel.element.dataset.tool ?? 'A tool is waiting');
    if (next === 'idle' && (was === 'running' || was === 'pending')) notify('Claude finished', 'The turn is done');
    if (next !== 'pending') panel.hide();
    if (LIVE.has(next)) ended.hide();
    if (next === 'idle' || next === 'pending' || next === 'ended') ended.setStarting(false);
    if (next === 'idle' && was !== 'idle') void refreshInfo();
  }

  function onMessage(m: ServerMessage): void {
    voice?.onMessage(m);
    switch (m.type) {
      case 'hello':
        helloSeen = true;
        return;
      case 'session_size':
        return size.announced({ cols: m.cols, rows: m.rows });
      case 'session_running':
        if (!drawn) ended.setStarting(true);
        return setState(launching ? 'starting' : 'running');
      case 'session_idle':
        launching = false;
        return setState('idle');
      case 'session_ended':
        launching = false;
        setState('ended');
        ended.show({ code: m.exit_code, signal: m.exit_signal }, info);
        void endedInfo({ code: m.exit_code, signal: m.exit_signal });
        return;
      case 'session_pending':
        panel.show(m);
        return setState('pending');
      case 'session_error':
        toast(m.error_message ?? m.error_code);
        if (m.error_code === 'session_not_found') {
          setState('ended');
          ended.missing();
        }
        if (m.error_code === 'restart_blocked' || (m.error_code === 'limit_exceeded' && !LIVE.has(state))) ended.setStarting(false);
        return;
      default:
        return;
    }
  }

  /**
   * Why it ended and its last lines come from the server, which reads the final screen just
   * after the exit: asked again a few times until they are there.
   */
  async function endedInfo(exit: { code?: number | null; signal?: string | null }): Promise<void> {
    for (let i = 0; i < ENDED_INFO_TRIES; i++) {
      await refreshInfo();
      if (state !== 'ended' || page.disposed) return;
      ended.show(exit, info);
      if (info?.exit_tail) return;
      await new Promise((r) => window.setTimeout(r, ENDED_INFO_RETRY_MS));
    }
  }

  async function refreshInfo(): Promise<void> {
    try {
      info = await api.info(id);
    } catch {
      return;
    }
    if (page.disposed) return;
    const name = info.title ?? info.first_prompt ?? 'New session';
    title.textContent = name;
    title.title = name;
    document.title = `${name} — ccpty`;
  }

  const sendCompose = (): void => {
    const text = compose.value;
    if (!text.trim()) return;
    if (!socket.connected || !LIVE.has(state)) {
      toast(state === 'ended' ? 'The session has ended: Resume it first' : 'Not connected: not sent');
      return;
    }
    socket.send({ type: 'input', input: text });
    compose.value = '';
    size.claim();
    askNotifyPermission();
  };
  compose.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      sendCompose();
    }
  });
  compose.addEventListener('focus', () => size.claim());

  function pressKey(k: KeyDef): void {
    if (k.send === 'scroll-up' || k.send === 'scroll-down') return scrollPages(view.term, k.send === 'scroll-up' ? -1 : 1, (keys) => sendKeys(keys, true));
    sendKeys(k.send, false);
  }

  function toast(text: string): void {
    const t = h('div alert alert-error text-sm', {}, text);
    toastBox.append(t);
    page.timeout(() => t.remove(), 4000);
  }

  const copyBtn = h('button btn btn-xs btn-ghost', { 'data-testid': 'copy-id', 'aria-label': 'Copy the session id', onclick: async () => {
    copyBtn.textContent = (await copy(id)) ? 'copied' : 'copy failed';
    page.timeout(() => (copyBtn.textContent = 'copy'), 1500);
  } }, 'copy');

  const header = h('header navbar min-h-12 px-2 gap-2 border-b border-base-300 flex-nowrap', {},
    owner ? h('a btn btn-sm btn-ghost', { href: '/', 'data-testid': 'sessions-link', 'aria-label': 'All sessions' }, '‹ Sessions') : h('span font-bold px-1', {}, 'ccpty'),
    title,
    badge.element,
    readOnly ? h('span badge badge-outline', { 'data-testid': 'view-only' }, 'view only') : null,
    h('div flex-1'),
    owner ? h('button btn btn-sm', { onclick: () => shareDialog(id, page), 'data-testid': 'share' }, 'Share') : null,
    h('button btn btn-sm btn-ghost', { onclick: () => settingsDialog(page, true), 'data-testid': 'settings' }, 'Settings'),
  );

  const main = h('main relative flex-1 min-h-0 overflow-hidden', { 'aria-label': 'Terminal' },
    termHost, ended.startingElement, fitButton, panel.element, ended.element);
  main.addEventListener('click', (e) => {
    if (termHost.contains(e.target as Node)) size.claim(); // clicking the terminal takes the size
  });

  root.replaceChildren(h('div flex flex-col h-full', {},
    header,
    banner,
    main,
    readOnly ? null : keybar(pressKey),
    readOnly ? null : h('div flex gap-2 p-2 border-t border-base-300', { role: 'form', 'aria-label': 'Compose a message' }, compose, h('button btn btn-primary min-h-11', { onclick: sendCompose }, 'Send')),
    h('footer flex flex-wrap items-center gap-x-2 gap-y-1 px-2 py-1 text-base-content/70 border-t border-base-300', {}, h('span text-xs', {}, 'session'), h('code truncate text-xs', { 'data-testid': 'session-id' }, id), copyBtn, voice?.element),
    toastBox,
  ));
  page.add({ dispose: onPrefs((p) => {
    prefs = p;
    applyPageTheme(p.pageTheme);
    view.setTheme(terminalTheme(p, me.terminal_theme ?? null));
    view.setFontSize(fontSizeOf(p));
    view.setScreenReader(p.screenReader);
    size.space();
  }) });

  // A handle for people debugging in the console, and for the browser tests: the WebGL
  // renderer draws on a canvas, so the screen's text is not in the DOM.
  (window as unknown as { ccpty: object }).ccpty = {
    id,
    text: () => view.text(),
    screen: () => view.screenLines(),
    state: () => state,
    size: () => ({ cols: view.term.cols, rows: view.term.rows }),
    pty: () => view.ptySize,
    driving: () => size.isDriving,
    scale: () => view.scale,
    firstPaint: () => firstPaint,
    scroll: () => ({ viewportY: view.term.buffer.active.viewportY, baseY: view.term.buffer.active.baseY }),
    /** Writes into this page's terminal only, as if the program had printed it (it may answer queries). */
    feed: (text: string) => view.write(text, false),
  };
  void refreshInfo();
  // A session this page made, or one nobody else watches: this viewer sizes it to its window.
  void opts.watched.then((watched) => {
    if (!page.disposed && (opts.fresh || !watched)) size.claim();
  });
  if (!readOnly && !touchFirst()) view.focus();
  page.listen(document, 'visibilitychange', () => {
    if (!document.hidden) socket.nudge();
  });
  page.listen(window, 'online', () => socket.nudge());
  // The dialog's keys work wherever the focus is (the terminal and the panel handle their own;
  // in a text field only Esc, so the next prompt can still be typed there).
  page.listen(document, 'keydown', (e) => {
    const t = e.target instanceof HTMLElement ? e.target : null;
    if (!panel.visible || e.defaultPrevented || (t && (termHost.contains(t) || panel.element.contains(t) || t.closest('dialog')))) return;
    const typing = t instanceof HTMLTextAreaElement || t instanceof HTMLInputElement || t instanceof HTMLSelectElement;
    if (typing && e.key !== 'Escape') return;
    if (panel.handleKey(e)) e.preventDefault();
  });
  return page;
}

/** Moves the focus to the next (or previous) control in document order after `from`. */
function focusBeside(from: Element | null, dir: 1 | -1): void {
  const all = [...document.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])')].filter((el) => el.offsetParent !== null || el === from);
  const i = from ? all.indexOf(from as HTMLElement) : -1;
  all[(i + dir + all.length) % all.length]?.focus();
}

function askNotifyPermission(): void {
  if ('Notification' in window && Notification.permission === 'default') void Notification.requestPermission();
}
