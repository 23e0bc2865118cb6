/**
 * A Session's order of output and messages with a flood's reads held back to be joined
 * (pty/output-joiner.ts): nothing read before a resize is drawn at the new size, in the
 * mirror or by a viewer. Real PTY, real mirror, the real SQLite store (in memory).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { SessionStore } from '../store/store.js';
import { ActivityTracker } from '../state/activity-tracker.js';
import { Viewer } from '../terminal/viewer.js';
import { Session } from './session.js';
import { waitFor } from '../../../test/helpers/wait.js';

const ID = '7d1f6a2e-3b4c-4d5e-8f90-a1b2c3d4e5f6';

/** A session whose command floods (8 × 4 MB), torn down after the test. */
function floodSession(t: TestContext): Session {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccpty-order-'));
  const store = new SessionStore(new Database(':memory:'));
  store.insert({ id: ID, folder: dir, command: 'flood', created_at: 0, last_active_at: 0, last_state: 'stopped' });
  const s = new Session(ID, dir, {
    store,
    log: pino({ level: 'silent' }),
    idleSec: 0,
    launch: () => ({
      spec: { file: '/bin/sh', args: ['-c', 'for i in 1 2 3 4 5 6 7 8; do head -c 4000000 /dev/zero | tr "\\000" x; sleep 0.05; done; echo END'], display: 'flood', kind: 'custom' },
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color' },
    }),
    tracker: (_kind, _id, host) => new ActivityTracker(host),
  });
  t.after(() => {
    s.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return s;

}

/** Reads the session's PTY holds back to be joined (pty/output-joiner.ts). */
function heldReads(s: Session): number {
  return (s as unknown as { pty: { joiner: { held: Buffer[] } } | null }).pty?.joiner.held.length ?? 0;
}

/** Lets the event loop run until the PTY holds reads back, or the session ends. */
async function untilHeld(s: Session): Promise<void> {
  for (let i = 0; i < 200 && heldReads(s) === 0 && s.isRunning; i++) await new Promise<void>((r) => setImmediate(r));
}

test('a resize during a flood: the bytes read before it reach the mirror and every viewer before the new size (10 resizes while reads are held)', async (t) => {
  const s = floodSession(t);
  // What the viewer was sent and what the mirror was given, in one log: bytes, or a size.
  const log: Array<{ who: 'viewer' | 'mirror'; bytes?: number; size?: number }> = [];
  const viewer = new Viewer({
    send: (frame, done) => {
      if (typeof frame === 'string') {
        const m = JSON.parse(frame) as { type: string; cols?: number };
        if (m.type === 'session_size') log.push({ who: 'viewer', size: m.cols as number });
      } else log.push({ who: 'viewer', bytes: frame.length });
      setImmediate(done);
    },
  }, s);
  viewer.binary = true;
  const write = s.mirror.write.bind(s.mirror);
  const resize = s.mirror.resize.bind(s.mirror);
  s.mirror.write = (chunk: Buffer): void => {
    log.push({ who: 'mirror', bytes: chunk.length });
    write(chunk);
  };
  s.mirror.resize = (cols: number, rows: number): void => {
    log.push({ who: 'mirror', size: cols });
    resize(cols, rows);
  };

  s.start();
  s.attach(viewer);
  let cols = 80;
  await waitFor(async () => {
    // Resize only while the joiner holds reads: the case where order can go wrong.
    await untilHeld(s);
    if (heldReads(s) > 0 && cols < 90) s.resize(++cols, 24);
    return cols >= 90 || !s.isRunning;
  }, 'ten resizes while reads were held', 30_000, 0);
  assert.equal(cols, 90, 'ten resizes happened while reads were held');
  await waitFor(() => !s.isRunning, 'the flood to end', 60_000);

  // Up to each size, the mirror and the viewer got the same bytes. The viewer's stream starts
  // after its snapshot (its first binary frame: the screen at its join, before any output).
  const streamOf = (who: 'mirror' | 'viewer'): typeof log => {
    const mine = log.filter((e) => e.who === who);
    return who === 'viewer' ? mine.slice(mine.findIndex((e) => e.bytes !== undefined) + 1) : mine;
  };
  for (const who of ['mirror', 'viewer'] as const) {
    const sizes = streamOf(who).filter((e) => e.size !== undefined).map((e) => e.size);
    assert.deepEqual(sizes, [81, 82, 83, 84, 85, 86, 87, 88, 89, 90], `${who}: every size once, in order`);
  }
  const before = (who: 'mirror' | 'viewer', size: number): number => {
    const mine = streamOf(who);
    return mine.slice(0, mine.findIndex((e) => e.size === size)).reduce((n, e) => n + (e.bytes ?? 0), 0);
  };
  for (let c = 81; c <= 90; c++) {
    assert.equal(before('viewer', c), before('mirror', c), `the bytes before size ${c}: the viewer's are the mirror's`);
  }
});

test('a state change while reads are held: they are handed out first, so viewers are told the state the session is in (10 times during a flood)', async (t) => {
  const s = floodSession(t);
  const viewer = new Viewer({ send: (_frame, done) => setImmediate(done) }, s);
  viewer.binary = true;
  const told: string[] = [];
  const push = viewer.pushMessage.bind(viewer);
  viewer.pushMessage = (m): void => {
    if (m.type === 'session_idle' || m.type === 'session_running') told.push(m.type);
    push(m);
  };
  s.start();
  s.attach(viewer);
  let changes = 0;
  await waitFor(async () => {
    await untilHeld(s);
    if (heldReads(s) > 0 && s.state === 'running' && changes < 10) {
      // What the quiet timer does when the event loop was stalled past it during a flood.
      s.dispatch({ type: 'quiet' });
      changes++;
      assert.equal(told.at(-1), `session_${s.state}`, `change ${changes}: the last state told is the session's`);
    }
    return changes >= 10 || !s.isRunning;
  }, 'ten state changes while reads were held', 30_000, 0);
  assert.equal(changes, 10, 'ten state changes happened while reads were held');
});

test('get_current_state while reads are held: they are handed out first, so the answer is the state the session is in (10 times during a flood)', async (t) => {
  const s = floodSession(t);
  const viewer = new Viewer({ send: (_frame, done) => setImmediate(done) }, s);
  viewer.binary = true;
  s.start();
  s.attach(viewer);
  let asked = 0;
  await waitFor(async () => {
    await untilHeld(s);
    // Made idle while the flood goes on (what a stalled quiet timer does), then asked once the
    // next reads are held: they are output the session has printed since.
    if (heldReads(s) > 0 && s.state === 'running') s.dispatch({ type: 'quiet' });
    await untilHeld(s);
    if (heldReads(s) > 0 && s.state === 'idle' && asked < 10) {
      const answer = await s.currentState();
      asked++;
      assert.equal(heldReads(s), 0, `question ${asked}: the held reads went out first`);
      assert.equal(answer.type, 'session_running', `question ${asked}: the answer is the state after them`);
    }
    return asked >= 10 || !s.isRunning;
  }, 'ten questions while reads were held', 30_000, 0);
  assert.equal(asked, 10, 'ten questions were asked while reads were held');
});
