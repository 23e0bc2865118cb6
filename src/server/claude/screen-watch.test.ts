import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ScreenReading } from './screen.js';
import { SCREEN_THROTTLE_MS, ScreenWatch, type ScreenSource } from './screen-watch.js';

const T0 = 1_000_000;
/** While someone waits, the screen is read this often (screen-watch.ts POLL_MS). */
const POLL_MS = 60;

// ---- Screens (shaped like Claude Code's at 80 columns; readScreen is tested in screen.test.ts) ----

const RULE = '─'.repeat(80);
const box = (status: string, text = ''): string[] => [RULE, `❯\u00a0${text}`, RULE, `  ${status}`];
const IDLE = ['', '● DONE', '', ...box('⏸ manual mode on · ? for shortcuts')];
const BUSY = ['', '✽ Baking…', '', ...box('⏸ manual mode on · esc to interrupt')];

function permission(question: string, options: readonly string[], highlighted = 0): string[] {
  return [
    RULE,
    ' Bash command',
    ' touch a',
    ` ${question}`,
    ...options.map((o, i) => `${i === highlighted ? ' ❯ ' : '   '}${i + 1}. ${o}`),
    '',
    ' Esc to cancel · Tab to amend',
  ];
}
const DIALOG_A = permission('Do you want to proceed?', ['Yes', 'No']);
const DIALOG_A_DOWN = permission('Do you want to proceed?', ['Yes', 'No'], 1);
const DIALOG_B = permission('Do you want to create w.txt?', ['Yes', 'Yes, allow all edits during this session (shift+tab)', 'No']);

/** The mirror: answers each read later (after the output is parsed), with the screen as it is then. */
class FakeSource implements ScreenSource {
  lines: string[] = IDLE;
  reads = 0;
  /** When set, reads wait here until `answer()` (to hold a read in flight). */
  held: Array<() => void> | null = null;

  readScreenLines(cb: (lines: string[]) => void): void {
    this.reads++;
    const answer = (): void => cb(this.lines.slice());
    if (this.held) this.held.push(answer);
    else setImmediate(answer);
  }

  answer(): void {
    for (const a of (this.held ?? []).splice(0)) a();
  }
}

interface Rig {
  source: FakeSource;
  watch: ScreenWatch;
  readings: Array<{ kind: string; changed: boolean; at: number }>;
  flush(): Promise<void>;
  advance(ms: number): Promise<void>;
}

function setup(t: TestContext): Rig {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 });
  const source = new FakeSource();
  const readings: Rig['readings'] = [];
  const watch = new ScreenWatch(source, (r, changed) => readings.push({ kind: r.kind, changed, at: Date.now() - T0 }));
  t.after(() => watch.close());
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      t.mock.timers.tick(0);
      await new Promise<void>((r) => setImmediate(r));
    }
  };
  return {
    source,
    watch,
    readings,
    flush,
    async advance(ms) {
      await flush();
      for (let i = 0; i < ms; i++) {
        t.mock.timers.tick(1);
        await flush();
      }
    },
  };
}

function watchPromise<T>(p: Promise<T>): { done: boolean; value: T | undefined } {
  const box: { done: boolean; value: T | undefined } = { done: false, value: undefined };
  void p.then((v) => {
    box.done = true;
    box.value = v;
  });
  return box;
}

test('ScreenWatch: starts unknown, no dialog, no signature', (t) => {
  const { watch, source } = setup(t);
  assert.deepEqual(watch.reading, { kind: 'unknown', dialog: null, box: null });
  assert.equal(watch.signature, '');
  assert.equal(source.reads, 0, 'nothing read before output or a wait');
});

test('ScreenWatch: poke() reads soon; output flowing is read at most every SCREEN_THROTTLE_MS, the last frame too', async (t) => {
  const r = setup(t);
  r.source.lines = BUSY;
  r.watch.poke();
  await r.flush();
  assert.equal(r.source.reads, 1, 'the first output is read at once');
  assert.equal(r.watch.reading.kind, 'busy');
  // Output every 10 ms for 400 ms: reads every 80 ms, not every chunk.
  for (let i = 0; i < 40; i++) {
    r.watch.poke();
    await r.advance(10);
  }
  assert.ok(r.source.reads >= 400 / SCREEN_THROTTLE_MS && r.source.reads <= 400 / SCREEN_THROTTLE_MS + 2, `${r.source.reads} reads`);
  const before = r.source.reads;
  r.source.lines = IDLE; // the last frame, then quiet
  r.watch.poke();
  await r.advance(SCREEN_THROTTLE_MS);
  assert.equal(r.watch.reading.kind, 'idle', 'the trailing read sees the last frame');
  assert.equal(r.source.reads, before + 1);
  await r.advance(1000);
  assert.equal(r.source.reads, before + 1, 'no reads while nothing happens and nobody waits');
});

test('ScreenWatch: one read at a time; asked during a read, it reads once more after it', async (t) => {
  const r = setup(t);
  r.source.held = [];
  r.watch.read();
  r.watch.read();
  r.watch.read();
  assert.equal(r.source.reads, 1);
  r.source.lines = BUSY;
  r.source.answer();
  assert.equal(r.source.reads, 2, 'one more read for the requests made meanwhile');
  r.source.answer();
  await r.flush();
  assert.equal(r.source.reads, 2);
  assert.deepEqual(r.readings.map((x) => x.kind), ['busy', 'busy']);
});

