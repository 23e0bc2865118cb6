import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assistantBlocks, TranscriptTail, type TranscriptBlock } from './transcript.js';

// Transcript lines shaped like Claude Code 2.1.328's (claude-code-facts.md §6): one line per
// content block for assistant messages, `message` being the API message.
let n = 0;
function assistant(content: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  n++;
  return {
    parentUuid: `p-${n}`,
    isSidechain: false,
    type: 'assistant',
    message: { id: `msg_${n}`, type: 'message', role: 'assistant', model: 'claude-opus-5-5', content, stop_reason: null },
    requestId: `req_${n}`,
    requestedModel: 'claude-opus-5-5',
    uuid: `a-${n}`,
    timestamp: '2026-01-01T00:00:00.000Z',
    sessionId: 'ed7a0000-0000-4000-8000-000000000000',
    ...extra,
  };
}
const text = (t: string, extra?: Record<string, unknown>) => assistant([{ type: 'text', text: t }], extra);
const thinking = (t: string) => assistant([{ type: 'thinking', thinking: t, signature: 'sig' }]);
const toolUse = () =>
  assistant([{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'touch x', description: 'Touch' } }]);
const userPrompt = (t: string) => ({
  parentUuid: null,
  isSidechain: false,
  type: 'user',
  message: { role: 'user', content: t },
  uuid: `u-${++n}`,
  permissionMode: 'default',
  origin: { kind: 'human' },
  promptSource: 'typed',
});
const toolResult = () => ({
  type: 'user',
  message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'hello-from-tool' }] },
  uuid: `u-${++n}`,
  toolUseResult: { stdout: 'hello-from-tool', stderr: '', interrupted: false },
});
const line = (rec: unknown) => `${JSON.stringify(rec)}\n`;

test('assistantBlocks: assistant text is output, not thinking', () => {
  assert.deepEqual(assistantBlocks(text('I will run a command.')), [{ text: 'I will run a command.', thinking: false }]);
});

test('assistantBlocks: a thinking block is thinking', () => {
  assert.deepEqual(assistantBlocks(thinking('Let me consider.')), [{ text: 'Let me consider.', thinking: true }]);
});

test('assistantBlocks: several blocks in one line keep their order; tool_use is left out', () => {
  const rec = assistant([
    { type: 'thinking', thinking: 'hmm', signature: 's' },
    { type: 'text', text: 'one' },
    { type: 'tool_use', id: 't', name: 'Bash', input: {} },
    { type: 'text', text: 'two' },
  ]);
  assert.deepEqual(assistantBlocks(rec), [
    { text: 'hmm', thinking: true },
    { text: 'one', thinking: false },
    { text: 'two', thinking: false },
  ]);
});

test('assistantBlocks: tool_use, user lines, sidechain lines, blank text and other line types give nothing', () => {
  assert.deepEqual(assistantBlocks(toolUse()), []);
  assert.deepEqual(assistantBlocks(userPrompt('please run it')), []);
  assert.deepEqual(assistantBlocks(toolResult()), []);
  assert.deepEqual(assistantBlocks(text('from a subagent', { isSidechain: true })), []);
  assert.deepEqual(assistantBlocks(text('')), []);
  assert.deepEqual(assistantBlocks(text('  \n\t ')), []);
  assert.deepEqual(assistantBlocks(thinking('   ')), []);
  assert.deepEqual(assistantBlocks({ type: 'system', subtype: 'turn_duration', durationMs: 6000, messageCount: 4 }), []);
  assert.deepEqual(assistantBlocks({ type: 'ai-title', aiTitle: 'Mock session title' }), []);
  // Malformed assistant lines do not throw.
  assert.deepEqual(assistantBlocks({ type: 'assistant' }), []);
  assert.deepEqual(assistantBlocks({ type: 'assistant', message: { content: 'plain string' } }), []);
  assert.deepEqual(assistantBlocks({ type: 'assistant', message: { content: [null, 3, { type: 'text', text: 7 }] } }), []);
});

/** A line Claude Code wrote itself (not the model): `message.model` "<synthetic>". */
function synthetic(t: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const rec = text(t, extra);
  return { ...rec, message: { ...(rec.message as Record<string, unknown>), model: '<synthetic>', stop_reason: 'stop_sequence', stop_sequence: '' } };
}

