import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HIGH_WATERMARK, LOW_WATERMARK, MAX_PENDING_BYTES } from '../../shared/flow.js';
import type { ServerMessage } from '../../shared/protocol.js';
import { HOLD_MS, OutputFrame, Viewer, type ViewerHost, type ViewerSink } from './viewer.js';

const SID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const RUNNING: ServerMessage = { type: 'session_running', session_id: SID };
const IDLE: ServerMessage = { type: 'session_idle', session_id: SID };
const ENDED: ServerMessage = { type: 'session_ended', session_id: SID, exit_code: 0 };
const PONG: ServerMessage = { type: 'pong' };

/** Records frames; `done` callbacks fire only when the test says so (a socket with data in flight). */
class FakeSink implements ViewerSink {
  readonly frames: Array<Buffer | string> = [];
  private dones: Array<() => void> = [];

  send(frame: Buffer | string, done: () => void): void {
    this.frames.push(frame);
    this.dones.push(done);
  }

  get inFlight(): number {
    return this.dones.length;
  }

  /** Completes the frames in flight now (not the ones their completion sends). */
  complete(): void {
    const dones = this.dones;
    this.dones = [];
    for (const d of dones) d();
  }

  /** Completes the oldest frame in flight only. */
  completeOldest(): void {
    this.dones.shift()?.();
  }

  /** Completes frames until nothing is in flight. */
  drain(): void {
    while (this.dones.length > 0) this.complete();
  }

  /** Frames as readable strings: `out:<text>` (JSON output), `bin:<text>`, or `msg:<type>`. */
  get log(): string[] {
    return this.frames.map(describe);
  }

  clear(): void {
    this.frames.length = 0;
  }
}

function describe(frame: Buffer | string): string {
  if (typeof frame !== 'string') return `bin:${frame.toString('utf8')}`;
  const m = JSON.parse(frame) as { type: string; output?: string };
  return m.type === 'session_pty_output' ? `out:${m.output}` : `msg:${m.type}`;
}

class FakeHost implements ViewerHost {
  requests = 0;
  requestSnapshot(): void {
    this.requests++;
  }
}

function setup(opts: { binary?: boolean; acks?: boolean } = {}): { v: Viewer; sink: FakeSink; host: FakeHost } {
  const sink = new FakeSink();
  const host = new FakeHost();
  const v = new Viewer(sink, host);
  v.binary = opts.binary ?? false;
  v.setAcks(opts.acks ?? false);
  return { v, sink, host };
}

/** A viewer that has joined (snapshot "S" + running) and has nothing in flight. */
function joined(opts: { binary?: boolean; acks?: boolean } = {}): ReturnType<typeof setup> {
  const s = setup(opts);
  s.v.beginJoin();
  s.v.completeJoin('S', RUNNING);
  s.sink.drain();
  s.sink.clear();
  return s;
}

function out(v: Viewer, text: string): void {
  v.pushOutput(Buffer.from(text), text);
}

/** `n` bytes of output in one chunk. */
function big(v: Viewer, n: number): void {
  v.pushOutput(Buffer.alloc(n, 0x61), 'a'.repeat(n));
}

// ---- joining ----

for (const binary of [false, true]) {
  const o = binary ? 'bin' : 'out';
  test(`first join (${binary ? 'binary' : 'JSON'}): snapshot, then state, then queued output and messages in order`, () => {
    const { v, sink, host } = setup({ binary });
    v.beginJoin();
    assert.equal(host.requests, 1);
    assert.equal(v.isLive, false);

    out(v, 'a');
    v.pushMessage(IDLE);
    out(v, 'b');
    out(v, 'c');
    assert.deepEqual(sink.frames, [], 'nothing is sent before the snapshot');
    assert.equal(v.bufferedBytes, 3);

    v.completeJoin('SNAP', RUNNING);
    assert.equal(v.isLive, true);
    // The snapshot and state are in flight, so "a" waits; IDLE flushes it first; "b","c" coalesce.
    assert.deepEqual(sink.log, [`${o}:SNAP`, 'msg:session_running', `${o}:a`, 'msg:session_idle']);
    sink.drain();
    assert.deepEqual(sink.log, [`${o}:SNAP`, 'msg:session_running', `${o}:a`, 'msg:session_idle', `${o}:bc`]);
    assert.equal(v.bufferedBytes, 0);
    assert.equal(host.requests, 1);
  });
}

