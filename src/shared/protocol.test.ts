import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CLIENT_FRAME_BYTES } from './flow.js';
import {
  CLIENT_MESSAGE_TYPES,
  decodeClientMessage,
  sessionError,
  stateMessage,
  validateClientMessage,
  type ClientMessage,
} from './protocol.js';
import { SESSION_STATES, type PendingTool, type SessionStateName } from './state.js';

function ok(raw: unknown): ClientMessage {
  const r = validateClientMessage(raw);
  if (!r.ok) assert.fail(`expected ${JSON.stringify(raw)} to be valid, got: ${r.message}`);
  return r.value;
}

function fails(raw: unknown): string {
  const r = validateClientMessage(raw);
  if (r.ok) assert.fail(`expected ${JSON.stringify(raw)} to be invalid, got ${JSON.stringify(r.value)}`);
  return r.message;
}

// ---- valid messages: one (or more) per type, with the decoded value expected ----

const VALID: ReadonlyArray<readonly [string, unknown, ClientMessage]> = [
  ['create_session', { type: 'create_session' }, { type: 'create_session' }],
  ['get_current_state', { type: 'get_current_state' }, { type: 'get_current_state' }],
  ['input', { type: 'input', input: 'hello' }, { type: 'input', input: 'hello' }],
  ['input (empty text)', { type: 'input', input: '' }, { type: 'input', input: '' }],
  ['bytes_input (numbers)', { type: 'bytes_input', input: [0, 27, 255] }, { type: 'bytes_input', input: [0, 27, 255] }],
  ['bytes_input (empty array)', { type: 'bytes_input', input: [] }, { type: 'bytes_input', input: [] }],
  ['bytes_input (string)', { type: 'bytes_input', input: '\x1b[A' }, { type: 'bytes_input', input: '\x1b[A' }],
  ['cancel', { type: 'cancel' }, { type: 'cancel' }],
  ['confirm', { type: 'confirm' }, { type: 'confirm' }],
  ['select 0', { type: 'select', index: 0 }, { type: 'select', index: 0 }],
  ['select 3', { type: 'select', index: 3 }, { type: 'select', index: 3 }],
  ['resize (min)', { type: 'resize', cols: 1, rows: 1 }, { type: 'resize', cols: 1, rows: 1 }],
  ['resize (max)', { type: 'resize', cols: 1000, rows: 1000 }, { type: 'resize', cols: 1000, rows: 1000 }],
  ['hello (bare)', { type: 'hello' }, { type: 'hello' }],
  ['hello (binary+ack)', { type: 'hello', binary: true, ack: false }, { type: 'hello', binary: true, ack: false }],
  ['ack 0', { type: 'ack', bytes: 0 }, { type: 'ack', bytes: 0 }],
  ['ack max', { type: 'ack', bytes: Number.MAX_SAFE_INTEGER }, { type: 'ack', bytes: Number.MAX_SAFE_INTEGER }],
  ['ping', { type: 'ping' }, { type: 'ping' }],
];

for (const [name, raw, expected] of VALID) {
  test(`valid: ${name}`, () => {
    assert.deepEqual(ok(raw), expected);
    // The same message through the text decoder.
    const d = decodeClientMessage(JSON.stringify(raw));
    assert.deepEqual(d, { ok: true, value: expected });
  });
}

test('every client message type has a valid case above', () => {
  const covered = new Set(VALID.map(([, , v]) => v.type));
  assert.deepEqual([...CLIENT_MESSAGE_TYPES].sort(), [...covered].sort());
});

// ---- invalid field values: the error names the message type and the field ----

