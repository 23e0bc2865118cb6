import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sessionError, type ServerMessage, type SessionErrorMessage } from '../../shared/protocol.js';
import type { SessionStateName } from '../../shared/state.js';
import { execute, newCaller, type Caller, viewMaySend, writeKeysNow, type Command, type CommandResult, type CommandTarget, type ProtocolVariant, type Role, type SessionDirectory } from './commands.js';
import type { SubmitOutcome } from '../state/tracker.js';
import type { SelectOutcome } from './session.js';

const ID = 'sess-1';

/** Every call on the fakes, in order, as [who.what, ...args]. */
type Call = [string, ...unknown[]];

class FakeTarget implements CommandTarget {
  readonly id: string;
  state: SessionStateName;
  isRunning: boolean;
  isReady: boolean;
  restartBlocked = false;
  inputBacklogged = false;
  /** Resolves inputWritable (set per test to hold input as a program that does not read would). */
  writable: Promise<void> = Promise.resolve();
  confirmResult = true;
  selectResult: SelectOutcome = { ok: true };
  /** What submit() reports; `becomes` is the state the session is in once it has (a dialog came up). */
  submitResult: SubmitOutcome = { ok: true };
  submitBecomes: SessionStateName | null = null;
  /** Resolves whenReady (set per test to control when a starting session is ready). */
  private readyResolvers: Array<(ready: boolean) => void> = [];

  constructor(
    private readonly calls: Call[],
    state: SessionStateName,
    id = ID,
  ) {
    this.id = id;
    this.state = state;
    this.isRunning = state !== 'stopped';
    this.isReady = state !== 'stopped' && state !== 'starting';
  }

  inputWritable(): Promise<void> {
    return this.writable;
  }

  whenReady(): Promise<boolean> {
    this.calls.push(['s.whenReady']);
    return new Promise((resolve) => this.readyResolvers.push(resolve));
  }

  /** The run settled (Session: its first idle). */
  becomeReady(state: SessionStateName = 'idle'): void {
    this.state = state;
    this.isReady = true;
    for (const r of this.readyResolvers.splice(0)) r(true);
  }

  exitBeforeReady(): void {
    this.state = 'stopped';
    this.isRunning = false;
    for (const r of this.readyResolvers.splice(0)) r(false);
  }

  stateMessage(): ServerMessage {
    return { type: 'session_idle', session_id: `${this.id}:${this.state}` };
  }

  async currentState(): Promise<ServerMessage> {
    this.calls.push(['s.currentState']);
    await new Promise((r) => setImmediate(r)); // Session waits (briefly) for a dialog on its way
    return { type: 'session_running', session_id: `${this.id}:${this.state}`, prompt: 'asked' };
  }

  write(data: string | Buffer): void {
    this.calls.push(['s.write', data]);
  }

  async submit(text: string): Promise<SubmitOutcome> {
    this.calls.push(['s.submit', text]);
    if (this.submitBecomes) this.state = this.submitBecomes;
    return this.submitResult;
  }

  /** What pressEnter() reports (false: a dialog is up or coming, nothing pressed). */
  enterResult = true;

  async pressEnter(): Promise<boolean> {
    this.calls.push(['s.pressEnter']);
    return this.enterResult;
  }

  cancel(): void {
    this.calls.push(['s.cancel']);
  }

  async confirm(): Promise<boolean> {
    this.calls.push(['s.confirm']);
    return this.confirmResult;
  }

  async select(index: number): Promise<SelectOutcome> {
    this.calls.push(['s.select', index]);
    return this.selectResult;
  }

  resize(cols: number, rows: number): void {
    this.calls.push(['s.resize', cols, rows]);
  }
}

/** A registry of one known session (or none), with a running-sessions limit. */
class FakeDirectory implements SessionDirectory<FakeTarget> {
  readonly calls: Call[] = [];
  session: FakeTarget | undefined;
  /** Whether the running-sessions limit is reached (open/start of a stopped one refused). */
  full = false;

  constructor(state: SessionStateName | null) {
    this.session = state === null ? undefined : new FakeTarget(this.calls, state);
  }

  private limitError(id: string): SessionErrorMessage {
    return sessionError(id, 'limit_exceeded', { error_message: 'too many running sessions' });
  }

