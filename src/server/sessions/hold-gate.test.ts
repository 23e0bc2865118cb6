import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOLD_BURST_MS, HOLD_COOLDOWN_MS, HOLD_SHARE, HoldGate } from './hold-gate.js';

/** A PTY that records who holds it, and whether it is paused. */
class FakePty {
  readonly holds = new Set<unknown>();
  hold(key: unknown, on: boolean): void {
    if (on) this.holds.add(key);
    else this.holds.delete(key);
  }
  get paused(): boolean {
    return this.holds.size > 0;
  }
}

function gate(): { g: HoldGate<string>; pty: FakePty; clock: { t: number }; dropped: string[] } {
  const clock = { t: 1_000_000 };
  const dropped: string[] = [];
  const g = new HoldGate<string>((k) => dropped.push(k), () => clock.t);
  const pty = new FakePty();
  g.setTarget(pty);
  return { g, pty, clock, dropped };
}

test('holds pause the PTY until every holder has released it', () => {
  const { g, pty } = gate();
  assert.equal(g.hold('a'), true);
  assert.equal(g.hold('b'), true);
  assert.equal(pty.paused, true);
  g.release('a', true);
  assert.equal(pty.paused, true, 'b still holds');
  g.release('b', true);
  assert.equal(pty.paused, false);
  assert.equal(g.hold('a'), true, 'catching up costs no cooldown');
});

test(`a hold that ran out: none is granted for ${HOLD_COOLDOWN_MS} ms, to anyone (many stalled sockets stall nothing more)`, () => {
  const { g, pty, clock } = gate();
  assert.equal(g.hold('a'), true);
  g.release('a', false);
  assert.equal(pty.paused, false);
  assert.equal(g.hold('b'), false, 'another viewer is refused too');
  clock.t += HOLD_COOLDOWN_MS - 1;
  assert.equal(g.hold('a'), false);
  assert.equal(pty.paused, false);
  clock.t += 1;
  assert.equal(g.hold('b'), true, 'granted again after the window');
});

test('no PTY (not running, or exited): refused; holders are told; a new run starts with no holder', () => {
  const { g, pty, dropped } = gate();
  assert.equal(g.hold('a'), true);
  g.setTarget(null); // the run exited
  assert.equal(pty.paused, false, 'the old PTY is let go');
  assert.deepEqual(dropped, ['a'], 'the holder is told its hold is gone');
  assert.equal(g.hold('b'), false);
  const next = new FakePty();
  g.setTarget(next);
  g.release('a', false); // a late release from the old run's holder
  assert.equal(g.hold('b'), true, 'a holder of the old run costs the new one no cooldown');
  assert.equal(next.paused, true);
});

test('releasing a key that does not hold is a no-op', () => {
  const { g, pty } = gate();
  g.release('nobody', false);
  assert.equal(g.hold('a'), true, 'no cooldown started');
  assert.equal(pty.paused, true);
});

test(`the time held is paid from a budget (${HOLD_BURST_MS} ms at once, refilled at ${HOLD_SHARE * 100}% of the clock), even when every hold "catches up"`, () => {
  const { g, pty, clock } = gate();
  // Viewers that always release in time (say, by resetting their count with a hello).
  let granted = 0;
  while (g.hold(`v${granted}`)) {
    clock.t += 290;
    g.release(`v${granted}`, true);
    granted++;
    assert.ok(granted < 100, 'the budget ends it');
  }
  assert.equal(granted, Math.ceil(HOLD_BURST_MS / (290 * (1 - HOLD_SHARE))), "refilled while held, too");
  assert.equal(pty.paused, false);
  // Overdrawn by the last hold (by less than one): 2,000 ms later 200 ms have come back.
  clock.t += 2_000;
  assert.equal(g.hold('later'), true, 'refilled');
  clock.t += 300;
  g.release('later', true);
  assert.equal(g.hold('again'), false, 'spent again');
  // Over a long run, held time stays near the share: 60 s of trying to hold all the time.
  let held = 0;
  for (let t = 0; t < 60_000; t += 10) {
    clock.t += 10;
    if (g.hold('x')) {
      clock.t += 10;
      t += 10;
      held += 10;
      g.release('x', true);
    }
  }
  assert.ok(held <= 60_000 * HOLD_SHARE + 10, `held ${held} ms of 60 s`);
  assert.ok(held >= 60_000 * HOLD_SHARE * 0.8, `and still paced: ${held} ms`);
});

test('overlapping holds are charged once: ten viewers held together for 300 ms cost 300 ms', () => {
  const { g, clock } = gate();
  for (let round = 0; round < 9; round++) {
    for (let k = 0; k < 10; k++) assert.equal(g.hold(`v${k}`), true, `round ${round}, viewer ${k}`);
    clock.t += 300;
    for (let k = 0; k < 10; k++) g.release(`v${k}`, true);
  }
  // 2,700 ms held (plus the small refill): still within the 3,000 ms burst.
  assert.equal(g.hold('v0'), true);
});

test('one key holds once at a time', () => {
  const { g } = gate();
  assert.equal(g.hold('a'), true);
  assert.equal(g.hold('a'), false);
});
