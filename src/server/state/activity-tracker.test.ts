import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerMessage } from '../../shared/protocol.js';
import { next, type MachineState, type StateEvent } from '../../shared/state-machine.js';
import type { SessionStateName } from '../../shared/state.js';
import { ActivityTracker, QUIET_MS } from './activity-tracker.js';
import type { SubmitOutcome, TrackerHost } from './tracker.js';

/** A TrackerHost whose state moves like a Session's: through the real state machine. */
class FakeHost implements TrackerHost {
  machine: MachineState;
  bracketedPaste = false;
  readonly events: StateEvent['type'][] = [];
  readonly broadcasts: ServerMessage[] = [];
  readonly writes: string[] = [];
  /** [keys, Date.now() when written] */
  readonly stamps: Array<[string, number]> = [];
  lines: string[] = [];
  private outputWaiters: Array<() => void> = [];

  constructor(state: SessionStateName) {
    this.machine = { name: state, pending: null, seen: false, announced: false };
  }

  retell(): void {
    // an activity tracker tells no replies, so never needs to
  }

  nextOutput(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.outputWaiters = self.outputWaiters.filter((w) => w !== done);
        resolve();
      }
      this.outputWaiters.push(done);
    });
  }

  /** The program printed something (its echo). */
  output(): void {
    for (const w of this.outputWaiters.splice(0)) w();
  }

  dispatch(event: StateEvent): void {
    this.events.push(event.type);
    this.machine = next(this.machine, event);
  }

  broadcast(message: ServerMessage): void {
    this.broadcasts.push(message);
  }

  readScreenLines(cb: (lines: string[]) => void): void {
    const lines = this.lines.slice();
    setImmediate(() => cb(lines));
  }

  write(keys: string): void {
    this.writes.push(keys);
    this.stamps.push([keys, Date.now()]);
  }

  setPrompt(): boolean {
    return true;
  }
}

function setup(t: TestContext, state: SessionStateName = 'starting'): { host: FakeHost; tracker: ActivityTracker } {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  const host = new FakeHost(state);
  const tracker = new ActivityTracker(host);
  t.after(() => tracker.close());
  return { host, tracker };
}

test('ActivityTracker: a program that prints nothing is idle after exactly QUIET_MS', (t) => {
  const { host } = setup(t);
  t.mock.timers.tick(QUIET_MS - 1);
  assert.deepEqual(host.events, []);
  assert.equal(host.machine.name, 'starting');
  t.mock.timers.tick(1);
  assert.deepEqual(host.events, ['quiet']);
  assert.equal(host.machine.name, 'idle');
  t.mock.timers.tick(QUIET_MS * 10);
  assert.deepEqual(host.events, ['quiet'], 'quiet is reported once, not every QUIET_MS');
});

test('ActivityTracker: output while starting → output (running), then quiet → idle', (t) => {
  const { host, tracker } = setup(t);
  t.mock.timers.tick(100);
  tracker.onOutput();
  assert.deepEqual(host.events, ['output']);
  assert.equal(host.machine.name, 'running');
  // The quiet period counts from the last output, not from the start.
  t.mock.timers.tick(QUIET_MS - 1);
  assert.deepEqual(host.events, ['output']);
  t.mock.timers.tick(1);
  assert.deepEqual(host.events, ['output', 'quiet']);
  assert.equal(host.machine.name, 'idle');
});

test('ActivityTracker: output while idle → output again; output while running dispatches nothing more', (t) => {
  const { host, tracker } = setup(t, 'idle');
  tracker.onOutput();
  assert.deepEqual(host.events, ['output']);
  assert.equal(host.machine.name, 'running');
  tracker.onOutput();
  tracker.onOutput();
  assert.deepEqual(host.events, ['output'], 'no event for output while already running');
  t.mock.timers.tick(QUIET_MS);
  assert.deepEqual(host.events, ['output', 'quiet']);
  tracker.onOutput();
  assert.deepEqual(host.events, ['output', 'quiet', 'output']);
  assert.equal(host.machine.name, 'running');
});

test('ActivityTracker: a burst of output keeps it running until QUIET_MS after the last chunk', (t) => {
  const { host, tracker } = setup(t);
  tracker.onOutput();
  // A chunk every 100 ms for 3 s: never quiet for QUIET_MS.
  for (let i = 0; i < 30; i++) {
    t.mock.timers.tick(100);
    tracker.onOutput();
    assert.equal(host.machine.name, 'running', `idle during the burst (chunk ${i})`);
  }
  // Pauses just under QUIET_MS do not count either.
  t.mock.timers.tick(QUIET_MS - 1);
  tracker.onOutput();
  t.mock.timers.tick(QUIET_MS - 1);
  assert.deepEqual(host.events, ['output']);
  t.mock.timers.tick(1);
  assert.deepEqual(host.events, ['output', 'quiet']);
  assert.equal(host.machine.name, 'idle');
});

