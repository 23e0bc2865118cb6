import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerMessage } from '../../shared/protocol.js';
import { next, type MachineState, type StateEvent } from '../../shared/state-machine.js';
import type { SessionStateName } from '../../shared/state.js';
import { ENTER, ESC } from '../sessions/keys.js';
import type { SubmitOutcome, TrackerHost } from '../state/tracker.js';
import { submitPrompt } from './prompt-input.js';
import { ScreenWatch } from './screen-watch.js';

const T0 = 1_000_000;
// prompt-input.ts's timings.
const CLEAR_ESC_GAP_MS = 100;
const ECHO_WAIT_MS = 1500;
const SUBMIT_WAIT_MS = 2500;

const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

// ---- A fake Claude Code prompt box (claude-dialogs.md §5), drawn like the real one at 80 columns ----

const RULE = '─'.repeat(80);

/**
 * Claude Code's input box as far as typing goes: text and pastes are echoed after `echoMs`,
 * "x" then Esc, Esc (≤ 0.7 s apart) clears it, Enter submits a non-empty box (the spinner
 * shows, `onSubmit` fires like the UserPromptSubmit hook) unless `enterTaken` is false (then
 * Enter is a newline in the box, as in a paste burst).
 */
class FakeClaude implements TrackerHost {
  machine: MachineState;
  bracketedPaste = true;
  box = '';
  busy = false;
  dialog = false;
  /** Keys typed reach the box (false: Claude Code drops them). */
  echo = true;
  echoMs = 5;
  enterTaken = true;
  onSubmit: (prompt: string) => void = () => undefined;
  readonly writes: string[] = [];
  readonly stamps: Array<[string, number]> = [];
  reads = 0;
  watch!: ScreenWatch;
  private lastEscAt = -Infinity;
  private outputWaiters: Array<() => void> = [];

  constructor(state: SessionStateName) {
    this.machine = { name: state, pending: null, seen: false, announced: false };
  }

  retell(): void {
    // typing reports no state
  }

  lines(): string[] {
    if (this.dialog) {
      return [RULE, ' Bash command', ' Do you want to proceed?', ' ❯ 1. Yes', '   2. No', '', ' Esc to cancel · Tab to amend'];
    }
    const [first = '', ...rest] = this.box.split('\n');
    const status = this.busy ? '⏸ manual mode on · esc to interrupt' : this.box ? '⏸ manual mode on' : '⏸ manual mode on · ? for shortcuts';
    return ['', this.busy ? '✽ Baking…' : '● DONE', '', RULE, `❯\u00a0${first}`, ...rest.map((l) => `  ${l}`), RULE, `  ${status}`];
  }

  dispatch(event: StateEvent): void {
    this.machine = next(this.machine, event);
  }

  broadcast(_message: ServerMessage): void {}

  readScreenLines(cb: (lines: string[]) => void): void {
    this.reads++;
    const lines = this.lines();
    setImmediate(() => cb(lines));
  }

  setPrompt(): boolean {
    return false;
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

  /** Claude Code redrew: the watch reads the screen, output waiters wake. */
  output(): void {
    this.watch.poke();
    for (const w of this.outputWaiters.splice(0)) w();
  }

  write(keys: string): void {
    this.writes.push(keys);
    this.stamps.push([keys, Date.now() - T0]);
    if (!this.echo) return;
    setTimeout(() => this.take(keys), this.echoMs);
  }

  private take(keys: string): void {
    if (keys === ESC) {
      const now = Date.now();
      if (now - this.lastEscAt <= 700 && this.box !== '') this.box = '';
      this.lastEscAt = now;
    } else if (keys === ENTER) {
      if (!this.enterTaken) this.box += '\n';
      else if (this.box !== '') {
        const prompt = this.box;
        this.box = '';
        this.busy = true;
        this.onSubmit(prompt);
      }
    } else if (keys.startsWith(PASTE_START) && keys.endsWith(PASTE_END)) {
      this.box += keys.slice(PASTE_START.length, -PASTE_END.length);
    } else {
      this.box += keys;
    }
    this.output();
  }

  /** When (ms since T0) `keys` were written (the n-th time). */
  at(keys: string, n = 0): number | undefined {
    return this.stamps.filter(([k]) => k === keys)[n]?.[1];
  }
}

interface Rig {
  claude: FakeClaude;
  /** What dialogComing() says. */
  coming: { value: boolean };
  /** When the UserPromptSubmit hook came (ms, Date.now()), 0 if not. */
  hookAt: { value: number };
  submit(text: string): { done: boolean; value: SubmitOutcome | undefined };
  flush(): Promise<void>;
  advance(ms: number): Promise<void>;
  until(cond: () => boolean, maxMs: number, what: string): Promise<void>;
}

function setup(t: TestContext, state: SessionStateName = 'idle', box = ''): Rig {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 });
  const claude = new FakeClaude(state);
  claude.box = box;
  const watch = new ScreenWatch(claude, () => undefined);
  claude.watch = watch;
  t.after(() => watch.close());
  const coming = { value: false };
  const hookAt = { value: 0 };
  claude.onSubmit = () => {
    hookAt.value = Date.now();
  };
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      t.mock.timers.tick(0);
      await new Promise<void>((r) => setImmediate(r));
    }
  };
  const advance = async (ms: number): Promise<void> => {
    await flush();
    for (let i = 0; i < ms; i++) {
      t.mock.timers.tick(1);
      await flush();
    }
  };
  return {
    claude,
    coming,
    hookAt,
    submit(text) {
      const box: { done: boolean; value: SubmitOutcome | undefined } = { done: false, value: undefined };
      void submitPrompt(text, {
        host: claude,
        screen: watch,
        dialogComing: () => coming.value,
        submittedSince: (at) => hookAt.value !== 0 && hookAt.value >= at,
      }).then((v) => {
        box.done = true;
        box.value = v;
      });
      return box;
    },
    flush,
    advance,
    async until(cond, maxMs, what) {
      await flush();
      for (let i = 0; i < maxMs && !cond(); i++) {
        t.mock.timers.tick(1);
        await flush();
      }
      assert.ok(cond(), `not within ${maxMs} ms: ${what}`);
    },
  };
}

