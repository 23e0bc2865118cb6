import { test } from 'node:test';
import assert from 'node:assert/strict';
import { echokitDecodesError, echokitEncoder } from './echokit-state.js';
import type { ServerMessage } from './protocol.js';

const S = 'a0b1c2d3-0000-4000-8000-000000000001';
const state = (current_state: unknown) => ({ type: 'session_state', session_id: S, current_state });

const BASH_PENDING: ServerMessage = {
  type: 'session_pending',
  session_id: S,
  kind: 'permission',
  tool_name: 'Bash',
  tool_input: { command: 'ls' },
  options: ['Yes', 'No'],
  tool_use_id: 'toolu_1',
  question: 'Do you want to proceed?',
};
const BASH_PRE_USE = state({ state: 'PreUseTool', request: [{ id: 'toolu_1', name: 'Bash', input: { command: 'ls' }, done: false }], is_pending: true });

/** One message through a fresh encoder (no dialog announced before it). */
const CASES: ReadonlyArray<readonly [string, ServerMessage, unknown]> = [
  ['idle', { type: 'session_idle', session_id: S }, state({ state: 'Idle' })],
  ['running: not a state of this variant', { type: 'session_running', session_id: S, prompt: 'hi' }, null],
  ['the PTY size (a ccpty extension): not sent', { type: 'session_size', session_id: S, cols: 120, rows: 40 }, null],
  ['output', { type: 'session_output', session_id: S, output: 'DONE', is_thinking: false }, state({ state: 'Output', output: 'DONE', is_thinking: false })],
  ['thinking', { type: 'session_output', session_id: S, output: 'hmm', is_thinking: true }, state({ state: 'Output', output: 'hmm', is_thinking: true })],
  [
    'an API error is Output (the bridge knows no error flag)',
    { type: 'session_output', session_id: S, output: 'API Error: 500', is_thinking: false, is_error: true },
    state({ state: 'Output', output: 'API Error: 500', is_thinking: false }),
  ],
  ['pending (permission): kind, options and question left out', BASH_PENDING, BASH_PRE_USE],
  [
    'pending question (AskUserQuestion), no tool_use_id',
    {
      type: 'session_pending',
      session_id: S,
      kind: 'question',
      tool_name: 'AskUserQuestion',
      tool_input: { questions: [{ question: 'Which color do you prefer?' }] },
      options: ['Red', 'Blue', 'Type something.', 'Chat about this'],
      question: 'Which color do you prefer?',
    },
    state({ state: 'PreUseTool', request: [{ id: '', name: 'AskUserQuestion', input: { questions: [{ question: 'Which color do you prefer?' }] }, done: false }], is_pending: true }),
  ],
  [
    'pending plan (ExitPlanMode)',
    { type: 'session_pending', session_id: S, kind: 'plan', tool_name: 'ExitPlanMode', tool_input: { plan: '# Plan' }, options: ['Yes, and use auto mode'], tool_use_id: 'toolu_9' },
    state({ state: 'PreUseTool', request: [{ id: 'toolu_9', name: 'ExitPlanMode', input: { plan: '# Plan' }, done: false }], is_pending: true }),
  ],
  [
    'tool request',
    { type: 'session_tool_request', session_id: S, tool_name: 'Read', tool_input: { file_path: '/x' } },
    state({ state: 'PreUseTool', request: [{ id: '', name: 'Read', input: { file_path: '/x' }, done: false }], is_pending: false }),
  ],
  [
    'tool request with no input: input null (the bridge needs the field)',
    { type: 'session_tool_request', session_id: S, tool_name: 'Read', tool_input: undefined, tool_use_id: 'toolu_3' },
    state({ state: 'PreUseTool', request: [{ id: 'toolu_3', name: 'Read', input: null, done: false }], is_pending: false }),
  ],
  ['tool result', { type: 'session_tool_result', session_id: S, tool_name: 'Bash', is_error: true }, state({ state: 'StopUseTool', is_error: true })],
  [
    'tool result of an interrupted call',
    { type: 'session_tool_result', session_id: S, tool_name: 'Bash', tool_use_id: 'toolu_2', is_error: true, interrupted: true },
    state({ state: 'StopUseTool', is_error: true }),
  ],
  [
    'internal_error keeps echokit_pty spelling, with a message',
    { type: 'session_error', session_id: S, error_code: 'internal_error', error_message: 'x' },
    { type: 'session_error', session_id: S, error_code: 'InternalError', error_message: 'x' },
  ],
  [
    'internal_error without a message: an empty one',
    { type: 'session_error', session_id: S, error_code: 'internal_error' },
    { type: 'session_error', session_id: S, error_code: 'InternalError', error_message: '' },
  ],
  [
    'session_not_found: just the code',
    { type: 'session_error', session_id: S, error_code: 'session_not_found', error_message: 'no session with this id' },
    { type: 'session_error', session_id: S, error_code: 'session_not_found' },
  ],
  [
    'invalid_input_for_state: its state and input, no message',
    { type: 'session_error', session_id: S, error_code: 'invalid_input_for_state', error_message: 'no', error_state: 'pending', error_input: 'input' },
    { type: 'session_error', session_id: S, error_code: 'invalid_input_for_state', error_state: 'pending', error_input: 'input' },
  ],
  [
    'invalid_input: the message',
    { type: 'session_error', session_id: S, error_code: 'invalid_input', error_message: 'option 7 does not exist' },
    { type: 'session_error', session_id: S, error_code: 'invalid_input', error_message: 'option 7 does not exist' },
  ],
  ['an error code the bridge cannot decode is not sent', { type: 'session_error', session_id: S, error_code: 'limit_exceeded', error_message: 'too many' }, null],
  ['forbidden is not sent either', { type: 'session_error', session_id: S, error_code: 'forbidden' }, null],
  ['pty output: type and output only', { type: 'session_pty_output', output: '\x1b[1mhi' }, { type: 'session_pty_output', output: '\x1b[1mhi' }],
  ['ended: type and session_id only', { type: 'session_ended', session_id: S, exit_code: 0, exit_signal: null }, { type: 'session_ended', session_id: S }],
  ['pong unchanged', { type: 'pong' }, { type: 'pong' }],
];