const INVALID_FIELDS: ReadonlyArray<readonly [string, unknown, string]> = [
  ['input: missing', { type: 'input' }, 'input'],
  ['input: number', { type: 'input', input: 42 }, 'input'],
  ['input: null', { type: 'input', input: null }, 'input'],
  ['input: array', { type: 'input', input: ['a'] }, 'input'],
  ['bytes_input: missing', { type: 'bytes_input' }, 'input'],
  ['bytes_input: object', { type: 'bytes_input', input: {} }, 'input'],
  ['bytes_input: number', { type: 'bytes_input', input: 65 }, 'input'],
  ['bytes_input: byte 256', { type: 'bytes_input', input: [1, 256] }, 'input'],
  ['bytes_input: negative byte', { type: 'bytes_input', input: [-1] }, 'input'],
  ['bytes_input: fractional byte', { type: 'bytes_input', input: [1.5] }, 'input'],
  ['bytes_input: string element', { type: 'bytes_input', input: ['a'] }, 'input'],
  ['select: missing', { type: 'select' }, 'index'],
  ['select: negative', { type: 'select', index: -1 }, 'index'],
  ['select: fractional', { type: 'select', index: 1.5 }, 'index'],
  ['select: string', { type: 'select', index: '1' }, 'index'],
  ['resize: cols 0', { type: 'resize', cols: 0, rows: 24 }, 'cols'],
  ['resize: cols 1001', { type: 'resize', cols: 1001, rows: 24 }, 'cols'],
  ['resize: rows 0', { type: 'resize', cols: 80, rows: 0 }, 'rows'],
  ['resize: rows 1001', { type: 'resize', cols: 80, rows: 1001 }, 'rows'],
  ['resize: negative', { type: 'resize', cols: -80, rows: 24 }, 'cols'],
  ['resize: fractional', { type: 'resize', cols: 80, rows: 24.5 }, 'rows'],
  ['resize: string', { type: 'resize', cols: '80', rows: 24 }, 'cols'],
  ['resize: rows missing', { type: 'resize', cols: 80 }, 'rows'],
  ['hello: binary string', { type: 'hello', binary: 'yes' }, 'binary'],
  ['hello: ack number', { type: 'hello', ack: 1 }, 'ack'],
  ['ack: missing', { type: 'ack' }, 'bytes'],
  ['ack: negative', { type: 'ack', bytes: -1 }, 'bytes'],
  ['ack: fractional', { type: 'ack', bytes: 0.5 }, 'bytes'],
  ['ack: unsafe integer', { type: 'ack', bytes: Number.MAX_SAFE_INTEGER + 2 }, 'bytes'],
];

for (const [name, raw, field] of INVALID_FIELDS) {
  test(`invalid: ${name}`, () => {
    const msg = fails(raw);
    const type = (raw as { type: string }).type;
    assert.match(msg, new RegExp(`"${type}"`), `error should name the message type: ${msg}`);
    assert.match(msg, new RegExp(`"${field}(\\.\\d+)?"`), `error should name the field "${field}": ${msg}`);
  });
}

// ---- envelope errors ----

const NOT_OBJECTS: ReadonlyArray<readonly [string, unknown]> = [
  ['null', null],
  ['string', 'create_session'],
  ['number', 1],
  ['boolean', true],
  ['empty array', []],
  ['array of a message', [{ type: 'ping' }]],
];

for (const [name, raw] of NOT_OBJECTS) {
  test(`invalid: not an object (${name})`, () => {
    assert.equal(fails(raw), 'message must be a JSON object');
    assert.deepEqual(decodeClientMessage(JSON.stringify(raw)), { ok: false, message: 'message must be a JSON object' });
  });
}

test('validateClientMessage: undefined is not an object', () => {
  assert.equal(fails(undefined), 'message must be a JSON object');
});

const NO_TYPE: ReadonlyArray<readonly [string, unknown]> = [
  ['missing type', { input: 'x' }],
  ['numeric type', { type: 1 }],
  ['null type', { type: null }],
  ['object type', { type: { name: 'input' } }],
];

for (const [name, raw] of NO_TYPE) {
  test(`invalid: ${name}`, () => {
    assert.match(fails(raw), /"type"/);
  });
}

const UNKNOWN_TYPES = ['nope', '', 'INPUT', 'Ping', 'session_idle', 'toString', '__proto__', 'constructor', 'hasOwnProperty'];

for (const type of UNKNOWN_TYPES) {
  test(`invalid: unknown type ${JSON.stringify(type)}`, () => {
    assert.equal(fails({ type }), `unknown message type "${type}"`);
  });
}

test('unknown type: the echoed name is truncated', () => {
  const long = 'x'.repeat(10_000);
  const msg = fails({ type: long });
  assert.equal(msg, `unknown message type "${'x'.repeat(64)}"`);
});

const MALFORMED = ['', '{', '{"type":"ping"', "{type:'ping'}", 'undefined', 'NaN', '{"type":"ping"}}', '\u0000'];