test('join with nothing queued: snapshot then state only', () => {
  const { v, sink } = setup();
  v.beginJoin();
  v.completeJoin('\x1bcHello', IDLE);
  sink.drain();
  assert.deepEqual(sink.log, ['out:\x1bcHello', 'msg:session_idle']);
});

test('completeJoin when not joining is ignored (late snapshot)', () => {
  const { v, sink } = joined();
  v.completeJoin('STALE', IDLE);
  assert.deepEqual(sink.frames, []);

  const fresh = setup();
  fresh.v.completeJoin('NEVER ASKED', IDLE);
  assert.deepEqual(fresh.sink.frames, []);
  assert.equal(fresh.v.isLive, false);
});

test('output before any join is dropped', () => {
  const { v, sink } = setup();
  out(v, 'x');
  assert.deepEqual(sink.frames, []);
  assert.equal(v.bufferedBytes, 0);
});

// ---- live output ----

test('output goes out at once while nothing is in flight', () => {
  const { v, sink } = joined();
  out(v, 'x');
  assert.deepEqual(sink.log, ['out:x']);
  sink.complete();
  out(v, 'y');
  assert.deepEqual(sink.log, ['out:x', 'out:y']);
  sink.complete();
  out(v, 'z');
  assert.deepEqual(sink.log, ['out:x', 'out:y', 'out:z']);
});

for (const binary of [false, true]) {
  test(`output is coalesced into one frame while a frame is in flight (${binary ? 'binary' : 'JSON'})`, () => {
    const { v, sink } = joined({ binary });
    out(v, 'x');
    out(v, 'y');
    out(v, 'z');
    out(v, 'w');
    assert.equal(sink.frames.length, 1);
    assert.equal(v.bufferedBytes, 3);
    sink.complete();
    assert.equal(sink.frames.length, 2);
    assert.equal(describe(sink.frames[1] as Buffer | string), binary ? 'bin:yzw' : 'out:yzw');
    assert.equal(v.bufferedBytes, 0);
    sink.complete();
    assert.equal(sink.frames.length, 2, 'nothing more to send');
  });
}

test('JSON frames are exactly {"type":"session_pty_output","output":...} built from the text', () => {
  const { v, sink } = joined();
  const text = '\x1b[31mrød 世界 😀\x1b[0m\r\n"quoted"\\';
  v.pushOutput(Buffer.from(text), text);
  assert.equal(sink.frames[0], JSON.stringify({ type: 'session_pty_output', output: text }));
  assert.equal(typeof sink.frames[0], 'string');
  assert.equal(sink.frames[0], `{"type":"session_pty_output","output":${JSON.stringify(text)}}`);
});

test('binary frames are Buffers of the raw bytes (not the decoded text)', () => {
  const { v, sink } = joined({ binary: true });
  const bytes = Buffer.from([0x1b, 0x5b, 0x41, 0xe2, 0x82]); // ends in half a UTF-8 character
  v.pushOutput(bytes, '\x1b[A');
  const frame = sink.frames[0];
  assert.ok(Buffer.isBuffer(frame));
  assert.deepEqual(frame, bytes);
  // Coalesced binary frames are the bytes concatenated.
  v.pushOutput(Buffer.from([0xac]), '€');
  v.pushOutput(Buffer.from('!'), '!');
  sink.complete();
  assert.deepEqual(sink.frames[1], Buffer.from([0xac, 0x21]));
});

