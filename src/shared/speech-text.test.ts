import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pendingSpeech, READ_MAX_CHARS, replySpeech } from './speech-text.js';

test('a fenced code block is told by its length, not read', () => {
  const code = Array.from({ length: 12 }, (_, i) => `line ${i}`).join('\n');
  const said = replySpeech(`Here is the script:\n\n\`\`\`\n${code}\n\`\`\`\n\nRun it with node.`);
  assert.equal(said, 'Here is the script:\nA code block of 12 lines.\nRun it with node.');
  assert.equal(replySpeech('```python\nprint(1)\n```'), 'A python code block of 1 line.');
  assert.equal(replySpeech('```ts\na\nb\n```'), 'A ts code block of 2 lines.');
  assert.equal(replySpeech('~~~\nx\n~~~'), 'A code block of 1 line.');
  assert.equal(replySpeech('```\nnot closed\nstill code'), 'A code block of 2 lines.', 'an unclosed fence runs to the end');
});

test('a table is told by its rows (the rule line is not a row)', () => {
  const said = replySpeech('Results:\n| name | size |\n|------|-----:|\n| a | 1 |\n| b | 2 |\nDone.');
  assert.equal(said, 'Results:\nA table of 3 rows.\nDone.');
});

test('long paths are told by their last part; short ones and links', () => {
  assert.equal(replySpeech('I created /home/me/projects/app/src/index.ts for you.'), 'I created a path ending in index.ts for you.');
  assert.equal(replySpeech('See src/server/voice/audio.ts.'), 'See a path ending in audio.ts.');
  assert.equal(replySpeech('Edit notes/todo.md'), 'Edit notes/todo.md');
  assert.equal(replySpeech('Docs: https://www.example.com/a/b?c=d'), 'Docs: a link to example.com');
  assert.equal(replySpeech('Read [the guide](https://example.com/guide).'), 'Read the guide.');
});

test('Markdown marks are dropped; short inline code is read, long is summarised', () => {
  assert.equal(replySpeech('# Summary\n\n- **Bold** point\n- *one* more\n1. `npm test` passes'), 'Summary\nBold point\none more\nnpm test passes');
  assert.equal(replySpeech(`Use \`${'x'.repeat(60)}\` here`), 'Use a code snippet here');
  assert.equal(replySpeech('keep snake_case_names and 2*3*4'), 'keep snake_case_names and 2*3*4');
});

test('a long reply is cut at a sentence and says the rest is on screen', () => {
  const long = 'This is a sentence of about fifty characters long. '.repeat(40);
  const said = replySpeech(long);
  assert.ok(said.length <= READ_MAX_CHARS + 30, `${said.length} characters`);
  assert.match(said, /long\. The rest is on screen\.$/);
});

test('an error is told briefly', () => {
  assert.equal(replySpeech('API Error: 500 {"type":"error"}', true), 'Error: API Error: 500 {"type":"error"}');
  const said = replySpeech(`API Error: ${'overloaded '.repeat(40)}`, true);
  assert.ok(said.length <= 130 && said.startsWith('Error: API Error: overloaded'), said);
});

test('a pending Bash dialog: the command, then the answers it takes', () => {
  const said = pendingSpeech({
    kind: 'permission',
    tool_name: 'Bash',
    tool_input: { command: 'touch notes.txt', description: 'Create a file' },
    options: ['Yes', 'Yes, and always allow access to tmp/ from this project', 'No'],
  });
  assert.equal(said, 'Claude wants to run Bash: touch notes.txt. Yes, always, or no?');
  assert.equal(pendingSpeech({ kind: 'permission', tool_name: 'Bash', tool_input: { command: 'ls' }, options: ['Yes', 'No'] }), 'Claude wants to run Bash: ls. Yes, or no?');
});

test('other dialogs: Write names the file, a question lists its labels, a plan asks to proceed', () => {
  assert.equal(
    pendingSpeech({ kind: 'permission', tool_name: 'Write', tool_input: { file_path: '/home/me/work/notes.txt', content: 'x' }, options: ['Yes', 'Yes, allow all edits during this session', 'No'] }),
    'Claude wants to write notes.txt. Yes, always, or no?',
  );
  assert.equal(
    pendingSpeech({ kind: 'question', tool_name: 'AskUserQuestion', tool_input: {}, question: 'Which color do you prefer?', options: ['Red', 'Blue', 'Type something.', 'Chat about this'] }),
    'Claude asks: Which color do you prefer? Red, or Blue?',
  );
  assert.equal(
    pendingSpeech({ kind: 'plan', tool_name: 'ExitPlanMode', tool_input: {}, question: 'Would you like to proceed?', options: ['Yes, and use auto mode', 'Yes, manually approve edits', 'Tell Claude what to change'] }),
    'Claude has a plan ready. Would you like to proceed? Yes, or no?',
  );
});