test('ActivityTracker: close() stops its timers: no dispatch afterwards, output ignored', (t) => {
  const { host, tracker } = setup(t);
  tracker.onOutput();
  t.mock.timers.tick(QUIET_MS - 10);
  tracker.close();
  t.mock.timers.tick(QUIET_MS * 10);
  tracker.onOutput();
  t.mock.timers.tick(QUIET_MS * 10);
  assert.deepEqual(host.events, ['output']);
  assert.equal(host.machine.name, 'running');
});

test('ActivityTracker: close() before the first quiet: never idle', (t) => {
  const { host, tracker } = setup(t);
  tracker.close();
  t.mock.timers.tick(QUIET_MS * 4);
  assert.deepEqual(host.events, []);
});

test('ActivityTracker: pressInDialog writes the keys as given; no dialogs, no hooks, no exit command', async (t) => {
  const { host, tracker } = setup(t, 'running');
  assert.equal(await tracker.pressInDialog('\r'), true);
  assert.equal(await tracker.pressInDialog('2'), true);
  assert.deepEqual(host.writes, ['\r', '2']);
  assert.deepEqual(await tracker.dialogOptions(), []);
  assert.equal(tracker.takesHooks, false);
  assert.equal(tracker.exitCommand, null);
  tracker.onHook();
  assert.deepEqual(host.events, []);
  assert.deepEqual(host.broadcasts, []);
});

test('ActivityTracker: the injected clock decides quiet (a timer firing early is re-armed)', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let now = 0;
  const host = new FakeHost('starting');
  const tracker = new ActivityTracker(host, () => now);
  t.after(() => tracker.close());
  // The timer fires, but the clock says output came 200 ms ago: not quiet yet.
  now = QUIET_MS - 200;
  tracker.onOutput();
  now = QUIET_MS;
  t.mock.timers.tick(QUIET_MS);
  assert.deepEqual(host.events, ['output']);
  now = QUIET_MS - 200 + QUIET_MS;
  t.mock.timers.tick(QUIET_MS - 200);
  assert.deepEqual(host.events, ['output', 'quiet']);
});

/** A promise's outcome, observable without awaiting it. */
function watch<T>(p: Promise<T>): { done: boolean; value: T | undefined } {
  const box: { done: boolean; value: T | undefined } = { done: false, value: undefined };
  void p.then((v) => {
    box.done = true;
    box.value = v;
  });
  return box;
}

async function settle(t: TestContext, ms = 0): Promise<void> {
  t.mock.timers.tick(ms);
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}

/** How long ActivityTracker.submit waits for the echo at most (activity-tracker.ts). */
const ECHO_WAIT_MS = 250;

test('ActivityTracker.submit: types the text, Enter once the program echoed it', async (t) => {
  const { host, tracker } = setup(t, 'idle');
  const s = watch(tracker.submit('ls -la'));
  await settle(t);
  assert.deepEqual(host.writes, ['ls -la'], 'no Enter before the echo');
  await settle(t, 30);
  host.output(); // the echo
  await settle(t);
  assert.deepEqual(host.writes, ['ls -la', '\r']);
  assert.equal(host.stamps[1]?.[1], 1_000_030);
  assert.deepEqual(s.value, { ok: true });
});

test('ActivityTracker.submit: no echo → Enter after ECHO_WAIT_MS anyway', async (t) => {
  const { host, tracker } = setup(t, 'idle');
  const s = watch(tracker.submit('ls'));
  await settle(t, ECHO_WAIT_MS - 1);
  assert.deepEqual(host.writes, ['ls']);
  await settle(t, 1);
  assert.deepEqual(host.writes, ['ls', '\r']);
  assert.deepEqual(s.value, { ok: true });
});

test('ActivityTracker.submit: several lines as one bracketed paste where the program asked for it, else CR-separated', async (t) => {
  const { host, tracker } = setup(t, 'idle');
  host.bracketedPaste = true;
  const a = watch(tracker.submit('one\ntwo'));
  host.output();
  await settle(t);
  assert.deepEqual(a.value, { ok: true });
  host.bracketedPaste = false;
  const b = watch(tracker.submit('three\nfour'));
  host.output();
  await settle(t);
  assert.deepEqual(b.value, { ok: true });
  assert.deepEqual(host.writes, ['\x1b[200~one\ntwo\x1b[201~', '\r', 'three\rfour', '\r']);
});

test('ActivityTracker.submit: the run ends while it waits for the echo → exited, no Enter', async (t) => {
  const { host, tracker } = setup(t, 'running');
  const s = watch(tracker.submit('ls'));
  await settle(t, 10);
  tracker.close();
  await settle(t, ECHO_WAIT_MS);
  const value: SubmitOutcome | undefined = s.value;
  assert.deepEqual(value, { ok: false, reason: 'exited' });
  assert.deepEqual(host.writes, ['ls']);
});

test('ActivityTracker.enter: Enter at once (no dialogs to wait for)', async (t) => {
  const { host, tracker } = setup(t, 'idle');
  assert.equal(await tracker.enter(), true);
  assert.deepEqual(host.writes, ['\r']);
});