test('the snapshot is a binary frame in binary mode, JSON output in JSON mode', () => {
  for (const binary of [false, true]) {
    const { v, sink } = setup({ binary });
    v.beginJoin();
    v.completeJoin('\x1bcé', RUNNING);
    const snap = sink.frames[0];
    if (binary) assert.deepEqual(snap, Buffer.from('\x1bcé'));
    else assert.equal(snap, JSON.stringify({ type: 'session_pty_output', output: '\x1bcé' }));
    assert.equal(sink.frames[1], JSON.stringify(RUNNING));
  }
});

// ---- control messages ----

test('pushMessage flushes pending output first, keeping stream order', () => {
  const { v, sink } = joined();
  out(v, 'x'); // in flight
  out(v, 'y'); // pending
  out(v, 'z'); // pending
  v.pushMessage(ENDED);
  assert.deepEqual(sink.log, ['out:x', 'out:yz', 'msg:session_ended']);
  assert.equal(sink.frames[2], JSON.stringify(ENDED));
  sink.drain();
  assert.equal(sink.frames.length, 3, 'nothing sent twice');
});

test('pushMessage with nothing pending is sent at once', () => {
  const { v, sink } = joined();
  v.pushMessage(IDLE);
  assert.deepEqual(sink.log, ['msg:session_idle']);
});

test('reply is sent at once and does not take a place in the output stream', () => {
  const { v, sink } = joined();
  out(v, 'x');
  out(v, 'y'); // pending
  v.reply(PONG);
  assert.deepEqual(sink.log, ['out:x', 'msg:pong']);
  sink.drain();
  assert.deepEqual(sink.log, ['out:x', 'msg:pong', 'out:y']);
});

test('reply works on a viewer that never joined', () => {
  const { v, sink } = setup();
  v.reply(PONG);
  assert.deepEqual(sink.log, ['msg:pong']);
});

test('a reply while joining waits behind the snapshot (nothing overtakes it)', () => {
  const { v, sink } = setup();
  v.beginJoin();
  v.reply(PONG);
  assert.equal(sink.frames.length, 0, 'not before the snapshot');
  v.completeJoin('SNAP', RUNNING);
  sink.drain();
  assert.equal(sink.log[0], 'out:SNAP');
  assert.ok(sink.log.indexOf('msg:pong') > 0, `the reply follows the snapshot: ${sink.log.join(', ')}`);
});

// ---- falling behind without acks: pending memory bound ----

test(`pending up to MAX_PENDING_BYTES (${MAX_PENDING_BYTES}) is kept`, () => {
  const { v, sink } = joined({ binary: true });
  out(v, 'x'); // in flight
  big(v, MAX_PENDING_BYTES);
  assert.equal(v.isLive, true);
  assert.equal(v.resyncs, 0);
  assert.equal(v.bufferedBytes, MAX_PENDING_BYTES);
  sink.complete();
  assert.equal((sink.frames[1] as Buffer).length, MAX_PENDING_BYTES);
});

test('pending above MAX_PENDING_BYTES → behind; re-joins with a fresh snapshot once nothing is in flight', () => {
  const { v, sink, host } = joined();
  out(v, 'x'); // in flight
  big(v, MAX_PENDING_BYTES / 2);
  big(v, MAX_PENDING_BYTES / 2 + 1);
  assert.equal(v.isLive, false);
  assert.equal(v.resyncs, 1);
  assert.equal(v.bufferedBytes, 0, 'pending output dropped');
  assert.equal(host.requests, 1, 'no new snapshot while a frame is in flight');

  out(v, 'lost'); // behind: dropped
  v.pushMessage(IDLE); // control messages still go out
  assert.deepEqual(sink.log, ['out:x', 'msg:session_idle']);

  sink.complete();
  assert.equal(host.requests, 2, 'fresh snapshot requested once nothing is in flight');
  out(v, 'q'); // joining: queued
  v.completeJoin('FRESH', RUNNING);
  sink.drain();
  assert.deepEqual(sink.log, ['out:x', 'msg:session_idle', 'out:FRESH', 'msg:session_running', 'out:q']);
  assert.equal(v.isLive, true);
  assert.equal(v.resyncs, 1);
  assert.ok(!sink.log.some((f) => f.includes('lost') || f.includes('aaa')), 'skipped bytes are never sent');
});