test('submitPrompt: a dialog pending or coming → "dialog" at once, nothing typed, the screen not even read', async (t) => {
  const r = setup(t);
  r.coming.value = true;
  const s = r.submit('hello');
  await r.advance(10);
  assert.deepEqual(s.value, { ok: false, reason: 'dialog' });
  assert.deepEqual(r.claude.writes, []);
  assert.equal(r.claude.reads, 0);
});

test('submitPrompt: a dialog on screen → "dialog", nothing typed', async (t) => {
  const r = setup(t);
  r.claude.dialog = true;
  const s = r.submit('hello');
  await r.until(() => s.done, 100, 'submit');
  assert.deepEqual(s.value, { ok: false, reason: 'dialog' });
  assert.deepEqual(r.claude.writes, []);
});

test('submitPrompt: an empty box at idle: a bracketed paste, Enter once the box shows it, ok when submitted', async (t) => {
  const r = setup(t);
  r.claude.echoMs = 200; // a slow echo: Enter waits for it
  const s = r.submit('please create the greeting file');
  await r.until(() => s.done, 1000, 'submit');
  assert.deepEqual(s.value, { ok: true });
  assert.deepEqual(r.claude.writes, [`${PASTE_START}please create the greeting file${PASTE_END}`, ENTER]);
  const enterAt = r.claude.at(ENTER) ?? -1;
  assert.ok(enterAt >= 200, `Enter at ${enterAt} ms, before the text was in the box`);
  assert.ok(enterAt <= 200 + 100, `Enter at ${enterAt} ms: long after the echo`);
  assert.ok(r.hookAt.value > 0, 'submitted');
});

test('submitPrompt: the text is pasted exactly as given (several lines, paste markers removed)', async (t) => {
  const r = setup(t);
  const s = r.submit('line one\nline "two" ✓\x1b[201~tail');
  await r.until(() => s.done, 1000, 'submit');
  assert.deepEqual(s.value, { ok: true });
  assert.deepEqual(r.claude.writes, [`${PASTE_START}line one\nline "two" ✓tail${PASTE_END}`, ENTER]);
});

test('submitPrompt: without bracketed paste mode the text is typed as keys', async (t) => {
  const r = setup(t);
  r.claude.bracketedPaste = false;
  const s = r.submit('hello');
  await r.until(() => s.done, 1000, 'submit');
  assert.deepEqual(s.value, { ok: true });
  assert.deepEqual(r.claude.writes, ['hello', ENTER]);
});

test('submitPrompt: a prompt restored after Esc sits in the box at idle: "x", Esc, Esc (100 ms apart) clear it first', async (t) => {
  const r = setup(t, 'idle', 'restore me please MOCK:delay=8000 MOCK:text');
  const s = r.submit('the new prompt');
  await r.until(() => s.done, 3000, 'submit');
  assert.deepEqual(s.value, { ok: true });
  assert.deepEqual(r.claude.writes, ['x', ESC, ESC, `${PASTE_START}the new prompt${PASTE_END}`, ENTER]);
  const x = r.claude.at('x') ?? -1;
  const esc1 = r.claude.at(ESC, 0) ?? -1;
  const esc2 = r.claude.at(ESC, 1) ?? -1;
  assert.ok(esc1 > x, 'Esc after the "x" was echoed');
  assert.equal(esc2 - esc1, CLEAR_ESC_GAP_MS);
  assert.ok((r.claude.at(`${PASTE_START}the new prompt${PASTE_END}`) ?? -1) > esc2);
  assert.equal(r.claude.box, '', 'submitted: exactly the new prompt');
});

