import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOLD_BUDGET_MS, HOLD_COOLDOWN_MS, HOLD_WINDOW_MS, HoldGate } from './hold-gate.js';

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

test(`all holds together: at most ${HOLD_BUDGET_MS} ms per ${HOLD_WINDOW_MS} ms, even when each one "catches up"`, () => {
  const { g, pty, clock } = gate();
  // Viewers that always release in time (say, by resetting their count with a hello).
  let granted = 0;
  while (g.hold(`v${granted}`)) {
    clock.t += 290;
    g.release(`v${granted}`, true);
    granted++;
    assert.ok(granted < 100, 'the budget ends it');
  }
  assert.equal(granted, Math.ceil(HOLD_BUDGET_MS / 290));
  assert.equal(pty.paused, false);
  clock.t += HOLD_WINDOW_MS;
  assert.equal(g.hold('later'), true, 'a new window, a new budget');
});

test('one key holds once at a time', () => {
  const { g } = gate();
  assert.equal(g.hold('a'), true);
  assert.equal(g.hold('a'), false);
});
