import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toEchokitState } from './echokit-state.js';
import type { ServerMessage } from './protocol.js';

const S = 'a0b1c2d3-0000-4000-8000-000000000001';
const state = (current_state: unknown) => ({ type: 'session_state', session_id: S, current_state });

const CASES: ReadonlyArray<readonly [string, ServerMessage, unknown]> = [
  ['idle', { type: 'session_idle', session_id: S }, state({ state: 'Idle' })],
  ['running with its prompt', { type: 'session_running', session_id: S, prompt: 'hi' }, state({ state: 'Working', prompt: 'hi' })],
  ['running, prompt unknown', { type: 'session_running', session_id: S }, state({ state: 'Working', prompt: '' })],
  ['output', { type: 'session_output', session_id: S, output: 'DONE', is_thinking: false }, state({ state: 'Output', output: 'DONE', is_thinking: false })],
  ['thinking', { type: 'session_output', session_id: S, output: 'hmm', is_thinking: true }, state({ state: 'Output', output: 'hmm', is_thinking: true })],
  [
    'pending',
    { type: 'session_pending', session_id: S, tool_name: 'Bash', tool_input: { command: 'ls' }, options: ['Yes', 'No'], tool_use_id: 'toolu_1' },
    state({ state: 'PreUseTool', request: [{ id: 'toolu_1', name: 'Bash', input: { command: 'ls' }, done: false }], is_pending: true }),
  ],
  [
    'tool request',
    { type: 'session_tool_request', session_id: S, tool_name: 'Read', tool_input: { file_path: '/x' } },
    state({ state: 'PreUseTool', request: [{ id: '', name: 'Read', input: { file_path: '/x' }, done: false }], is_pending: false }),
  ],
  ['tool result', { type: 'session_tool_result', session_id: S, tool_name: 'Bash', is_error: true }, state({ state: 'StopUseTool', is_error: true })],
  [
    'internal_error keeps echokit_pty spelling',
    { type: 'session_error', session_id: S, error_code: 'internal_error', error_message: 'x' },
    { type: 'session_error', session_id: S, error_code: 'InternalError', error_message: 'x' },
  ],
  [
    'other errors unchanged',
    { type: 'session_error', session_id: S, error_code: 'session_not_found' },
    { type: 'session_error', session_id: S, error_code: 'session_not_found' },
  ],
  ['pty output unchanged', { type: 'session_pty_output', output: '\x1b[1mhi' }, { type: 'session_pty_output', output: '\x1b[1mhi' }],
  ['ended unchanged', { type: 'session_ended', session_id: S, exit_code: 0, exit_signal: null }, { type: 'session_ended', session_id: S, exit_code: 0, exit_signal: null }],
];

for (const [name, input, expected] of CASES) {
  test(`toEchokitState: ${name}`, () => {
    assert.deepEqual(toEchokitState(input), expected);
  });
}