// ---- acks: unacked watermark ----

test('acks off: unacked bytes are never a reason to fall behind', () => {
  const { v, sink } = joined({ binary: true });
  for (let i = 0; i < 3; i++) {
    big(v, HIGH_WATERMARK);
    sink.drain();
  }
  out(v, 'x');
  assert.equal(v.isLive, true);
  assert.equal(v.resyncs, 0);
});

test('acks on: above HIGH_WATERMARK → behind; recovers only when acks bring unacked ≤ LOW_WATERMARK', () => {
  const { v, sink, host } = joined({ binary: true, acks: true });
  v.ack(1); // the 1-byte snapshot "S"
  assert.equal(v.unackedBytes, 0);

  big(v, HIGH_WATERMARK); // exactly at the watermark: still live
  sink.drain();
  out(v, 'y');
  sink.drain();
  assert.equal(v.isLive, true);
  assert.equal(v.unackedBytes, HIGH_WATERMARK + 1);

  out(v, 'z'); // above the watermark: this and later output is not sent
  assert.equal(v.isLive, false);
  assert.equal(v.resyncs, 1);
  assert.equal(sink.inFlight, 0);
  assert.equal(host.requests, 1, 'no snapshot while unacked > LOW_WATERMARK');
  const sent = sink.frames.length;
  out(v, 'more');
  assert.equal(sink.frames.length, sent);

  v.ack(HIGH_WATERMARK + 1 - LOW_WATERMARK - 1); // unacked = LOW + 1
  assert.equal(v.unackedBytes, LOW_WATERMARK + 1);
  assert.equal(host.requests, 1);
  v.ack(1); // unacked = LOW
  assert.equal(v.unackedBytes, LOW_WATERMARK);
  assert.equal(host.requests, 2, 'fresh snapshot once unacked ≤ LOW_WATERMARK');

  v.completeJoin('FRESH', IDLE);
  assert.equal(v.isLive, true);
  assert.deepEqual(sink.log.slice(sent), ['bin:FRESH', 'msg:session_idle']);
  assert.equal(v.unackedBytes, LOW_WATERMARK + 'FRESH'.length);
});

test('acks on: recovery also waits for frames in flight', () => {
  const { v, sink, host } = joined({ binary: true, acks: true });
  big(v, HIGH_WATERMARK + 10);
  v.pushMessage(IDLE); // goes out, stays in flight
  sink.completeOldest(); // completes the output only
  out(v, 'z'); // behind
  assert.equal(v.isLive, false);
  assert.ok(sink.inFlight > 0);
  v.ack(v.unackedBytes);
  assert.equal(host.requests, 1, 'a frame is still in flight');
  sink.drain();
  assert.equal(host.requests, 2);
});

test('acks: ack never drives unacked below zero', () => {
  const { v } = joined({ acks: true });
  v.ack(1_000_000);
  assert.equal(v.unackedBytes, 0);
  v.ack(0);
  assert.equal(v.unackedBytes, 0);
});

test("acks on: the snapshot's own size is allowed on top of the watermark", () => {
  const { v, sink } = setup({ binary: true, acks: true });
  const snapSize = 3 * 1024 * 1024; // larger than the watermark itself
  v.beginJoin();
  v.completeJoin('s'.repeat(snapSize), RUNNING);
  sink.drain();
  assert.equal(v.unackedBytes, snapSize);

  out(v, 'a');
  sink.drain();
  big(v, HIGH_WATERMARK - 1); // unacked = snapshot + HIGH: still allowed
  sink.drain();
  assert.equal(v.unackedBytes, snapSize + HIGH_WATERMARK);
  out(v, 'b'); // unacked was not above HIGH + snapshot: sent
  sink.drain();
  assert.equal(v.isLive, true);
  out(v, 'c'); // now above: behind
  assert.equal(v.isLive, false);
  assert.equal(v.resyncs, 1);
});

