import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionStateName } from './state.js';
import { normalizeUtterance, spokenAction, spokenNumber, type SpokenAction, type SpokenContext } from './voice-answers.js';

/** Claude Code 2.1.332's Bash dialog. */
const BASH = ['Yes', 'Yes, and always allow access to tmp/ from this project', 'Yes, and switch to auto mode · shift+tab', 'No'];
const WRITE = ['Yes', 'Yes, allow all edits during this session (shift+tab)', 'No'];
const QUESTION = ['Red', 'Blue', 'Type something.', 'Chat about this'];
const PLAN = ['Yes, and use auto mode', 'Yes, manually approve edits', 'Tell Claude what to change'];

const pending = (options: string[], kind: 'permission' | 'question' | 'plan' = 'permission'): SpokenContext => ({ state: 'pending', pending: { kind, options } });
const state = (s: SessionStateName): SpokenContext => ({ state: s, pending: null });
const act = (said: string, ctx: SpokenContext): SpokenAction => spokenAction(said, ctx);
const selected = (said: string, ctx: SpokenContext): number | string => {
  const a = act(said, ctx);
  return a.kind === 'select' ? a.index : a.kind;
};

test('normalizing: case, punctuation, fillers, repeats', () => {
  assert.equal(normalizeUtterance('  Yes. '), 'yes');
  assert.equal(normalizeUtterance('Yes, please!'), 'yes');
  assert.equal(normalizeUtterance('Please, approve.'), 'approve');
  assert.equal(normalizeUtterance("Don’t ask again"), 'dont ask again');
  assert.equal(normalizeUtterance('no no no'), 'no');
  assert.equal(normalizeUtterance('确认。'), '确认');
  assert.equal(normalizeUtterance('好吧'), '好');
  assert.equal(normalizeUtterance('Option 2?'), 'option 2');
});

test('English: yes / approve / allow / ok pick the first Yes option', () => {
  for (const said of ['yes', 'Yes.', 'Approve', 'allow', 'OK', 'okay!', 'yeah', 'Yes, please.']) {
    assert.deepEqual(act(said, pending(BASH)), { kind: 'select', index: 0, label: 'Yes' }, said);
  }
  assert.equal(selected('yes', pending(PLAN, 'plan')), 0, 'a plan: its first Yes');
});

test('English: always / don\'t ask again pick that option when the dialog shows one', () => {
  for (const said of ['always', "Don't ask again.", 'yes always', 'always allow']) assert.equal(selected(said, pending(BASH)), 1, said);
  assert.equal(selected('always', pending(WRITE)), 1, 'Write: allow all edits during this session');
  const none = act('always', pending(['Yes', 'No']));
  assert.equal(none.kind, 'none');
  assert.match((none as { reason: string }).reason, /no "always" option/);
});

test('English: no / deny pick the No option, or cancel where there is none', () => {
  for (const said of ['no', 'No.', 'deny', 'nope', 'decline']) assert.equal(selected(said, pending(BASH)), 3, said);
  assert.deepEqual(act('no', pending(PLAN, 'plan')), { kind: 'cancel', why: 'decline' });
  assert.deepEqual(act('no', pending(QUESTION, 'question')), { kind: 'cancel', why: 'decline' });
});

test('option numbers: "option two", "number 2", "the second one", "2", "two"', () => {
  for (const said of ['option two', 'Option 2.', 'number two', 'number 2', 'the second one', 'second', '2', 'two', 'option to', 'choice two']) {
    assert.deepEqual(act(said, pending(BASH)), { kind: 'select', index: 1, label: BASH[1] }, said);
  }
  assert.equal(selected('option four', pending(BASH)), 3);
  assert.equal(selected('option one', pending(QUESTION, 'question')), 0);
  const beyond = act('option five', pending(BASH));
  assert.equal(beyond.kind, 'none');
  assert.match((beyond as { reason: string }).reason, /no option 5: the dialog shows 4/);
  assert.equal(spokenNumber('to'), null, 'a homophone only after "option"/"number"');
  assert.equal(spokenNumber('second thoughts'), null);
});