for (const text of MALFORMED) {
  test(`decode: malformed JSON ${JSON.stringify(text)}`, () => {
    assert.deepEqual(decodeClientMessage(text), { ok: false, message: 'message is not valid JSON' });
  });
}

test('decode: JSON with surrounding whitespace is fine', () => {
  assert.deepEqual(decodeClientMessage(' \n{"type":"ping"}\n '), { ok: true, value: { type: 'ping' } });
});

test('decode: a frame of exactly the limit is accepted, one more is refused', () => {
  const frame = (length: number): string => {
    const head = '{"type":"input","input":"';
    const tail = '"}';
    return head + 'a'.repeat(length - head.length - tail.length) + tail;
  };
  const atLimit = frame(MAX_CLIENT_FRAME_BYTES);
  assert.equal(atLimit.length, MAX_CLIENT_FRAME_BYTES);
  const r = decodeClientMessage(atLimit);
  assert.equal(r.ok, true);

  const over = decodeClientMessage(frame(MAX_CLIENT_FRAME_BYTES + 1));
  assert.deepEqual(over, { ok: false, message: `message larger than ${MAX_CLIENT_FRAME_BYTES} bytes` });
});

test('decode: oversize text is refused before parsing (even if not JSON)', () => {
  const r = decodeClientMessage('x'.repeat(MAX_CLIENT_FRAME_BYTES + 1));
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.message, /larger than/);
});

test('decode/validate never throw on hostile input', () => {
  const inputs: unknown[] = [
    { type: 'input', input: 'x', __proto__: { polluted: true } },
    JSON.parse('{"type":"input","input":"x","__proto__":{"polluted":true}}'),
    Object.create(null) as unknown,
    { type: 'select', index: Number.NaN },
    { type: 'resize', cols: Infinity, rows: 1 },
  ];
  for (const raw of inputs) assert.doesNotThrow(() => validateClientMessage(raw));
  assert.equal(({} as { polluted?: boolean }).polluted, undefined);
});

// ---- PascalCase aliases (EchoKit's serde variant names) ----

const ALIASES: ReadonlyArray<readonly [unknown, ClientMessage]> = [
  [{ type: 'CreateSession' }, { type: 'create_session' }],
  [{ type: 'CurrentState' }, { type: 'get_current_state' }],
  [{ type: 'GetCurrentState' }, { type: 'get_current_state' }],
  [{ type: 'Input', input: 'hi' }, { type: 'input', input: 'hi' }],
  [{ type: 'BytesInput', input: [104, 105] }, { type: 'bytes_input', input: [104, 105] }],
  [{ type: 'BytesInput', input: 'hi' }, { type: 'bytes_input', input: 'hi' }],
  [{ type: 'Cancel' }, { type: 'cancel' }],
  [{ type: 'Confirm' }, { type: 'confirm' }],
  [{ type: 'Select', index: 2 }, { type: 'select', index: 2 }],
];

for (const [raw, expected] of ALIASES) {
  test(`alias: ${(raw as { type: string }).type} → ${expected.type}`, () => {
    assert.deepEqual(ok(raw), expected);
    assert.deepEqual(decodeClientMessage(JSON.stringify(raw)), { ok: true, value: expected });
  });
}

test('alias: errors report the snake_case type and the field', () => {
  assert.match(fails({ type: 'Select', index: -1 }), /^invalid "select" message at "index"/);
  assert.match(fails({ type: 'Input' }), /^invalid "input" message at "input"/);
});

test('alias: the input object is not mutated', () => {
  const raw = { type: 'Input', input: 'hi' };
  ok(raw);
  assert.equal(raw.type, 'Input');
});

// ---- extra fields ----

test('extra fields are ignored (and not passed on)', () => {
  assert.deepEqual(ok({ type: 'input', input: 'hi', session_id: 'x', extra: { deep: [1] } }), { type: 'input', input: 'hi' });
  assert.deepEqual(ok({ type: 'ping', id: 7 }), { type: 'ping' });
  assert.deepEqual(ok({ type: 'select', index: 1, label: 'Yes' }), { type: 'select', index: 1 });
  assert.deepEqual(ok({ type: 'hello', binary: true, variant: 'echokit', role: 'view' }), { type: 'hello', binary: true });
  assert.deepEqual(ok({ type: 'CreateSession', cols: 'x' }), { type: 'create_session' });
});