for (const [name, input, expected] of CASES) {
  test(`echokitEncoder: ${name}`, () => {
    assert.deepEqual(echokitEncoder()(input), expected);
  });
}

test('echokitEncoder: one dialog is one PreUseTool is_pending; its updates (the next question, options read) are not sent', () => {
  const encode = echokitEncoder();
  assert.deepEqual(encode(BASH_PENDING), BASH_PRE_USE);
  assert.equal(encode({ ...BASH_PENDING, options: ['Yes', 'Yes, and always…', 'No'] }), null);
  assert.equal(encode({ ...BASH_PENDING, question: 'Which size do you need?' }), null);
  // Another call's dialog is a new prompt.
  assert.deepEqual(encode({ ...BASH_PENDING, tool_use_id: 'toolu_2' }), state({ state: 'PreUseTool', request: [{ id: 'toolu_2', name: 'Bash', input: { command: 'ls' }, done: false }], is_pending: true }));
});

test('echokitEncoder: without a tool_use_id a dialog is known by its tool and input', () => {
  const encode = echokitEncoder();
  const ask: ServerMessage = { type: 'session_pending', session_id: S, kind: 'question', tool_name: 'AskUserQuestion', tool_input: { q: 1 }, options: [] };
  assert.notEqual(encode(ask), null);
  assert.equal(encode({ ...ask, options: ['Red', 'Blue'] }), null);
  assert.notEqual(encode({ ...ask, tool_input: { q: 2 } }), null);
});

test('echokitEncoder: the same call pending again after its result, idle or the end is announced again', () => {
  for (const between of [
    { type: 'session_tool_result', session_id: S, tool_name: 'Bash', tool_use_id: 'toolu_1', is_error: false },
    { type: 'session_idle', session_id: S },
    { type: 'session_ended', session_id: S },
  ] satisfies ServerMessage[]) {
    const encode = echokitEncoder();
    assert.notEqual(encode(BASH_PENDING), null);
    encode(between);
    assert.deepEqual(encode(BASH_PENDING), BASH_PRE_USE, between.type);
  }
  // Another call's result does not reset it; nor does running.
  const encode = echokitEncoder();
  encode(BASH_PENDING);
  encode({ type: 'session_tool_result', session_id: S, tool_name: 'Read', tool_use_id: 'toolu_other', is_error: false });
  encode({ type: 'session_running', session_id: S });
  assert.equal(encode(BASH_PENDING), null);
});

test('echokitEncoder: each connection has its own memory', () => {
  const a = echokitEncoder();
  const b = echokitEncoder();
  assert.notEqual(a(BASH_PENDING), null);
  assert.deepEqual(b(BASH_PENDING), BASH_PRE_USE);
});

test('echokitDecodesError: the four codes the bridge decodes', () => {
  for (const code of ['session_not_found', 'invalid_input', 'invalid_input_for_state', 'internal_error']) assert.equal(echokitDecodesError(code), true, code);
  for (const code of ['forbidden', 'limit_exceeded', 'unauthorized', 'rate_limited', 'InternalError', '']) assert.equal(echokitDecodesError(code), false, code);
});