  info(id: string): unknown {
    return this.session?.id === id ? { id } : undefined;
  }

  get(id: string): FakeTarget | undefined {
    return this.session?.id === id ? this.session : undefined;
  }

  open(id: string): { ok: true; session: FakeTarget } | { ok: false; error: SessionErrorMessage } {
    this.calls.push(['dir.open', id]);
    if (this.full && !this.session?.isRunning) return { ok: false, error: this.limitError(id) };
    if (!this.session) {
      this.calls.push(['dir.insert', id]);
      this.session = new FakeTarget(this.calls, 'stopped', id);
    }
    this.start(this.session);
    return { ok: true, session: this.session };
  }

  start(session: FakeTarget): { ok: true } | { ok: false; error: SessionErrorMessage } {
    if (session.isRunning) return { ok: true };
    if (this.full) return { ok: false, error: this.limitError(session.id) };
    this.calls.push(['dir.start', session.id]);
    session.state = 'starting';
    session.isRunning = true;
    session.isReady = false;
    return { ok: true };
  }
}

interface Setup {
  dir: FakeDirectory;
  s: FakeTarget;
  calls: Call[];
  watched: string[];
  caller: Caller<FakeTarget>;
}

function setup(state: SessionStateName | null, role: Role = 'owner', variant: ProtocolVariant = 'ccpty', watchResult: boolean | null = true): Setup {
  const dir = new FakeDirectory(state);
  const watched: string[] = [];
  const watch = watchResult === null ? undefined : (s: FakeTarget): boolean => {
    watched.push(s.id);
    return watchResult;
  };
  const caller = newCaller<FakeTarget>(role, variant, watch);
  return { dir, s: dir.session as FakeTarget, calls: dir.calls, watched, caller };
}

function run(x: Setup, msg: Command, id = ID): Promise<CommandResult> {
  return execute(x.dir, x.caller, id, msg);
}