test('submitPrompt: exactly the text sent is submitted, not the restored prompt in front of it', async (t) => {
  const r = setup(t, 'idle', 'old text');
  const submitted: string[] = [];
  r.claude.onSubmit = (p) => {
    submitted.push(p);
    r.hookAt.value = Date.now();
  };
  const s = r.submit('new text');
  await r.until(() => s.done, 3000, 'submit');
  assert.deepEqual(submitted, ['new text']);
});

test('submitPrompt: text in the box while running is not cleared (Esc would interrupt the work)', async (t) => {
  const r = setup(t, 'running', 'queued');
  r.claude.busy = true;
  const s = r.submit('more');
  await r.until(() => s.done, 3000, 'submit');
  assert.ok(!r.claude.writes.includes(ESC), `no Esc: ${JSON.stringify(r.claude.writes)}`);
  assert.ok(!r.claude.writes.includes('x'));
});

test('submitPrompt: an empty box (or the API error placeholder, read as "") is not cleared', async (t) => {
  const r = setup(t, 'idle', '');
  const s = r.submit('hi');
  await r.until(() => s.done, 1000, 'submit');
  assert.deepEqual(r.claude.writes, [`${PASTE_START}hi${PASTE_END}`, ENTER]);
});

test('submitPrompt: Enter not taken as a submit (the box still holds the text) → not_submitted after the wait', async (t) => {
  const r = setup(t);
  r.claude.enterTaken = false; // the Enter became a newline in the box
  const s = r.submit('hello');
  await r.until(() => r.claude.writes.includes(ENTER), 500, 'Enter');
  const enterAt = r.claude.at(ENTER) ?? 0;
  await r.advance(SUBMIT_WAIT_MS - 100);
  assert.equal(s.done, false, 'still waiting for the prompt to be taken');
  await r.until(() => s.done, 300, 'submit');
  assert.deepEqual(s.value, { ok: false, reason: 'not_submitted' });
  assert.ok(r.claude.box.startsWith('hello'));
  assert.ok(Date.now() - T0 - enterAt >= SUBMIT_WAIT_MS);
});

test('submitPrompt: ok on the UserPromptSubmit hook even before the screen shows it taken', async (t) => {
  const r = setup(t);
  r.claude.onSubmit = () => undefined; // the screen is updated, the hook comes later
  r.claude.enterTaken = false; // and the screen keeps showing the text (a stale frame)
  const s = r.submit('hello');
  await r.until(() => r.claude.writes.includes(ENTER), 500, 'Enter');
  await r.advance(300);
  assert.equal(s.done, false);
  r.hookAt.value = Date.now();
  await r.until(() => s.done, 100, 'submit');
  assert.deepEqual(s.value, { ok: true });
});

test('submitPrompt: a hook from before the Enter does not count', async (t) => {
  const r = setup(t);
  r.hookAt.value = Date.now(); // an earlier prompt's hook, at t=0
  r.claude.enterTaken = false;
  await r.advance(5);
  const s = r.submit('hello');
  await r.until(() => s.done, SUBMIT_WAIT_MS + 500, 'submit');
  assert.deepEqual(s.value, { ok: false, reason: 'not_submitted' });
});

test('submitPrompt: a dialog coming up while the text is typed → "dialog", no Enter', async (t) => {
  const r = setup(t);
  r.claude.echoMs = 100;
  const s = r.submit('hello');
  await r.advance(50);
  r.coming.value = true; // its PermissionRequest arrived
  await r.until(() => s.done, ECHO_WAIT_MS, 'submit');
  assert.deepEqual(s.value, { ok: false, reason: 'dialog' });
  assert.ok(!r.claude.writes.includes(ENTER));
});

test('submitPrompt: a dialog drawn over the typed text → "dialog", no Enter', async (t) => {
  const r = setup(t);
  r.claude.echoMs = 100;
  const s = r.submit('hello');
  await r.advance(20);
  r.claude.dialog = true;
  r.claude.output();
  await r.until(() => s.done, ECHO_WAIT_MS + 500, 'submit');
  assert.deepEqual(s.value, { ok: false, reason: 'dialog' });
  assert.ok(!r.claude.writes.includes(ENTER));
});

test(
  'submitPrompt: keys dropped (the box never shows the text) → not ok, never reported as submitted',
  async (t) => {
    const r = setup(t);
    r.claude.echo = false; // Claude Code drops the keys (start-up, a paste taken as keys…)
    const s = r.submit('hello');
    await r.until(() => s.done, ECHO_WAIT_MS + SUBMIT_WAIT_MS + 1000, 'submit');
    assert.deepEqual(s.value, { ok: false, reason: 'not_submitted' });
  },
);