test('acks on: the snapshot allowance is used up as the snapshot is acked', () => {
  const { v, sink } = setup({ binary: true, acks: true });
  const snapSize = 1024 * 1024;
  v.beginJoin();
  v.completeJoin('s'.repeat(snapSize), RUNNING);
  sink.drain();
  big(v, HIGH_WATERMARK);
  sink.drain();
  out(v, 'a'); // HIGH + snapshot unacked: allowed because of the snapshot
  sink.drain();
  assert.equal(v.isLive, true);

  v.ack(snapSize); // the whole snapshot is acked (acks arrive in order: it came first)
  assert.equal(v.unackedBytes, HIGH_WATERMARK + 1);
  out(v, 'b'); // no snapshot bytes are unacked any more: HIGH + 1 is above the watermark
  assert.equal(v.isLive, false, 'viewer should fall behind: the acked snapshot no longer earns an allowance');
});

// ---- join overflow ----

test('a join that overflows while waiting requests a new snapshot and keeps the control messages', () => {
  const { v, sink, host } = setup();
  v.beginJoin();
  out(v, 'a');
  v.pushMessage(IDLE);
  big(v, MAX_PENDING_BYTES); // joinBytes = MAX + 1: overflow
  v.pushMessage(RUNNING);
  assert.equal(v.bufferedBytes, 0, 'queued output dropped at once');
  out(v, 'after');

  v.completeJoin('STALE', IDLE);
  assert.equal(host.requests, 2, 'a fresh snapshot is requested');
  assert.equal(v.isLive, false);
  assert.deepEqual(sink.log, ['msg:session_idle', 'msg:session_running'], 'messages kept, stale snapshot not sent');

  out(v, 'b');
  v.completeJoin('FRESH', ENDED);
  sink.drain();
  assert.deepEqual(sink.log, ['msg:session_idle', 'msg:session_running', 'out:FRESH', 'msg:session_ended', 'out:b']);
  assert.equal(v.isLive, true);
});

test('a join that stays at MAX_PENDING_BYTES does not overflow', () => {
  const { v, sink, host } = setup({ binary: true });
  v.beginJoin();
  big(v, MAX_PENDING_BYTES);
  v.completeJoin('S', RUNNING);
  assert.equal(host.requests, 1);
  sink.drain();
  assert.equal(sink.frames.length, 3);
  assert.equal((sink.frames[2] as Buffer).length, MAX_PENDING_BYTES);
});

// ---- detach ----

test('detach() stops everything: pending and later output, acks, joins', () => {
  const { v, sink, host } = joined({ acks: true });
  out(v, 'x'); // in flight
  out(v, 'y'); // pending
  v.detach();
  assert.equal(v.isLive, false);
  assert.equal(v.bufferedBytes, 0);
  sink.drain(); // completion of "x" must not flush "y"
  out(v, 'z');
  v.ack(100);
  assert.deepEqual(sink.log, ['out:x']);
  assert.equal(host.requests, 1);
});

test('detach() stops control messages too (they belong to the output stream)', () => {
  const { v, sink } = joined();
  v.detach();
  v.pushMessage(IDLE);
  v.pushMessage(ENDED);
  assert.deepEqual(sink.log, [], 'a detached viewer should not be sent stream messages');
  v.reply(PONG); // replies to the client's own requests still go out
  assert.deepEqual(sink.log, ['msg:pong']);
});