/** Resolves once `cond` holds, flushing the event loop between checks (bounded). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`timed out waiting for: ${what}`);
}

function refusedFor(state: SessionStateName, input: string): (r: CommandResult) => void {
  return (r) => {
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.type, 'session_error');
    assert.equal(r.error.session_id, ID);
    assert.equal(r.error.error_code, 'invalid_input_for_state');
    assert.equal(r.error.error_state, state);
    assert.equal(r.error.error_input, input);
  };
}

const ACTING: Command[] = [
  { type: 'create_session' },
  { type: 'input', input: 'rm -rf /' },
  { type: 'bytes_input', input: [3] },
  { type: 'cancel' },
  { type: 'confirm' },
  { type: 'select', index: 0 },
  { type: 'resize', cols: 80, rows: 24 },
];

for (const msg of ACTING) {
  test(`execute: a view-only caller is refused "${msg.type}" (forbidden), nothing touched`, async () => {
    const x = setup('pending', 'view');
    const r = await run(x, msg);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.error_code, 'forbidden');
      assert.equal(r.error.session_id, ID);
      assert.match(r.error.error_message ?? '', new RegExp(`"${msg.type}" refused`));
    }
    assert.deepEqual(x.calls, []);
    assert.deepEqual(x.watched, []);
  });
}

test('execute: a view-only caller may ask get_current_state', async () => {
  const x = setup('running', 'view');
  assert.deepEqual(await run(x, { type: 'get_current_state' }), { ok: true, reply: { type: 'session_running', session_id: `${ID}:running`, prompt: 'asked' } });
  assert.deepEqual(x.calls, [['s.currentState']]);
});

test('execute: get_current_state answers with currentState() (which may wait for a dialog), not stateMessage()', async () => {
  for (const state of ['starting', 'running', 'idle', 'pending', 'stopped'] as const) {
    const x = setup(state);
    assert.deepEqual(await run(x, { type: 'get_current_state' }), { ok: true, reply: { type: 'session_running', session_id: `${ID}:${state}`, prompt: 'asked' } }, state);
    assert.deepEqual(x.calls, [['s.currentState']], `${state}: asked, nothing started or typed`);
  }
});

test('viewMaySend: housekeeping and get_current_state only', () => {
  for (const t of ['hello', 'ack', 'ping', 'get_current_state', null]) assert.equal(viewMaySend(t), true, String(t));
  for (const t of ['create_session', 'input', 'bytes_input', 'cancel', 'confirm', 'select', 'resize', 'bogus']) assert.equal(viewMaySend(t), false, t);
});

test('execute: get_current_state of an unknown id → session_not_found', async () => {
  const x = setup('idle');
  const r = await run(x, { type: 'get_current_state' }, 'other-id');
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.error_code, 'session_not_found');
    assert.equal(r.error.session_id, 'other-id');
  }
  const none = setup(null);
  const r2 = await run(none, { type: 'get_current_state' });
  assert.equal(r2.ok, false);
  if (!r2.ok) assert.equal(r2.error.error_code, 'session_not_found');
});

test('execute: an action on an unknown id → session_not_found, nothing started', async () => {
  const x = setup(null);
  for (const msg of ACTING.filter((m) => m.type !== 'create_session')) {
    const r = await run(x, msg);
    assert.equal(r.ok, false, msg.type);
    if (!r.ok) assert.equal(r.error.error_code, 'session_not_found', msg.type);
  }
  assert.deepEqual(x.calls, []);
});

test('execute: create_session over the running limit → limit_exceeded, nothing recorded or started', async () => {
  const x = setup(null);
  x.dir.full = true;
  const r = await run(x, { type: 'create_session' });
  assert.deepEqual(r, { ok: false, error: sessionError(ID, 'limit_exceeded', { error_message: 'too many running sessions' }) });
  assert.deepEqual(x.calls, [['dir.open', ID]]);
  assert.equal(x.dir.session, undefined);
  assert.deepEqual(x.watched, []);
});

test('execute: create_session, first time watching → ok without a reply (the join sends the state)', async () => {
  const x = setup(null, 'owner', 'ccpty', true);
  assert.deepEqual(await run(x, { type: 'create_session' }), { ok: true });
  assert.deepEqual(x.calls, [['dir.open', ID], ['dir.insert', ID], ['dir.start', ID]]);
  assert.deepEqual(x.watched, [ID]);
});

test('execute: create_session while already watching → the state as the reply', async () => {
  const x = setup('idle', 'owner', 'ccpty', false);
  assert.deepEqual(await run(x, { type: 'create_session' }), { ok: true, reply: { type: 'session_idle', session_id: `${ID}:idle` } });
  assert.deepEqual(x.calls, [['dir.open', ID]]);
  assert.deepEqual(x.watched, [ID]);
});

test('execute: create_session from a caller that cannot watch (REST) → ok, no reply', async () => {
  const x = setup('idle', 'owner', 'ccpty', null);
  assert.deepEqual(await run(x, { type: 'create_session' }), { ok: true });
});

test('execute: input to a stopped session starts it, waits until it is ready, then submits the exact text', async () => {
  const x = setup('stopped');
  const text = 'line one\nline "two" ✓';
  const done = run(x, { type: 'input', input: text });
  await until(() => x.calls.some((c) => c[0] === 's.whenReady'), 'whenReady');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(x.calls, [['dir.start', ID], ['s.whenReady']], 'nothing typed before the session is ready');
  assert.deepEqual(x.watched, [ID], 'the caller watches from the start');
  x.s.becomeReady('idle');
  assert.deepEqual(await done, { ok: true });
  assert.deepEqual(x.calls, [['dir.start', ID], ['s.whenReady'], ['s.submit', text]]);
});

test('execute: input to a stopped session over the limit → limit_exceeded, nothing typed', async () => {
  const x = setup('stopped');
  x.dir.full = true;
  const r = await run(x, { type: 'input', input: 'hi' });
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.error_code, 'limit_exceeded');
  assert.deepEqual(x.calls, []);
  assert.deepEqual(x.watched, []);
});

test('execute: input or keys to a session that crashed at start twice → restart_blocked, not started; create_session starts it', async () => {
  for (const msg of [{ type: 'input', input: 'hi' }, { type: 'bytes_input', input: 'x' }] as Command[]) {
    const x = setup('stopped');
    x.s.restartBlocked = true;
    const r = await run(x, msg);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.error_code, 'restart_blocked');
    assert.deepEqual(x.calls, [], 'nothing started, nothing typed');
    assert.deepEqual(x.watched, []);
    assert.deepEqual(await run(x, { type: 'create_session' }), { ok: true });
    assert.deepEqual(x.calls, [['dir.open', ID], ['dir.start', ID]]);
  }
});

test("execute: a terminal's automatic replies to a stopped session start nothing (absorbed); typed keys do", async () => {
  for (const input of ['\x1b[I', '\x1b]11;rgb:1d1d/2323/2a2a\x1b\\\x1b[?1;2c', [27, 91, 79]]) {
    const x = setup('stopped');
    const r = await run(x, { type: 'bytes_input', input } as Command);
    assert.equal(r.ok, true);
    if (r.ok) assert.match(r.absorbed ?? '', /automatic reply/);
    assert.deepEqual(x.calls, [], 'not started');
  }
  const x = setup('stopped');
  const done = run(x, { type: 'bytes_input', input: 'y' });
  await until(() => x.calls.some((c) => c[0] === 's.whenReady'), 'whenReady');
  assert.deepEqual(x.calls[0], ['dir.start', ID], 'a typed key starts it');
  x.s.becomeReady('idle');
  await done;
});

test('execute: input to a session that exits before it is ready → internal_error, nothing typed', async () => {
  const x = setup('stopped');
  const done = run(x, { type: 'input', input: 'hi' });
  await until(() => x.calls.some((c) => c[0] === 's.whenReady'), 'whenReady');
  x.s.exitBeforeReady();
  const r = await done;
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.error_code, 'internal_error');
  assert.deepEqual(x.calls, [['dir.start', ID], ['s.whenReady']]);
});

test('execute: input in idle or running submits at once', async () => {
  for (const state of ['idle', 'running'] as const) {
    const x = setup(state);
    assert.deepEqual(await run(x, { type: 'input', input: `in ${state}` }), { ok: true });
    assert.deepEqual(x.calls, [['s.submit', `in ${state}`]]);
  }
});

test('execute: input while pending → invalid_input_for_state (pending, input), nothing typed', async () => {
  const x = setup('pending');
  const r = await run(x, { type: 'input', input: 'yes' });
  refusedFor('pending', 'input')(r);
  assert.deepEqual(x.calls, []);
});

test('execute: input while a dialog comes up during submit ("dialog") → invalid_input_for_state, nothing pressed', async () => {
  const x = setup('running');
  x.s.submitResult = { ok: false, reason: 'dialog' };
  x.s.submitBecomes = 'pending';
  const r = await run(x, { type: 'input', input: 'yes' });
  refusedFor('pending', 'input')(r);
  assert.deepEqual(x.calls, [['s.submit', 'yes']]);
});

test('execute: input typed but not submitted ("not_submitted") → internal_error saying so, never ok', async () => {
  const x = setup('idle');
  x.s.submitResult = { ok: false, reason: 'not_submitted' };
  const r = await run(x, { type: 'input', input: 'hello' });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.error_code, 'internal_error');
    assert.equal(r.error.session_id, ID);
    assert.match(r.error.error_message ?? '', /not submitted/);
  }
  assert.deepEqual(x.calls, [['s.submit', 'hello']]);
});

test('execute: the session exits while the input is typed ("exited") → internal_error', async () => {
  const x = setup('running');
  x.s.submitResult = { ok: false, reason: 'exited' };
  const r = await run(x, { type: 'input', input: 'hello' });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.error_code, 'internal_error');
    assert.match(r.error.error_message ?? '', /exited/);
  }
});

test('execute: bytes_input is written as given in any state, even pending (the terminal keyboard)', async () => {
  const x = setup('pending');
  assert.deepEqual(await run(x, { type: 'bytes_input', input: [0x31, 0x0d] }), { ok: true });
  assert.deepEqual(await run(x, { type: 'bytes_input', input: 'abc' }), { ok: true });
  assert.equal(x.calls.length, 2);
  assert.deepEqual(x.calls[0], ['s.write', Buffer.from([0x31, 0x0d])]);
  assert.deepEqual(x.calls[1], ['s.write', 'abc']);
});

test('execute (echokit): input submits the text like any other caller', async () => {
  const x = setup('idle', 'owner', 'echokit-state');
  assert.deepEqual(await run(x, { type: 'input', input: 'hello' }), { ok: true });
  assert.deepEqual(x.calls, [['s.submit', 'hello']]);
});

for (const variant of ['echokit-state', 'ccpty'] as const) {
  test(`execute (${variant}): a confirm within 2 s of an input belongs to it: absorbed, nothing pressed, never a dialog answer`, async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 5_000_000 });
    const x = setup('pending', 'owner', variant);
    refusedFor('pending', 'input')(await run(x, { type: 'input', input: 'what now?' }));
    t.mock.timers.tick(300); // the EchoKit server's follow-up confirm
    const r = await run(x, { type: 'confirm' });
    assert.equal(r.ok, true);
    if (r.ok) assert.ok(r.absorbed, 'absorbed, with a reason for the log');
    t.mock.timers.tick(1699); // 1999 ms after the input: still its confirm
    const again = await run(x, { type: 'confirm' });
    assert.equal(again.ok && again.absorbed !== undefined, true);
    assert.deepEqual(x.calls, [], 'neither confirm nor pressEnter');
    t.mock.timers.tick(1); // 2 s on: a confirm of its own
    assert.deepEqual(await run(x, { type: 'confirm' }), { ok: true });
    assert.deepEqual(x.calls, [['s.confirm']]);
  });
}

test('execute: the 2 s after an input count from its submission (a slow submit does not shorten them)', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 5_000_000 });
  const x = setup('idle', 'owner', 'echokit-state');
  const slow = x.s.submit.bind(x.s);
  x.s.submit = async (text) => {
    t.mock.timers.tick(1500); // typing, waiting for the echo, the hook
    return slow(text);
  };
  assert.deepEqual(await run(x, { type: 'input', input: 'hi' }), { ok: true });
  t.mock.timers.tick(1000); // 2.5 s after the input was sent, 1 s after it was submitted
  const r = await run(x, { type: 'confirm' });
  assert.equal(r.ok && r.absorbed !== undefined, true, 'still the input\'s confirm');
  assert.deepEqual(x.calls, [['s.submit', 'hi']]);
});

test('execute: a confirm from another caller is not absorbed by this caller\'s input', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 5_000_000 });
  const x = setup('pending');
  refusedFor('pending', 'input')(await run(x, { type: 'input', input: 'x' }));
  const other = newCaller<FakeTarget>('owner', 'echokit-state');
  assert.deepEqual(await execute(x.dir, other, ID, { type: 'confirm' }), { ok: true });
  assert.deepEqual(x.calls, [['s.confirm']]);
});

test('execute: confirm in idle or running presses Enter (submits what bytes typed); refused if a dialog came up', async () => {
  for (const state of ['idle', 'running'] as const) {
    const x = setup(state);
    assert.deepEqual(await run(x, { type: 'confirm' }), { ok: true }, state);
    assert.deepEqual(x.calls, [['s.pressEnter']], state);
    x.s.enterResult = false;
    refusedFor(state, 'confirm')(await run(x, { type: 'confirm' }));
  }
});

test('execute: confirm while starting or stopped → invalid_input_for_state, nothing pressed, nothing started', async () => {
  for (const state of ['starting', 'stopped'] as const) {
    const x = setup(state);
    refusedFor(state, 'confirm')(await run(x, { type: 'confirm' }));
    assert.deepEqual(x.calls, [], state);
  }
});

test('execute: confirm while pending → confirm(); not taken → internal_error', async () => {
  const x = setup('pending');
  assert.deepEqual(await run(x, { type: 'confirm' }), { ok: true });
  x.s.confirmResult = false;
  const r = await run(x, { type: 'confirm' });
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.error_code, 'internal_error');
  assert.deepEqual(x.calls, [['s.confirm'], ['s.confirm']]);
});

test('execute: select passes the index; an option out of range → invalid_input naming the count', async () => {
  const x = setup('pending');
  assert.deepEqual(await run(x, { type: 'select', index: 2 }), { ok: true });
  x.s.selectResult = { ok: false, reason: 'no_such_option', count: 4 };
  const r = await run(x, { type: 'select', index: 7 });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.error_code, 'invalid_input');
    assert.match(r.error.error_message ?? '', /option 7 does not exist/);
    assert.match(r.error.error_message ?? '', /shows 4 option\(s\)/);
  }
  assert.deepEqual(x.calls, [['s.select', 2], ['s.select', 7]]);
});

test('execute: select not taken by the dialog → internal_error', async () => {
  const x = setup('pending');
  x.s.selectResult = { ok: false, reason: 'not_taken' };
  const r = await run(x, { type: 'select', index: 0 });
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.error_code, 'internal_error');
});

test('execute: select outside pending → invalid_input_for_state, nothing pressed', async () => {
  for (const state of ['idle', 'running'] as const) {
    const x = setup(state);
    refusedFor(state, 'select')(await run(x, { type: 'select', index: 0 }));
    assert.deepEqual(x.calls, []);
  }
});

test('execute: cancel in idle is refused (a second Esc opens the rewind menu); accepted while running or pending', async () => {
  const idle = setup('idle');
  refusedFor('idle', 'cancel')(await run(idle, { type: 'cancel' }));
  assert.deepEqual(idle.calls, []);
  for (const state of ['running', 'pending', 'starting'] as const) {
    const x = setup(state);
    assert.deepEqual(await run(x, { type: 'cancel' }), { ok: true }, state);
    assert.deepEqual(x.calls, [['s.cancel']], state);
  }
});

test('execute: cancel of a stopped session is refused and does not start it', async () => {
  const x = setup('stopped');
  refusedFor('stopped', 'cancel')(await run(x, { type: 'cancel' }));
  assert.deepEqual(x.calls, []);
});

test('execute: resize passes through unchanged', async () => {
  const x = setup('running', 'control');
  assert.deepEqual(await run(x, { type: 'resize', cols: 132, rows: 43 }), { ok: true });
  assert.deepEqual(x.calls, [['s.resize', 132, 43]]);
});

test('writeKeysNow: false for a view-only caller, an unknown or not-ready session; nothing written', () => {
  const keys = Buffer.from('ls\r');
  const view = setup('idle', 'view');
  assert.equal(writeKeysNow(view.dir, view.caller, ID, keys), false);
  const unknown = setup(null);
  assert.equal(writeKeysNow(unknown.dir, unknown.caller, ID, keys), false);
  const starting = setup('starting');
  assert.equal(writeKeysNow(starting.dir, starting.caller, ID, keys), false);
  const stopped = setup('stopped');
  assert.equal(writeKeysNow(stopped.dir, stopped.caller, ID, keys), false);
  for (const x of [view, unknown, starting, stopped]) {
    assert.deepEqual(x.calls, []);
    assert.deepEqual(x.watched, []);
  }
});

test('writeKeysNow: a ready session takes the keys at once (and the caller watches it)', () => {
  const x = setup('pending', 'control');
  const keys = Buffer.from([0x1b]);
  assert.equal(writeKeysNow(x.dir, x.caller, ID, keys), true);
  assert.deepEqual(x.calls, [['s.write', keys]]);
  assert.deepEqual(x.watched, [ID]);
});

test('writeKeysNow: false while input waits for a program that does not read (the keys queue behind it instead)', () => {
  const x = setup('running', 'control');
  x.s.inputBacklogged = true;
  assert.equal(writeKeysNow(x.dir, x.caller, ID, Buffer.from('x')), false);
  assert.deepEqual(x.calls, []);
});

test('input and bytes_input are applied only once the program has taken them (backpressure to the caller)', async () => {
  for (const msg of [{ type: 'bytes_input', input: 'abc' }, { type: 'input', input: 'hello' }] as Command[]) {
    const x = setup('idle', 'control');
    let release!: () => void;
    x.s.writable = new Promise<void>((r) => (release = r));
    let done = false;
    const result = run(x, msg).then((r) => {
      done = true;
      return r;
    });
    await until(() => x.calls.length > 0, 'the input written');
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.equal(done, false, `${msg.type}: not applied while the program has not taken it`);
    release();
    assert.deepEqual(await result, { ok: true });
  }
});