test('a question: saying a label picks it; Claude Code\'s own entries only by number', () => {
  assert.deepEqual(act('Blue.', pending(QUESTION, 'question')), { kind: 'select', index: 1, label: 'Blue' });
  assert.equal(selected('the red', pending(QUESTION, 'question')), 0);
  assert.equal(act('type something', pending(QUESTION, 'question')).kind, 'none');
  assert.equal(selected('option three', pending(QUESTION, 'question')), 2);
  assert.equal(act('blue', pending(BASH)).kind, 'none', 'labels are matched in questions only');
  assert.equal(act('yes', pending(QUESTION, 'question')).kind, 'none', 'a question has no Yes');
});

test('cancel / stop: decline a dialog, interrupt running work, nothing when idle', () => {
  for (const said of ['cancel', 'Stop.', 'stop it', 'never mind']) assert.deepEqual(act(said, pending(BASH)), { kind: 'cancel', why: 'decline' }, said);
  assert.deepEqual(act('stop', state('running')), { kind: 'cancel', why: 'interrupt' });
  assert.deepEqual(act('Cancel!', state('starting')), { kind: 'cancel', why: 'interrupt' });
  assert.equal(act('stop', state('idle')).kind, 'none');
  assert.equal(act('stop', state('stopped')).kind, 'none');
});

test('anything else while pending is not typed, and the answer says what may be said', () => {
  const a = act('list the files in this folder', pending(BASH));
  assert.equal(a.kind, 'none');
  assert.match((a as { reason: string }).reason, /^Not sent: Claude is waiting for an answer\. Say yes, always, no, an option number \(1-4\), or cancel\.$/);
  assert.equal(act('yes, and then list the files', pending(BASH)).kind, 'none', 'a phrase inside a sentence does not answer');
  assert.equal(act('', pending(BASH)).kind, 'none');
  assert.equal(act('  ', state('idle')).kind, 'none', 'nothing heard is never a prompt');
});

test('outside a dialog every other utterance is a prompt, exactly as heard', () => {
  assert.deepEqual(act(' List the files in this folder. ', state('idle')), { kind: 'prompt', text: 'List the files in this folder.' });
  assert.deepEqual(act('yes', state('idle')), { kind: 'prompt', text: 'yes' }, 'a yes outside a dialog is just words');
  assert.deepEqual(act('option two', state('running')), { kind: 'prompt', text: 'option two' });
  assert.deepEqual(act('hello', state('stopped')), { kind: 'prompt', text: 'hello' });
});

test('Chinese: 确认 / 拒绝 / 第二个 / 中断', () => {
  for (const said of ['确认', '确认。', '是的', '好的', '可以', '同意']) assert.equal(selected(said, pending(BASH)), 0, said);
  for (const said of ['拒绝', '不要', '不行']) assert.equal(selected(said, pending(BASH)), 3, said);
  assert.deepEqual(act('拒绝', pending(PLAN, 'plan')), { kind: 'cancel', why: 'decline' });
  for (const said of ['第二个', '第二', '第2个', '选项二', '选二']) assert.equal(selected(said, pending(BASH)), 1, said);
  assert.equal(selected('第四个', pending(BASH)), 3);
  assert.equal(selected('总是允许', pending(BASH)), 1);
  for (const said of ['中断', '取消', '停止']) assert.deepEqual(act(said, pending(BASH)), { kind: 'cancel', why: 'decline' }, said);
  assert.deepEqual(act('中断', state('running')), { kind: 'cancel', why: 'interrupt' });
  assert.deepEqual(act('列出这个文件夹里的文件', state('idle')), { kind: 'prompt', text: '列出这个文件夹里的文件' });
  assert.equal(act('列出文件', pending(BASH)).kind, 'none');
});