test('ScreenWatch: changed/since/signature move when the kind or the dialog content changes, not the highlight', async (t) => {
  const r = setup(t);
  r.source.lines = BUSY;
  r.watch.read();
  await r.advance(10);
  assert.equal(r.watch.since, T0);
  r.source.lines = DIALOG_A;
  r.watch.read();
  await r.flush();
  const sigA = r.watch.signature;
  assert.match(sigA, /Do you want to proceed\?/);
  assert.equal(r.watch.since, T0 + 10);
  await r.advance(10);
  r.source.lines = DIALOG_A_DOWN; // Down: the same dialog
  r.watch.read();
  await r.flush();
  assert.equal(r.watch.signature, sigA);
  assert.equal(r.watch.since, T0 + 10, 'a moved highlight is the same dialog');
  await r.advance(10);
  r.source.lines = DIALOG_B; // the next dialog, drawn with no other screen between
  r.watch.read();
  await r.flush();
  assert.notEqual(r.watch.signature, sigA);
  assert.equal(r.watch.since, T0 + 30);
  r.source.lines = BUSY;
  r.watch.read();
  await r.flush();
  assert.equal(r.watch.signature, '');
  assert.deepEqual(r.readings.map((x) => [x.kind, x.changed]), [['busy', true], ['dialog', true], ['dialog', false], ['dialog', true], ['busy', true]]);
});

test('ScreenWatch.waitFor: the current reading counts (no read), else true at the first matching reading', async (t) => {
  const r = setup(t);
  r.source.lines = BUSY;
  r.watch.read();
  await r.flush();
  const reads = r.source.reads;
  assert.equal(await r.watch.waitFor((x) => x.kind === 'busy', 1000), true);
  assert.equal(r.source.reads, reads, 'answered from the current reading');
  const w = watchPromise(r.watch.waitFor((x) => x.kind === 'dialog', 1000));
  await r.advance(100);
  assert.equal(w.done, false);
  r.source.lines = DIALOG_A; // drawn without output being reported: the poll sees it
  await r.advance(POLL_MS + 1);
  assert.equal(w.done, true);
  assert.equal(w.value, true);
});

test('ScreenWatch.waitFor: false after `ms` if no reading matches', async (t) => {
  const r = setup(t);
  const w = watchPromise(r.watch.waitFor((x) => x.kind === 'dialog', 500));
  await r.advance(499);
  assert.equal(w.done, false);
  await r.advance(1);
  assert.equal(w.done, true);
  assert.equal(w.value, false);
});

test('ScreenWatch.waitFor: one poll loop however many wait (reads stay one per POLL_MS)', async (t) => {
  const r = setup(t);
  const waits = Array.from({ length: 5 }, () => watchPromise(r.watch.waitFor((x) => x.kind === 'dialog', 1500)));
  await r.advance(1200);
  const polls = 1200 / POLL_MS;
  assert.ok(r.source.reads >= polls - 1 && r.source.reads <= polls + 1, `${r.source.reads} reads in 1200 ms for 5 waits`);
  await r.advance(400);
  assert.ok(waits.every((w) => w.done && w.value === false));
  const after = r.source.reads;
  await r.advance(1000);
  assert.equal(r.source.reads, after, 'no polling once nobody waits');
});

test('ScreenWatch.waitFor: output while waiting adds its throttled reads, never extra poll loops', async (t) => {
  const r = setup(t);
  r.source.lines = BUSY;
  const w = watchPromise(r.watch.waitFor((x) => x.kind === 'dialog', 1500));
  for (let i = 0; i < 18; i++) {
    r.watch.poke(); // the spinner redraws ~12 times a second
    await r.advance(80);
  }
  await r.advance(100);
  assert.equal(w.done, true);
  // ≈ 1500/80 output reads + 1500/60 polls ≈ 44.
  assert.ok(r.source.reads <= 50, `${r.source.reads} screen reads`);
});

test('ScreenWatch.fresh: the next reading, not the one already taken', async (t) => {
  const r = setup(t);
  r.source.lines = BUSY;
  r.watch.read();
  await r.flush();
  r.source.lines = IDLE;
  const reads = r.source.reads;
  const got = await r.watch.fresh();
  assert.equal(got.kind, 'idle');
  assert.equal(r.source.reads, reads + 1);
});

test('ScreenWatch.close: waiters settle false; no reads, no callbacks afterwards', async (t) => {
  const r = setup(t);
  r.source.held = [];
  const w = watchPromise(r.watch.waitFor((x) => x.kind === 'dialog', 1500));
  r.watch.read();
  r.watch.close();
  await r.flush();
  assert.equal(w.done, true);
  assert.equal(w.value, false);
  r.source.lines = DIALOG_A;
  r.source.answer(); // the read in flight comes back after close
  r.watch.poke();
  r.watch.read();
  await r.advance(500);
  assert.deepEqual(r.readings, []);
  assert.equal(r.watch.reading.kind, 'unknown');
  assert.equal(await r.watch.waitFor((x) => x.kind === 'dialog', 100), false);
  const fresh: ScreenReading = await r.watch.fresh();
  assert.equal(fresh.kind, 'unknown');
});