test('assistantBlocks: an API error line (<synthetic>, isApiErrorMessage) is not a reply', () => {
  const apiError = { error: 'server_error', isApiErrorMessage: true, apiErrorStatus: 500, apiErrorType: 'api_error' };
  assert.deepEqual(assistantBlocks(synthetic('API Error: 500 mock error 500.', apiError)), []);
  // Either mark alone is enough.
  assert.deepEqual(assistantBlocks(text('API Error: 500 mock error 500.', apiError)), []);
  assert.deepEqual(assistantBlocks(synthetic('API Error: 500 mock error 500.')), []);
});

test('assistantBlocks: "No response requested." written by Claude Code on a resume (<synthetic>) is not a reply', () => {
  assert.deepEqual(assistantBlocks(synthetic('No response requested.')), []);
  // The same text from the model is.
  assert.deepEqual(assistantBlocks(text('No response requested.')), [{ text: 'No response requested.', thinking: false }]);
  assert.deepEqual(assistantBlocks(text('ok', { isApiErrorMessage: false })), [{ text: 'ok', thinking: false }]);
});

/** A temp transcript with the tail under test; both are cleaned up whatever happens. */
function withTail(
  initial: string,
  fn: (ctx: { file: string; dir: string; blocks: TranscriptBlock[]; lines: Record<string, unknown>[]; tail: TranscriptTail }) => Promise<void> | void,
): () => Promise<void> {
  return async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccpty-transcript-'));
    const file = path.join(dir, 'ed7a0000-0000-4000-8000-000000000000.jsonl');
    fs.writeFileSync(file, initial);
    const blocks: TranscriptBlock[] = [];
    const lines: Record<string, unknown>[] = [];
    const tail = new TranscriptTail(file, (b) => blocks.push(b), (l) => lines.push(l));
    try {
      await fn({ file, dir, blocks, lines, tail });
    } finally {
      tail.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'TranscriptTail: what was there before the tail started is not reported (resume replay)',
  withTail(line(userPrompt('old')) + line(text('old answer')) + line(thinking('old thought')), ({ blocks, lines, tail }) => {
    tail.read();
    assert.deepEqual(blocks, []);
    assert.deepEqual(lines, []);
  }),
);

test(
  'TranscriptTail: appended lines are reported, every line to onLine, text/thinking to onBlock',
  withTail(line(text('old answer')), ({ file, blocks, lines, tail }) => {
    fs.appendFileSync(file, line(userPrompt('new prompt')) + line(thinking('considering')) + line(text('new answer')) + line(toolUse()));
    tail.read();
    assert.deepEqual(blocks, [
      { text: 'considering', thinking: true },
      { text: 'new answer', thinking: false },
    ]);
    assert.deepEqual(
      lines.map((l) => l.type),
      ['user', 'assistant', 'assistant', 'assistant'],
    );
    // Nothing new: nothing more.
    tail.read();
    assert.equal(blocks.length, 2);
    fs.appendFileSync(file, line(toolResult()) + line(text('DONE')));
    tail.read();
    assert.deepEqual(blocks.at(-1), { text: 'DONE', thinking: false });
    assert.equal(blocks.length, 3);
  }),
);

test(
  'TranscriptTail: a line written in two halves is reported once, complete',
  withTail('', ({ file, blocks, lines, tail }) => {
    const full = line(text('a fairly long answer that arrives in two writes'));
    const cut = Math.floor(full.length / 2);
    fs.appendFileSync(file, full.slice(0, cut));
    tail.read();
    assert.deepEqual(blocks, []);
    assert.deepEqual(lines, []);
    fs.appendFileSync(file, full.slice(cut));
    tail.read();
    assert.deepEqual(blocks, [{ text: 'a fairly long answer that arrives in two writes', thinking: false }]);
    assert.equal(lines.length, 1);
  }),
);

test(
  'TranscriptTail: a multi-byte character split between two writes arrives intact',
  withTail('', ({ file, blocks, tail }) => {
    const answer = 'café ❯ 日本語 ✻ done';
    const bytes = Buffer.from(line(text(answer)), 'utf8');
    // Cut inside the 3-byte "❯" (E2 9D AF).
    const glyph = bytes.indexOf(Buffer.from('❯', 'utf8'));
    assert.ok(glyph > 0);
    fs.appendFileSync(file, bytes.subarray(0, glyph + 1));
    tail.read();
    fs.appendFileSync(file, bytes.subarray(glyph + 1));
    tail.read();
    assert.deepEqual(blocks, [{ text: answer, thinking: false }]);
  }),
);

test(
  'TranscriptTail: invalid JSON lines and non-object JSON are skipped, the rest is read',
  withTail('', ({ file, blocks, lines, tail }) => {
    fs.appendFileSync(file, '{not json\n' + line(text('first')) + 'null\n42\n"str"\n\n   \n' + line(text('second')));
    tail.read();
    assert.deepEqual(
      blocks.map((b) => b.text),
      ['first', 'second'],
    );
    assert.equal(lines.length, 2);
  }),
);

test(
  'TranscriptTail: the same assistant line (same uuid and text) appended twice is reported once',
  withTail('', ({ file, blocks, lines, tail }) => {
    const rec = text('only once');
    fs.appendFileSync(file, line(rec) + line(rec));
    tail.read();
    fs.appendFileSync(file, line(rec));
    tail.read();
    assert.deepEqual(blocks, [{ text: 'only once', thinking: false }]);
    assert.equal(lines.length, 3, 'onLine still sees every line');
    // Same text under another uuid is a new block.
    fs.appendFileSync(file, line(text('only once')));
    tail.read();
    assert.equal(blocks.length, 2);
  }),
);

test(
  'TranscriptTail: a truncated file restarts from 0',
  withTail(line(text('old one')) + line(text('old two')), ({ file, blocks, tail }) => {
    fs.appendFileSync(file, line(text('before truncation')));
    tail.read();
    assert.deepEqual(blocks.map((b) => b.text), ['before truncation']);
    fs.truncateSync(file, 0);
    fs.appendFileSync(file, line(text('after truncation')));
    tail.read();
    assert.deepEqual(blocks.map((b) => b.text), ['before truncation', 'after truncation']);
  }),
);

test(
  'TranscriptTail: a file replaced (renamed over) by a shorter one restarts from 0',
  withTail(line(text('old one')) + line(text('old two')), ({ file, dir, blocks, tail }) => {
    const next = path.join(dir, 'next.jsonl');
    fs.writeFileSync(next, line(text('in the new file')));
    fs.renameSync(next, file);
    tail.read();
    assert.deepEqual(blocks.map((b) => b.text), ['in the new file']);
  }),
);

test(
  'TranscriptTail: a file replaced by a longer one restarts from 0 too',
  withTail(line(text('old')), ({ file, dir, blocks, tail }) => {
    const next = path.join(dir, 'next.jsonl');
    fs.writeFileSync(next, line(text('first line of the new, longer file')) + line(text('second line of the new file')));
    fs.renameSync(next, file);
    tail.read();
    assert.deepEqual(blocks.map((b) => b.text), ['first line of the new, longer file', 'second line of the new file']);
  }),
);

test(
  'TranscriptTail: a half-written line pending when the file is truncated does not corrupt the new first line',
  withTail('', ({ file, blocks, tail }) => {
    // A long half-line, then a new file shorter than it (so the size check sees the truncation).
    const stale = line(userPrompt(`a long prompt ${'x'.repeat(600)}`)).slice(0, 500);
    const fresh = line(text('fresh'));
    assert.ok(fresh.length < stale.length);
    fs.appendFileSync(file, stale);
    tail.read();
    fs.truncateSync(file, 0);
    fs.appendFileSync(file, fresh);
    tail.read();
    assert.deepEqual(blocks.map((b) => b.text), ['fresh']);
  }),
);

test(
  'TranscriptTail: close() stops it (read() after close reports nothing)',
  withTail('', ({ file, blocks, lines, tail }) => {
    fs.appendFileSync(file, line(text('seen')));
    tail.read();
    tail.close();
    tail.close(); // idempotent
    fs.appendFileSync(file, line(text('not seen')));
    tail.read();
    assert.deepEqual(blocks.map((b) => b.text), ['seen']);
    assert.equal(lines.length, 1);
  }),
);

test(
  'TranscriptTail: a missing file is fine until it appears',
  withTail('', ({ dir, tail: _unused }) => {
    const missing = path.join(dir, 'later.jsonl');
    const blocks: TranscriptBlock[] = [];
    const tail = new TranscriptTail(missing, (b) => blocks.push(b));
    try {
      tail.read();
      fs.writeFileSync(missing, line(text('it exists now')));
      tail.read();
      assert.deepEqual(blocks.map((b) => b.text), ['it exists now']);
    } finally {
      tail.close();
    }
  }),
);

test(
  'TranscriptTail: fs.watch reports an append without read() being called',
  withTail(line(text('old')), async ({ file, blocks }) => {
    fs.appendFileSync(file, line(text('via watch')));
    // fs.watch (or, where it misses events, the 1 s poll) should call read(); wait up to 3 s.
    const deadline = Date.now() + 3000;
    while (blocks.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(blocks, [{ text: 'via watch', thinking: false }]);
  }),
);