test('detach() while joining: the late snapshot is ignored', () => {
  const { v, sink, host } = setup();
  v.beginJoin();
  out(v, 'q');
  v.detach();
  assert.equal(v.bufferedBytes, 0);
  v.completeJoin('LATE', RUNNING);
  assert.deepEqual(sink.frames, []);
  assert.equal(host.requests, 1);
});

test('detach() while behind: completing frames does not start a join', () => {
  const { v, sink, host } = joined();
  out(v, 'x');
  big(v, MAX_PENDING_BYTES + 1);
  assert.equal(v.resyncs, 1);
  v.detach();
  sink.drain();
  assert.equal(host.requests, 1);
});

test('a detached viewer can join again', () => {
  const { v, sink, host } = joined();
  v.detach();
  v.beginJoin();
  assert.equal(host.requests, 2);
  v.completeJoin('AGAIN', IDLE);
  assert.deepEqual(sink.log, ['out:AGAIN', 'msg:session_idle']);
});

// ---- shared frames ----

test('viewers that keep up send the very same frame: one Buffer, one JSON string', () => {
  const bin = [joined({ binary: true }), joined({ binary: true })];
  const json = [joined(), joined()];
  const frame = new OutputFrame(Buffer.from('shared'), 'shared');
  for (const { v } of [...bin, ...json]) v.pushFrame(frame);
  assert.equal(bin[0]?.sink.frames[0], frame.bytes);
  assert.equal(bin[1]?.sink.frames[0], frame.bytes);
  assert.equal(json[0]?.sink.frames[0], json[1]?.sink.frames[0]);
  assert.equal(json[0]?.sink.frames[0], frame.json);
});

test('viewers waiting on the same frames share one coalesced frame', () => {
  const a = joined({ binary: true });
  const b = joined({ binary: true });
  const frames = ['x', 'y', 'z'].map((t) => new OutputFrame(Buffer.from(t), t));
  for (const f of frames) {
    a.v.pushFrame(f);
    b.v.pushFrame(f);
  }
  a.sink.complete();
  b.sink.complete();
  assert.equal(describe(a.sink.frames[1] as Buffer), 'bin:yz');
  assert.equal(a.sink.frames[1], b.sink.frames[1], 'the same Buffer');
});

test('viewers joining with the same snapshot share its encoding', () => {
  const a = setup({ binary: true });
  const b = setup({ binary: true });
  const snap = '\x1bc' + 'screen '.repeat(100);
  for (const s of [a, b]) {
    s.v.beginJoin();
    s.v.completeJoin(snap, RUNNING);
  }
  assert.equal(a.sink.frames[0], b.sink.frames[0]);
});

// ---- holding the PTY to catch up (HOLD_MS) ----

/** A host that grants holds (or not) and records them. */
class HoldingHost extends FakeHost {
  granting = true;
  holding = false;
  released: boolean[] = [];
  hold(): boolean {
    if (!this.granting) return false;
    this.holding = true;
    return true;
  }
  release(_v: Viewer, caughtUp: boolean): void {
    this.holding = false;
    this.released.push(caughtUp);
  }
}

function holdingViewer(opts: { acks?: boolean } = {}): { v: Viewer; sink: FakeSink; host: HoldingHost } {
  const sink = new FakeSink();
  const host = new HoldingHost();
  const v = new Viewer(sink, host);
  v.binary = true;
  v.setAcks(opts.acks ?? false);
  v.beginJoin();
  v.completeJoin('S', RUNNING);
  sink.drain();
  sink.clear();
  if (opts.acks) v.ack(1); // the snapshot
  return { v, sink, host };
}

