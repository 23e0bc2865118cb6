import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerMessage } from '../../shared/protocol.js';
import type { TrackerHost } from '../state/tracker.js';
import { createVoice, LastReplies } from './voice.js';

const out = (output: string, extra: { is_thinking?: boolean; is_error?: boolean } = {}): ServerMessage =>
  ({ type: 'session_output', session_id: 's', output, is_thinking: extra.is_thinking ?? false, ...(extra.is_error ? { is_error: true } : {}) });

test('the last reply of each session: replies and errors, not thinking or other messages', () => {
  const r = new LastReplies();
  r.note('a', out('first'));
  r.note('a', out('thinking about it', { is_thinking: true }));
  r.note('a', { type: 'session_idle', session_id: 'a' });
  r.note('a', out('   '));
  assert.equal(r.get('a')?.text, 'first');
  r.note('a', out('second'));
  r.note('b', out('API Error: 500', { is_error: true }));
  assert.equal(r.get('a')?.text, 'second');
  assert.deepEqual([r.get('b')?.text, r.get('b')?.isError], ['API Error: 500', true]);
  assert.equal(r.get('c'), undefined);
});

test('memory is bounded: the session heard from longest ago is forgotten first', () => {
  const r = new LastReplies(2);
  r.note('a', out('1'));
  r.note('b', out('2'));
  r.note('a', out('3')); // a is now the most recent
  r.note('c', out('4'));
  assert.deepEqual([r.get('a')?.text, r.get('b'), r.get('c')?.text], ['3', undefined, '4']);
  r.note('d', out('x'.repeat(100_000)));
  assert.equal(r.get('d')?.text.length, 16 * 1024, 'one reply is capped');
});

test('observe: a host that notes what the tracker broadcasts and is otherwise the session\'s own', () => {
  const sent: ServerMessage[] = [];
  let machine = { state: 'idle' };
  const host = {
    dispatch: () => undefined,
    broadcast: (m: ServerMessage) => sent.push(m),
    readScreenLines: () => undefined,
    write: () => undefined,
    setPrompt: () => true,
    nextOutput: () => Promise.resolve(),
  } as unknown as TrackerHost;
  Object.defineProperty(host, 'machine', { get: () => machine });
  Object.defineProperty(host, 'bracketedPaste', { get: () => true });
  const r = new LastReplies();
  const seen = r.observe('s1', host);
  seen.broadcast(out('hello'));
  assert.equal(sent.length, 1, 'still sent to the viewers');
  assert.equal(r.get('s1')?.text, 'hello');
  machine = { state: 'running' };
  assert.deepEqual(seen.machine, { state: 'running' }, 'getters read the session live');
  assert.equal(seen.bracketedPaste, true);
  assert.equal(seen.setPrompt('x'), true);
});

test('createVoice: each service only when configured', () => {
  const off = createVoice({ stt: null, tts: null });
  assert.deepEqual([off.stt, off.tts], [null, null]);
  const on = createVoice({ stt: { url: 'http://127.0.0.1:1/v1', key: null, model: 'whisper-1', language: null }, tts: { url: 'http://127.0.0.1:1/v1', key: null, model: 'tts-1', voice: 'alloy', format: 'mp3' } });
  assert.ok(on.stt && on.tts);
});

test('SpeechSlots: at most max at once; a slot given back frees one, twice counts once', async () => {
  const { SpeechSlots } = await import('./voice.js');
  const slots = new SpeechSlots(2);
  const a = slots.begin();
  const b = slots.begin();
  assert.ok(a && b);
  assert.equal(slots.begin(), null, 'a third is refused');
  a();
  a();
  const c = slots.begin();
  assert.ok(c, 'one freed');
  assert.equal(slots.begin(), null, 'giving back twice frees one only');
});