// ---- server messages ----

const PENDING: PendingTool = { kind: 'permission', tool_name: 'Bash', tool_input: { command: 'ls' }, options: ['Yes', 'No'] };
/** A question dialog: its kind, question and tool_use_id go out with the state. */
const QUESTION: PendingTool = {
  kind: 'question',
  tool_name: 'AskUserQuestion',
  tool_input: { questions: [{ question: 'Which color do you prefer?', header: 'Color', options: [{ label: 'Red' }, { label: 'Blue' }], multiSelect: false }] },
  options: ['Red', 'Blue', 'Type something.', 'Chat about this'],
  tool_use_id: 'toolu_07',
  question: 'Which color do you prefer?',
};

const STATE_MESSAGES: ReadonlyArray<readonly [SessionStateName, PendingTool | null, unknown]> = [
  ['starting', null, { type: 'session_running', session_id: 'S' }],
  ['running', null, { type: 'session_running', session_id: 'S' }],
  ['idle', null, { type: 'session_idle', session_id: 'S' }],
  ['pending', PENDING, { type: 'session_pending', session_id: 'S', kind: 'permission', tool_name: 'Bash', tool_input: { command: 'ls' }, options: ['Yes', 'No'] }],
  ['pending', QUESTION, { type: 'session_pending', session_id: 'S', ...QUESTION }],
  ['pending', null, { type: 'session_running', session_id: 'S' }],
  ['stopped', null, { type: 'session_ended', session_id: 'S' }],
];

for (const [state, pending, expected] of STATE_MESSAGES) {
  test(`stateMessage(${state}, ${pending ? 'tool' : 'null'})`, () => {
    assert.deepEqual(stateMessage('S', state, pending), expected);
  });
}

test('stateMessage: every state is covered above', () => {
  assert.deepEqual([...new Set(STATE_MESSAGES.map(([s]) => s))].sort(), [...SESSION_STATES].sort());
});

test('stateMessage: session_pending carries the dialog kind, question and tool_use_id as given', () => {
  const m = stateMessage('S', 'pending', QUESTION);
  assert.equal(m.type, 'session_pending');
  if (m.type !== 'session_pending') return;
  assert.equal(m.kind, 'question');
  assert.equal(m.question, 'Which color do you prefer?');
  assert.equal(m.tool_use_id, 'toolu_07');
  assert.deepEqual(m.options, ['Red', 'Blue', 'Type something.', 'Chat about this']);
  // No question known (the hook came, the dialog was not read): no question field at all.
  assert.equal('question' in stateMessage('S', 'pending', PENDING), false);
});

test('stateMessage: running carries the prompt when known', () => {
  assert.deepEqual(stateMessage('S', 'running', null, 'hi'), { type: 'session_running', session_id: 'S', prompt: 'hi' });
  assert.deepEqual(stateMessage('S', 'starting', null, ''), { type: 'session_running', session_id: 'S', prompt: '' });
});

test('stateMessage: a pending tool is ignored outside the pending state', () => {
  assert.deepEqual(stateMessage('S', 'idle', PENDING), { type: 'session_idle', session_id: 'S' });
  assert.deepEqual(stateMessage('S', 'running', PENDING), { type: 'session_running', session_id: 'S' });
});

test('sessionError: minimal shape', () => {
  const e = sessionError('S', 'session_not_found');
  assert.deepEqual(e, { type: 'session_error', session_id: 'S', error_code: 'session_not_found' });
  assert.deepEqual(Object.keys(e).sort(), ['error_code', 'session_id', 'type']);
});

test('sessionError: with extras', () => {
  assert.deepEqual(
    sessionError('S', 'invalid_input_for_state', { error_message: 'no', error_state: 'pending', error_input: 'input' }),
    {
      type: 'session_error',
      session_id: 'S',
      error_code: 'invalid_input_for_state',
      error_message: 'no',
      error_state: 'pending',
      error_input: 'input',
    },
  );
  assert.deepEqual(sessionError('S', 'invalid_input', { error_message: 'bad' }), {
    type: 'session_error',
    session_id: 'S',
    error_code: 'invalid_input',
    error_message: 'bad',
  });
});