test('no acks: over MAX_PENDING_BYTES with a host that grants holds → the PTY is held, nothing dropped; released once the frame is sent', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { v, sink, host } = holdingViewer();
  out(v, 'x'); // in flight
  big(v, MAX_PENDING_BYTES);
  big(v, 10); // over the limit
  assert.equal(host.holding, true, 'the PTY is held');
  assert.equal(v.isLive, true);
  big(v, 10); // what the PTY had already read still waits
  assert.equal(v.bufferedBytes, MAX_PENDING_BYTES + 20);
  sink.complete(); // the socket took the frame in flight: the pending ones go as one
  assert.deepEqual(host.released, [true], 'caught up');
  sink.drain();
  const sent = sink.frames.reduce((n, f) => n + (f as Buffer).length, 0);
  assert.equal(sent, 1 + MAX_PENDING_BYTES + 20, 'every byte went out');
  assert.equal(v.resyncs, 0);
  t.mock.timers.tick(HOLD_MS * 2);
  assert.equal(v.isLive, true, 'a released hold has no timer left');
});

test('acks: over HIGH_WATERMARK → held while output still goes out; acks back under half the limit release it', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { v, sink, host } = holdingViewer({ acks: true });
  big(v, HIGH_WATERMARK);
  sink.drain();
  out(v, 'y'); // unacked HIGH_WATERMARK + 1 after this
  sink.drain();
  out(v, 'z'); // over: held, and sent
  sink.drain();
  assert.equal(host.holding, true);
  assert.ok(sink.log.some((f) => f === 'bin:z'), 'output already read is still sent');
  v.ack(HIGH_WATERMARK / 2); // unacked still above half the limit
  assert.equal(host.holding, true);
  v.ack(HIGH_WATERMARK / 2);
  assert.deepEqual(host.released, [true]);
  assert.equal(v.resyncs, 0);
  assert.equal(v.isLive, true);
});

test(`a hold that runs out (${HOLD_MS} ms without catching up) → released as failed, and the viewer falls behind`, (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { v, host } = holdingViewer();
  out(v, 'x'); // in flight, never completed: a socket that does not read
  big(v, MAX_PENDING_BYTES + 1);
  assert.equal(host.holding, true);
  t.mock.timers.tick(HOLD_MS - 1);
  assert.equal(v.isLive, true, 'still waiting for it');
  t.mock.timers.tick(1);
  assert.deepEqual(host.released, [false]);
  assert.equal(v.isLive, false);
  assert.equal(v.resyncs, 1);
  assert.equal(v.bufferedBytes, 0, 'what waited is dropped');
});

test('while held, past twice the limit → behind at once (memory stays bounded)', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { v, host } = holdingViewer();
  out(v, 'x'); // in flight
  big(v, MAX_PENDING_BYTES + 1); // held
  big(v, MAX_PENDING_BYTES - 1); // exactly twice: still held
  assert.equal(v.isLive, true);
  big(v, 1);
  assert.deepEqual(host.released, [false]);
  assert.equal(v.isLive, false);
  assert.equal(v.bufferedBytes, 0);
});

test('a hold refused (cooldown, a view-only viewer) → behind at once, as without holds', () => {
  const { v, host } = holdingViewer();
  host.granting = false;
  out(v, 'x');
  big(v, MAX_PENDING_BYTES + 1);
  assert.equal(v.isLive, false);
  assert.equal(v.resyncs, 1);
  assert.deepEqual(host.released, []);
});

test('detached while holding → released as a failure (leaving must not dodge the cooldown); its timer does nothing later', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { v, host } = holdingViewer();
  out(v, 'x');
  big(v, MAX_PENDING_BYTES + 1);
  v.detach();
  assert.deepEqual(host.released, [false]);
  t.mock.timers.tick(HOLD_MS);
  assert.deepEqual(host.released, [false]);
  assert.equal(v.resyncs, 0);
});

test('a hold the host dropped (the run ended) → its timer is gone: no resync after the end', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { v, host } = holdingViewer();
  out(v, 'x');
  big(v, MAX_PENDING_BYTES + 1);
  assert.equal(host.holding, true);
  v.cancelHold();
  t.mock.timers.tick(HOLD_MS);
  assert.equal(v.isLive, true);
  assert.equal(v.resyncs, 0);
  assert.deepEqual(host.released, [], 'the host already let go');
});
