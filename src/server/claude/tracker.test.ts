import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { stateMessage, type ServerMessage } from '../../shared/protocol.js';
import { next, type MachineState, type StateEvent } from '../../shared/state-machine.js';
import type { SessionStateName } from '../../shared/state.js';
import { ENTER, ESC } from '../sessions/keys.js';
import type { TrackerHost } from '../state/tracker.js';
import type { HookPayload } from './hooks.js';
import { readScreen } from './screen.js';
import { ClaudeTracker } from './tracker.js';

// The tracker's timings (tracker.ts, screen-watch.ts); the tests assert against these exact values.
const IDLE_STABLE_MS = 400;
const HOOK_GRACE_MS = 1200;
const DIALOG_SETTLE_MS = 250;
const PRESS_VERIFY_MS = 450;
const DIALOG_WAIT_MS = 1500;
const DIALOG_ANNOUNCE_MS = 2000;
/** A dialog counts once read the same twice, this far apart. */
const DIALOG_STABLE_MS = 40;
const DIALOG_LOST_MS = 5000;
const TOOL_DECIDE_MS = 1000;
const TRANSCRIPT_WAIT_MS = 3000;
const POLL_MS = 60;

const SID = 'sess-claude';
const T0 = 1_000_000;
const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';
const paste = (text: string): string => `${PASTE_START}${text}${PASTE_END}`;

// ---- Screens shaped like Claude Code 2.1.328/2.1.332's at 120 columns (screen.test.ts reads the
// real captures; claude-dialogs.md §2) ----

const COLS = 120;
const RULE = '─'.repeat(COLS);
const DASHED = '╌'.repeat(COLS);
const NBSP = '\u00a0';
const BANNER = [
  ' ▐▛███▛█   Claude Code v2.1.332',
  '▝▜██████▀  Opus 5.5 · API Usage Billing',
  ' ▝▝   ▝▝   /tmp/t/proj',
  `${' '.repeat(100)}◐ medium · /effort`,
];

function promptBox(status: string, text = ''): string[] {
  const [first = '', ...rest] = text.split('\n');
  return [RULE, `❯${NBSP}${first}`, ...rest.map((l) => `  ${l}`), RULE, `  ${status}`];
}

const IDLE = [...BANNER, ...promptBox('⏸ manual mode on · ? for shortcuts · ← for agents')];

/** Idle with text in the box (a prompt restored after Esc, or typed): no "? for shortcuts". */
function idleWith(text: string): string[] {
  return text === '' ? IDLE : [...BANNER, ...promptBox('⏸ manual mode on', text)];
}

const RUNNING = [
  ...BANNER,
  '',
  `❯${NBSP}please create the greeting file`,
  '',
  '✽ Garnishing…',
  '',
  ...promptBox('⏸ manual mode on · esc to interrupt · ← for agents'),
];

/** Busy with text typed into the box meanwhile. */
function runningWith(text: string): string[] {
  return [...RUNNING.slice(0, -5), ...promptBox('⏸ manual mode on · esc to interrupt · ← for agents', text)];
}

const PERMISSION_OPTIONS = [
  'Yes',
  'Yes, and always allow access to /tmp/t/proj from this project',
  'Yes, and switch to auto mode · auto mode handles these prompts for you',
  'No',
];

function bashDialog(command: string): string[] {
  return [
    ...BANNER,
    '',
    `❯${NBSP}please create the greeting file`,
    '',
    `●${NBSP}I will run a command.`,
    '',
    RULE,
    ' Bash command',
    '',
    ' Tip: auto mode handles these prompts for you — choose "switch to auto mode" below',
    ' Print a greeting',
    DASHED,
    ` ${command}`,
    DASHED,
    ' Do you want to proceed?',
    ...PERMISSION_OPTIONS.map((label, i) => (i === 0 ? ` ❯ ${i + 1}. ${label}` : `   ${i + 1}. ${label}`)),
    '',
    ' Esc to cancel · Tab to amend',
  ];
}

const PERMISSION = bashDialog('touch hello-from-tool.txt && echo hello-from-tool');

/** The next tool call's dialog (a parallel Write), drawn right after the first is answered. */
const WRITE_OPTIONS = ['Yes', 'Yes, and switch to accept edits (auto-approve file edits and common file commands) for this session (shift+tab)', 'No'];
const PERMISSION_WRITE = [
  ...BANNER,
  '',
  `●${NBSP}Write(w.txt)`,
  '',
  RULE,
  ' Create file',
  ' w.txt',
  DASHED,
  '  1 written by the fake API',
  DASHED,
  ' Do you want to create w.txt?',
  ...WRITE_OPTIONS.map((label, i) => (i === 0 ? ` ❯ ${i + 1}. ${label}` : `   ${i + 1}. ${label}`)),
  '',
  ' Esc to cancel · Tab to amend',
];

const COLOR_OPTIONS = ['Red', 'Blue', 'Type something.', 'Chat about this'];
const SIZE_OPTIONS = ['Small', 'Large', 'Type something.', 'Chat about this'];

/** AskUserQuestion: one question, or the tab of a two-question call. */
function askDialog(question: string, labels: readonly [string, string, string, string], tabs: string | null): string[] {
  const [a, da, b, db] = labels;
  return [
    ...BANNER,
    '',
    `❯${NBSP}pick a color MOCK:ask`,
    '',
    `●${NBSP}I have a question.`,
    '',
    RULE,
    tabs ?? ' ☐ Color',
    '',
    question,
    '',
    `❯ 1. ${a}`,
    `     ${da}`,
    `  2. ${b}`,
    `     ${db}`,
    '  3. Type something.',
    RULE,
    '  4. Chat about this',
    '',
    tabs ? 'Enter to select · Tab/Arrow keys to navigate · Esc to cancel' : 'Enter to select · ↑/↓ to navigate · Esc to cancel',
  ];
}
const ASK_COLOR = askDialog('Which color do you prefer?', ['Red', 'A warm color', 'Blue', 'A cool color'], null);
const ASK2_COLOR = askDialog('Which color do you prefer?', ['Red', 'A warm color', 'Blue', 'A cool color'], '←  ☐ Color  ☐ Size  ✔ Submit  →');
const ASK2_SIZE = askDialog('Which size do you need?', ['Small', 'Fits in a pocket', 'Large', 'Needs a bag'], '←  ☒ Color  ☐ Size  ✔ Submit  →');

const PLAN_OPTIONS = ['Yes, and use auto mode', 'Yes, manually approve edits', 'Tell Claude what to change'];
const PLAN = [
  ...BANNER,
  '',
  `●${NBSP}Here is my plan.`,
  '▔'.repeat(COLS),
  '',
  `  ${'─'.repeat(COLS - 4)}`,
  '   Ready to code?',
  '',
  '   Here is Claude\'s plan:',
  `  ${'╌'.repeat(COLS - 4)}`,
  '   Mock plan',
  '',
  '   1. Create plan-step.txt',
  '   2. Say DONE',
  `  ${'╌'.repeat(COLS - 4)}`,
  '',
  `  ${'─'.repeat(COLS - 4)}`,
  '   Claude has written up a plan and is ready to execute. Would you like to proceed?',
  '',
  '   ❯ 1. Yes, and use auto mode',
  '     2. Yes, manually approve edits',
  '     3. Tell Claude what to change',
  '        shift+tab to approve with this feedback',
  '',
  '   ctrl+g to edit in Vim · /tmp/t/cfg/plans/make-a-plan.md',
];

const AFTER_APPROVE = [
  ...BANNER,
  '',
  `●${NBSP}Printing a greeting`,
  '  ⎿  $ touch hello-from-tool.txt && echo hello-from-tool',
  '',
  '✢ Garnishing… (3s · ↓ 7 tokens)',
  '',
  ...promptBox('⏸ manual mode on · esc to interrupt'),
];

/** Esc while the tool ran (claude-dialogs.md §2 h): no hook says so. */
const INTERRUPTED = [
  ...BANNER,
  '',
  `❯${NBSP}wait a while MOCK:sleep=30`,
  '',
  `●${NBSP}I will run a long command.`,
  '  No result recorded for 1 call',
  '  ⎿  $ echo sleeping && sleep 30',
  '  ⎿  Interrupted · What should Claude do instead?',
  '',
  ...promptBox('⏸ manual mode on · ? for shortcuts · ← for agents'),
];

function trust(highlighted: 0 | 1): string[] {
  return [
    '',
    ' Accessing workspace:',
    '',
    ' /tmp/t/proj',
    '',
    ' Quick safety check: Is this a project you created or one you trust?',
    '',
    highlighted === 0 ? ` ❯${NBSP}No, exit` : '   No, exit',
    highlighted === 1 ? ` ❯${NBSP}Yes, I trust this folder` : '   Yes, I trust this folder',
    '',
    ' Enter to confirm · Esc to cancel',
  ];
}

// ---- Transcript lines (claude-code-facts.md §6, claude-dialogs.md §4) ----

let n = 0;
function assistant(content: unknown[], extra: Record<string, unknown> = {}, model = 'claude-opus-5-5'): string {
  n++;
  return `${JSON.stringify({ parentUuid: `p-${n}`, isSidechain: false, type: 'assistant', message: { id: `msg_${n}`, model, role: 'assistant', content }, uuid: `a-${n}`, ...extra })}\n`;
}
const textLine = (t: string): string => assistant([{ type: 'text', text: t }]);
const thinkingLine = (t: string): string => assistant([{ type: 'thinking', thinking: t, signature: 's' }]);
const userLine = (t: string): string => `${JSON.stringify({ type: 'user', message: { role: 'user', content: t }, uuid: `u-${++n}` })}\n`;
const toolUseLine = (id: string, name: string, input: unknown): string => assistant([{ type: 'tool_use', id, name, input }]);
const API_ERROR = 'API Error: 500 mock error 500. This is a server-side issue, usually temporary — try again in a moment. If it persists, check your inference gateway (127.0.0.1:41319).';
/** The line Claude Code writes for an API error: not a reply. */
const apiErrorLine = (text = API_ERROR): string =>
  assistant([{ type: 'text', text }], { error: 'server_error', isApiErrorMessage: true, apiErrorStatus: 500, apiErrorType: 'api_error' }, '<synthetic>');
/** What it writes on the next turn after a declined tool in a resumed conversation: not a reply. */
const noResponseLine = (): string => assistant([{ type: 'text', text: 'No response requested.' }], {}, '<synthetic>');

// ---- The fake host: a Session's state (the real machine), recording everything ----

class FakeHost implements TrackerHost {
  machine: MachineState;
  bracketedPaste = true;
  /** Everything in order: "dispatch:<event>", "broadcast:<type>", "write:<keys>". */
  readonly log: string[] = [];
  /** [log entry, ms since T0] */
  readonly stamps: Array<[string, number]> = [];
  readonly events: StateEvent[] = [];
  /** The machine's state after each dispatch. */
  readonly states: SessionStateName[] = [];
  readonly broadcasts: ServerMessage[] = [];
  /** What clients are told of the state, as Session.report() tells it, with when (ms since T0). */
  readonly told: Array<{ message: ServerMessage; at: number }> = [];
  private toldKey: string;
  readonly writes: string[] = [];
  readonly prompts: Array<{ prompt: string | null; eventsBefore: number }> = [];
  prompt: string | null = null;
  reads = 0;
  /** Claude Code's reaction to keys (per test). */
  onWrite: (keys: string) => void = () => undefined;
  tracker: ClaudeTracker | null = null;
  private outputWaiters: Array<() => void> = [];

  constructor(
    state: SessionStateName,
    public lines: string[],
  ) {
    this.machine = { name: state, pending: null, seen: false, announced: false };
    this.toldKey = JSON.stringify(stateMessage(SID, state, null, null));
  }

  private note(entry: string): void {
    this.log.push(entry);
    this.stamps.push([entry, Date.now() - T0]);
  }

  dispatch(event: StateEvent): void {
    this.events.push(event);
    this.machine = next(this.machine, event);
    this.states.push(this.machine.name);
    if (this.machine.name === 'idle') this.prompt = null;
    this.note(`dispatch:${event.type}`);
    this.report();
  }

  /** Session.report(): a pending is told once announced, each state and each dialog once. */
  private report(): void {
    const m = this.machine;
    if (m.name === 'stopped' || (m.name === 'pending' && !m.announced)) return;
    const message = stateMessage(SID, m.name, m.pending, this.prompt);
    const key = JSON.stringify(message);
    if (key === this.toldKey) return;
    this.toldKey = key;
    this.told.push({ message, at: Date.now() - T0 });
  }

  broadcast(message: ServerMessage): void {
    this.broadcasts.push(message);
    this.note(`broadcast:${message.type}`);
  }

  /** Session.retell(): the state last told, told again. */
  retell(): void {
    this.note('retell');
    const last = this.told.at(-1);
    if (last) this.told.push({ message: last.message, at: Date.now() - T0 });
  }

  /** Like the mirror: answers later, with the screen as it is once the output is parsed. */
  readScreenLines(cb: (lines: string[]) => void): void {
    this.reads++;
    setImmediate(() => cb(this.lines.slice()));
  }

  write(keys: string): void {
    this.writes.push(keys);
    this.note(`write:${JSON.stringify(keys)}`);
    this.onWrite(keys);
  }

  readonly titles: string[] = [];

  setTitle(title: string): void {
    this.titles.push(title);
  }

  setPrompt(prompt: string | null): boolean {
    this.prompts.push({ prompt, eventsBefore: this.events.length });
    const news = prompt !== this.prompt;
    this.prompt = prompt;
    return news;
  }

  nextOutput(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.outputWaiters = self.outputWaiters.filter((w) => w !== done);
        resolve();
      }
      this.outputWaiters.push(done);
    });
  }

  /** Claude Code printed (a redraw): the tracker hears of it, output waiters wake. */
  output(): void {
    this.tracker?.onOutput();
    for (const w of this.outputWaiters.splice(0)) w();
  }

  /** When (ms since T0) the first log entry `entry` happened. */
  at(entry: string): number | undefined {
    return this.stamps.find(([e]) => e === entry)?.[1];
  }

  outputs(): Array<{ output: string; is_thinking: boolean; is_error?: boolean }> {
    return this.broadcasts.flatMap((m) =>
      m.type === 'session_output' ? [{ output: m.output, is_thinking: m.is_thinking, ...(m.is_error !== undefined ? { is_error: m.is_error } : {}) }] : [],
    );
  }

  results(): ServerMessage[] {
    return this.broadcasts.filter((m) => m.type === 'session_tool_result');
  }

  pendingTold(): ServerMessage[] {
    return this.told.map((x) => x.message).filter((m) => m.type === 'session_pending');
  }
}

interface Rig {
  host: FakeHost;
  tracker: ClaudeTracker;
  /** ms since T0 (the mocked clock). */
  now(): number;
  hook(p: HookPayload): void;
  /** Lets everything due now run: immediates, microtasks, zero-delay timers. */
  flush(): Promise<void>;
  /** Advances the clock 1 ms at a time, letting the tracker's awaits run between steps. */
  advance(ms: number): Promise<void>;
  /** Advances until `cond` holds (polling every ms), failing after `maxMs`. */
  until(cond: () => boolean, maxMs: number, what: string): Promise<void>;
  /** Waits on the real clock until the tail has read a write by itself (fs.watch, backed by a 1 s poll), at most 5 s. */
  tailRead(cond: () => boolean): Promise<void>;
  /** The screen changes (Claude Code drew something): new lines, then the output is reported. */
  draw(lines: string[]): void;
}

function setup(t: TestContext, state: SessionStateName, lines: string[]): Rig {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 });
  const host = new FakeHost(state, lines);
  const tracker = new ClaudeTracker(SID, host, pino({ level: 'silent' }));
  host.tracker = tracker;
  t.after(() => tracker.close());
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      t.mock.timers.tick(0);
      await new Promise<void>((r) => setImmediate(r));
    }
  };
  const advance = async (ms: number): Promise<void> => {
    await flush();
    for (let i = 0; i < ms; i++) {
      t.mock.timers.tick(1);
      await flush();
    }
  };
  return {
    host,
    tracker,
    now: () => Date.now() - T0,
    hook: (p) => tracker.onHook(p),
    flush,
    advance,
    async until(cond, maxMs, what) {
      await flush();
      for (let i = 0; i < maxMs && !cond(); i++) {
        t.mock.timers.tick(1);
        await flush();
      }
      assert.ok(cond(), `not within ${maxMs} ms: ${what}`);
    },
    async tailRead(cond) {
      const deadline = performance.now() + 5000;
      while (!cond() && performance.now() < deadline) await new Promise<void>((res) => setImmediate(res));
      await flush();
    },
    draw(l) {
      host.lines = l;
      host.output();
    },
  };
}

function tempTranscript(t: TestContext, history = ''): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccpty-tracker-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'e682aa8d-0000-4000-8000-000000000000.jsonl');
  fs.writeFileSync(file, history);
  return file;
}

const BASH = { tool_name: 'Bash', tool_input: { command: 'touch hello-from-tool.txt && echo hello-from-tool', description: 'Print a greeting' } };
const ASK_INPUT = {
  questions: [
    {
      question: 'Which color do you prefer?',
      header: 'Color',
      options: [
        { label: 'Red', description: 'A warm color' },
        { label: 'Blue', description: 'A cool color' },
      ],
      multiSelect: false,
    },
  ],
};
const ASK = { tool_name: 'AskUserQuestion', tool_input: ASK_INPUT };

/** A promise's outcome, observable without awaiting it. */
function watch<T>(p: Promise<T>): { done: boolean; value: T | undefined } {
  const box: { done: boolean; value: T | undefined } = { done: false, value: undefined };
  void p.then((v) => {
    box.done = true;
    box.value = v;
  });
  return box;
}

test('screen fixtures read as the tracker expects', () => {
  assert.deepEqual(readScreen(IDLE), { kind: 'idle', dialog: null, box: '' });
  assert.deepEqual(readScreen(idleWith('restore me')), { kind: 'idle', dialog: null, box: 'restore me' });
  assert.deepEqual(readScreen(RUNNING), { kind: 'busy', dialog: null, box: '' });
  assert.deepEqual(readScreen(runningWith('queued')), { kind: 'busy', dialog: null, box: 'queued' });
  assert.equal(readScreen(AFTER_APPROVE).kind, 'busy');
  assert.deepEqual(readScreen(INTERRUPTED), { kind: 'idle', dialog: null, box: '' });
  const question = 'Do you want to proceed?';
  assert.deepEqual(readScreen(PERMISSION), { kind: 'dialog', dialog: { kind: 'permission', options: PERMISSION_OPTIONS, highlighted: 0, question }, box: null });
  assert.deepEqual(readScreen(bashDialog('touch other')).dialog, readScreen(PERMISSION).dialog, 'another command, the same dialog content');
  assert.deepEqual(readScreen(PERMISSION_WRITE).dialog, { kind: 'permission', options: WRITE_OPTIONS, highlighted: 0, question: 'Do you want to create w.txt?' });
  assert.deepEqual(readScreen(ASK_COLOR).dialog, { kind: 'question', options: COLOR_OPTIONS, highlighted: 0, question: 'Which color do you prefer?' });
  assert.deepEqual(readScreen(ASK2_COLOR).dialog, { kind: 'question', options: COLOR_OPTIONS, highlighted: 0, question: 'Which color do you prefer?' });
  assert.deepEqual(readScreen(ASK2_SIZE).dialog, { kind: 'question', options: SIZE_OPTIONS, highlighted: 0, question: 'Which size do you need?' });
  assert.deepEqual(readScreen(PLAN).dialog, { kind: 'plan', options: PLAN_OPTIONS, highlighted: 0, question: 'Claude has written up a plan and is ready to execute. Would you like to proceed?' });
  assert.equal(readScreen(trust(0)).dialog?.highlighted, 0);
  assert.equal(readScreen(trust(1)).dialog?.highlighted, 1);
});

// ---- Hooks ----

test('UserPromptSubmit → the prompt recorded first, then prompt (running): clients get the running state with it', (t) => {
  const r = setup(t, 'idle', IDLE);
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'please create the greeting file' });
  assert.deepEqual(r.host.log, ['dispatch:prompt']);
  assert.equal(r.host.machine.name, 'running');
  assert.deepEqual(r.host.prompts, [{ prompt: 'please create the greeting file', eventsBefore: 0 }]);
  assert.deepEqual(r.host.told.map((x) => x.message), [{ type: 'session_running', session_id: SID, prompt: 'please create the greeting file' }]);
});

test('PreToolUse → session_tool_request (with tool_use_id), then tool', (t) => {
  const r = setup(t, 'running', RUNNING);
  r.hook({ hook_event_name: 'PreToolUse', ...BASH, tool_use_id: 'toolu_01' });
  assert.deepEqual(r.host.log, ['broadcast:session_tool_request', 'dispatch:tool']);
  assert.deepEqual(r.host.broadcasts, [{ type: 'session_tool_request', session_id: SID, ...BASH, tool_use_id: 'toolu_01' }]);
  assert.equal(r.host.machine.name, 'running');
});

test('PermissionRequest → permission with the tool and the tool_use_id of the PreToolUse before it; the dialog read keeps them', async (t) => {
  const r = setup(t, 'running', PERMISSION);
  r.hook({ hook_event_name: 'PreToolUse', ...BASH, tool_use_id: 'toolu_01' });
  r.hook({ hook_event_name: 'PermissionRequest', ...BASH }); // the hook carries no tool_use_id
  assert.deepEqual(r.host.events, [{ type: 'tool' }, { type: 'permission', ...BASH, tool_use_id: 'toolu_01' }]);
  assert.equal(r.host.machine.name, 'pending');
  // It reads the dialog at once.
  await r.until(() => r.host.events.length === 3, 200, 'the screen read');
  const read = r.host.events[2];
  assert.equal(read?.type, 'screen_dialog');
  if (read?.type === 'screen_dialog') assert.deepEqual(read.dialog, { kind: 'permission', options: PERMISSION_OPTIONS, question: 'Do you want to proceed?' });
  assert.deepEqual(r.host.machine, {
    name: 'pending',
    pending: { kind: 'permission', ...BASH, tool_use_id: 'toolu_01', options: PERMISSION_OPTIONS, question: 'Do you want to proceed?' },
    seen: true,
    announced: true,
  });
});

test('PermissionRequest of another tool than the last PreToolUse: no tool_use_id borrowed', (t) => {
  const r = setup(t, 'running', PERMISSION);
  r.hook({ hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: { file_path: '/x' }, tool_use_id: 'toolu_09' });
  r.hook({ hook_event_name: 'PermissionRequest', ...BASH });
  assert.deepEqual(r.host.events[1], { type: 'permission', ...BASH });
});

test('hook before dialog: pending from the hook on (no flap while the spinner still shows), told once the dialog is read', async (t) => {
  const r = setup(t, 'running', RUNNING);
  r.hook({ hook_event_name: 'PreToolUse', ...BASH, tool_use_id: 'toolu_01' });
  r.hook({ hook_event_name: 'PermissionRequest', ...BASH });
  // Claude Code draws the dialog 36–125 ms after the hook; the spinner is redrawn meanwhile.
  for (let i = 0; i < 4; i++) {
    await r.advance(20);
    r.draw(RUNNING);
  }
  await r.advance(20);
  assert.ok(r.host.events.some((e) => e.type === 'screen_busy'), 'the busy screen was read after the hook');
  assert.deepEqual(r.host.states, ['running', ...r.host.states.slice(1).map(() => 'pending')], 'never left pending');
  assert.deepEqual(r.host.pendingTold(), [], 'not told before the dialog is read');
  r.draw(PERMISSION);
  await r.until(() => r.host.events.some((e) => e.type === 'screen_dialog'), 200, 'the dialog read');
  await r.advance(300); // more reads of the same dialog
  r.draw(PERMISSION);
  await r.advance(100);
  assert.ok(r.host.states.slice(1).every((s) => s === 'pending'), `states: ${r.host.states.join(' ')}`);
  assert.deepEqual(r.host.told.map((x) => x.message), [
    { type: 'session_pending', session_id: SID, kind: 'permission', ...BASH, tool_use_id: 'toolu_01', options: PERMISSION_OPTIONS, question: 'Do you want to proceed?' },
  ], 'exactly one announcement, with the options, the tool_use_id and the kind');
});

test('a dialog never drawn: announced after DIALOG_ANNOUNCE_MS with AskUserQuestion\'s labels from its input', async (t) => {
  const r = setup(t, 'running', RUNNING);
  r.hook({ hook_event_name: 'PreToolUse', ...ASK, tool_use_id: 'toolu_a' });
  r.hook({ hook_event_name: 'PermissionRequest', ...ASK });
  await r.advance(DIALOG_ANNOUNCE_MS - 1);
  assert.equal(r.host.told.length, 0);
  assert.equal(r.host.machine.name, 'pending');
  await r.advance(1);
  assert.deepEqual(r.host.told, [
    { message: { type: 'session_pending', session_id: SID, kind: 'question', ...ASK, tool_use_id: 'toolu_a', options: ['Red', 'Blue'] }, at: DIALOG_ANNOUNCE_MS },
  ]);
  // Drawn after all: an update with what it shows (the screen's options, the question).
  r.draw(ASK_COLOR);
  await r.until(() => r.host.told.length === 2, 200, 'the update');
  assert.deepEqual(r.host.told[1]?.message, { type: 'session_pending', session_id: SID, kind: 'question', ...ASK, tool_use_id: 'toolu_a', options: COLOR_OPTIONS, question: 'Which color do you prefer?' });
});

test('a permission dialog never drawn: announced after DIALOG_ANNOUNCE_MS with no options; dialog_lost after DIALOG_LOST_MS', async (t) => {
  const r = setup(t, 'running', RUNNING);
  r.hook({ hook_event_name: 'PreToolUse', ...BASH, tool_use_id: 'toolu_01' });
  r.hook({ hook_event_name: 'PermissionRequest', ...BASH });
  await r.advance(DIALOG_ANNOUNCE_MS);
  assert.deepEqual(r.host.pendingTold(), [{ type: 'session_pending', session_id: SID, kind: 'permission', ...BASH, tool_use_id: 'toolu_01', options: [] }]);
  await r.advance(DIALOG_LOST_MS - DIALOG_ANNOUNCE_MS - 1);
  assert.equal(r.host.machine.name, 'pending');
  await r.advance(1);
  assert.equal(r.host.machine.name, 'running');
  assert.equal(r.host.at('dispatch:dialog_lost'), DIALOG_LOST_MS);
  assert.deepEqual(r.host.told.at(-1)?.message, { type: 'session_running', session_id: SID });
});

test('a dialog drawn in time: no announce or dialog_lost timer fires afterwards', async (t) => {
  const r = setup(t, 'running', RUNNING);
  r.hook({ hook_event_name: 'PreToolUse', ...BASH, tool_use_id: 'toolu_01' });
  r.hook({ hook_event_name: 'PermissionRequest', ...BASH });
  await r.advance(60);
  r.draw(PERMISSION);
  await r.advance(DIALOG_LOST_MS + 100);
  assert.ok(!r.host.events.some((e) => e.type === 'announce' || e.type === 'dialog_lost'), r.host.log.join(' '));
  assert.equal(r.host.machine.name, 'pending');
  assert.equal(r.host.pendingTold().length, 1);
});

test('a half-drawn dialog frame is not told: one announcement, with the whole dialog', async (t) => {
  const r = setup(t, 'running', RUNNING);
  r.hook({ hook_event_name: 'PreToolUse', ...BASH, tool_use_id: 'toolu_01' });
  r.hook({ hook_event_name: 'PermissionRequest', ...BASH });
  await r.advance(60);
  const half = [...PERMISSION.slice(0, -4), '', ' Esc to cancel · Tab to amend']; // options 3 and 4 not drawn yet
  assert.deepEqual(readScreen(half).dialog?.options, PERMISSION_OPTIONS.slice(0, 2));
  r.draw(half);
  await r.advance(DIALOG_STABLE_MS / 2);
  r.draw(PERMISSION);
  await r.advance(500);
  assert.deepEqual(r.host.pendingTold(), [
    { type: 'session_pending', session_id: SID, kind: 'permission', ...BASH, tool_use_id: 'toolu_01', options: PERMISSION_OPTIONS, question: 'Do you want to proceed?' },
  ]);
});

test('the answered dialog still on screen after its PostToolUse (a frame from before the redraw) does not re-open it', async (t) => {
  const r = setup(t, 'running', PERMISSION);
  r.hook({ hook_event_name: 'PreToolUse', ...BASH, tool_use_id: 'toolu_01' });
  r.hook({ hook_event_name: 'PermissionRequest', ...BASH });
  await r.until(() => r.host.machine.seen, 200, 'the dialog read');
  await r.advance(300);
  r.hook({ hook_event_name: 'PostToolUse', ...BASH, tool_use_id: 'toolu_01', tool_response: { stdout: 'hello-from-tool' } });
  assert.equal(r.host.machine.name, 'running');
  for (let i = 0; i < 5; i++) {
    r.draw(PERMISSION); // not redrawn yet
    await r.advance(100);
  }
  r.draw(AFTER_APPROVE);
  await r.advance(200);
  assert.deepEqual(r.host.states.slice(-1), ['running']);
  assert.ok(!r.host.states.slice(r.host.states.indexOf('running', 2)).includes('pending'), `states: ${r.host.states.join(' ')}`);
  assert.equal(r.host.pendingTold().length, 1, 'told once');
});

test('the next question of the same AskUserQuestion call: an update of the same pending (same tool_use_id)', async (t) => {
  const r = setup(t, 'running', ASK2_COLOR);
  r.hook({ hook_event_name: 'PreToolUse', ...ASK, tool_use_id: 'toolu_a' });
  r.hook({ hook_event_name: 'PermissionRequest', ...ASK });
  await r.until(() => r.host.pendingTold().length === 1, 200, 'the first question');
  r.draw(ASK2_SIZE);
  await r.until(() => r.host.pendingTold().length === 2, 200, 'the second question');
  const [q1, q2] = r.host.pendingTold();
  assert.equal(q1?.type === 'session_pending' && q1.question, 'Which color do you prefer?');
  assert.deepEqual(q2, { type: 'session_pending', session_id: SID, kind: 'question', ...ASK, tool_use_id: 'toolu_a', options: SIZE_OPTIONS, question: 'Which size do you need?' });
  assert.ok(r.host.states.slice(1).every((s) => s === 'pending'));
});

test('ExitPlanMode with an empty hook input: the plan comes from the transcript\'s tool_use block', async (t) => {
  const file = tempTranscript(t);
  const r = setup(t, 'idle', IDLE);
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'MOCK:plan', transcript_path: file });
  const input = { plan: '# Mock plan\n\n1. Create plan-step.txt\n2. Say DONE' };
  fs.appendFileSync(file, toolUseLine('toolu_p', 'ExitPlanMode', input));
  r.hook({ hook_event_name: 'PreToolUse', tool_name: 'ExitPlanMode', tool_input: {}, tool_use_id: 'toolu_p', transcript_path: file });
  r.hook({ hook_event_name: 'PermissionRequest', tool_name: 'ExitPlanMode', tool_input: {}, transcript_path: file });
  r.draw(PLAN);
  await r.until(() => r.host.pendingTold().length === 1, 300, 'the plan dialog');
  assert.deepEqual(r.host.pendingTold()[0], {
    type: 'session_pending',
    session_id: SID,
    kind: 'plan',
    tool_name: 'ExitPlanMode',
    tool_input: input,
    tool_use_id: 'toolu_p',
    options: PLAN_OPTIONS,
    question: 'Claude has written up a plan and is ready to execute. Would you like to proceed?',
  });
});

test('PostToolUse → session_tool_result (is_error, interrupted from the response), then tool_done', (t) => {
  const r = setup(t, 'pending', PERMISSION);
  r.hook({ hook_event_name: 'PostToolUse', ...BASH, tool_use_id: 'toolu_01', tool_response: { stdout: 'hello-from-tool', interrupted: false } });
  r.hook({ hook_event_name: 'PostToolUse', ...BASH, tool_use_id: 'toolu_02', tool_response: { stdout: '', interrupted: true } });
  r.hook({ hook_event_name: 'PostToolUse', ...BASH, tool_use_id: 'toolu_03', tool_response: { is_error: true } });
  assert.deepEqual(r.host.log, ['broadcast:session_tool_result', 'dispatch:tool_done', 'broadcast:session_tool_result', 'dispatch:tool_done', 'broadcast:session_tool_result', 'dispatch:tool_done']);
  assert.deepEqual(r.host.broadcasts, [
    { type: 'session_tool_result', session_id: SID, tool_name: 'Bash', tool_use_id: 'toolu_01', is_error: false },
    { type: 'session_tool_result', session_id: SID, tool_name: 'Bash', tool_use_id: 'toolu_02', is_error: true, interrupted: true },
    { type: 'session_tool_result', session_id: SID, tool_name: 'Bash', tool_use_id: 'toolu_03', is_error: true },
  ]);
  assert.deepEqual(r.host.events.filter((e) => e.type === 'tool_done'), [
    { type: 'tool_done', tool_use_id: 'toolu_01' },
    { type: 'tool_done', tool_use_id: 'toolu_02' },
    { type: 'tool_done', tool_use_id: 'toolu_03' },
  ]);
  assert.equal(r.host.machine.name, 'running');
});

test('the PostToolUse of another call does not end the pending dialog', async (t) => {
  const r = setup(t, 'running', PERMISSION);
  r.hook({ hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: { file_path: '/x' }, tool_use_id: 'toolu_r' });
  r.hook({ hook_event_name: 'PreToolUse', ...BASH, tool_use_id: 'toolu_01' });
  r.hook({ hook_event_name: 'PermissionRequest', ...BASH });
  await r.until(() => r.host.machine.seen, 200, 'the dialog read');
  r.hook({ hook_event_name: 'PostToolUse', tool_name: 'Read', tool_input: { file_path: '/x' }, tool_use_id: 'toolu_r', tool_response: {} });
  assert.equal(r.host.machine.name, 'pending');
  assert.equal(r.host.machine.pending?.tool_use_id, 'toolu_01');
});

test('a late Notification permission_prompt does not re-open an answered prompt', async (t) => {
  const r = setup(t, 'running', PERMISSION);
  r.hook({ hook_event_name: 'PreToolUse', ...BASH, tool_use_id: 'toolu_01' });
  r.hook({ hook_event_name: 'PermissionRequest', ...BASH });
  await r.until(() => r.host.events.length === 3, 200, 'the dialog read');
  r.draw(AFTER_APPROVE); // answered; the tool runs
  await r.until(() => r.host.machine.name === 'running', 200, 'busy after the answer');
  const before = r.host.log.length;
  r.hook({ hook_event_name: 'Notification', notification_type: 'permission_prompt', message: 'Claude needs your permission' });
  assert.deepEqual(r.host.log.slice(before), []);
  assert.equal(r.host.machine.name, 'running');
});

// ---- Stop, StopFailure and the transcript ----

test('Stop whose reply is already in the transcript: session_output before turn_done, each reply once', async (t) => {
  const file = tempTranscript(t, userLine('an old prompt') + textLine('an old reply (history, not re-announced)'));
  const r = setup(t, 'idle', IDLE);
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'hi', transcript_path: file });
  fs.appendFileSync(file, userLine('hi') + thinkingLine('pondering') + textLine('DONE'));
  r.hook({ hook_event_name: 'Stop', transcript_path: file, last_assistant_message: 'DONE' });
  await r.advance(TRANSCRIPT_WAIT_MS + 50);
  assert.deepEqual(r.host.log, ['dispatch:prompt', 'broadcast:session_output', 'broadcast:session_output', 'dispatch:turn_done']);
  assert.deepEqual(r.host.outputs(), [
    { output: 'pondering', is_thinking: true },
    { output: 'DONE', is_thinking: false },
  ]);
  assert.equal(r.host.at('dispatch:turn_done'), 0, 'no wait when the reply is already there');
  assert.equal(r.host.machine.name, 'idle');
});

test("Claude Code's ai-title transcript line names the session", async (t) => {
  const file = tempTranscript(t);
  const r = setup(t, 'idle', IDLE);
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'hi', transcript_path: file });
  fs.appendFileSync(file, `${JSON.stringify({ type: 'ai-title', aiTitle: 'Greeting the user', sessionId: SID })}\n`);
  r.hook({ hook_event_name: 'Stop', transcript_path: file, last_assistant_message: 'DONE' });
  await r.advance(TRANSCRIPT_WAIT_MS + 50);
  assert.deepEqual(r.host.titles, ['Greeting the user']);
});

// ~120 ms is Claude Code's usual delay; 1.5 s was seen with five sessions on two cores.
for (const [delayMs, why] of [[120, '(written ~120 ms later)'], [1500, '(written 1.5 s later: a loaded machine)']] as const) {
  test(`Stop before the transcript has the reply ${why}: the reply still goes out first`, async (t) => {
    const file = tempTranscript(t);
    const r = setup(t, 'idle', IDLE);
    r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'hi', transcript_path: file });
    r.hook({ hook_event_name: 'Stop', transcript_path: file, last_assistant_message: 'DONE' });
    await r.advance(delayMs);
    assert.deepEqual(r.host.log, ['dispatch:prompt'], 'turn_done waits for the transcript');
    fs.appendFileSync(file, textLine('DONE'));
    await r.until(() => r.host.log.includes('dispatch:turn_done'), TRANSCRIPT_WAIT_MS, 'turn_done');
    assert.deepEqual(r.host.log, ['dispatch:prompt', 'broadcast:session_output', 'dispatch:turn_done']);
    assert.deepEqual(r.host.outputs(), [{ output: 'DONE', is_thinking: false }]);
    assert.ok((r.host.at('dispatch:turn_done') ?? Infinity) < delayMs + 80, `turn_done at ${r.host.at('dispatch:turn_done')} ms`);
  });
}

test('the idle box while Stop waits for its reply: the turn ends after the reply, not with the screen', async (t) => {
  const file = tempTranscript(t);
  const r = setup(t, 'idle', IDLE);
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'hi', transcript_path: file });
  r.draw(RUNNING);
  await r.advance(100);
  r.hook({ hook_event_name: 'Stop', transcript_path: file, last_assistant_message: 'DONE' });
  r.draw(IDLE);
  await r.advance(HOOK_GRACE_MS + IDLE_STABLE_MS + 500);
  assert.equal(r.host.machine.name, 'running', 'still waiting for the reply');
  fs.appendFileSync(file, textLine('DONE'));
  await r.until(() => r.host.machine.name === 'idle', 100, 'idle');
  assert.deepEqual(r.host.log.filter((e) => e !== 'dispatch:screen_busy'), ['dispatch:prompt', 'broadcast:session_output', 'dispatch:turn_done']);
});

test('a reply written after turn_done (later than TRANSCRIPT_WAIT_MS): told, then the idle told again, so the idle is the last word', async (t) => {
  const file = tempTranscript(t);
  const r = setup(t, 'idle', IDLE);
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'hi', transcript_path: file });
  r.hook({ hook_event_name: 'Stop', transcript_path: file, last_assistant_message: 'DONE' });
  await r.until(() => r.host.log.includes('dispatch:turn_done'), TRANSCRIPT_WAIT_MS + 50, 'turn_done');
  assert.deepEqual(r.host.told.map((x) => x.message.type), ['session_running', 'session_idle']);
  fs.appendFileSync(file, thinkingLine('late thoughts') + textLine('DONE'));
  await r.tailRead(() => r.host.log.includes('retell'));
  assert.deepEqual(r.host.log, ['dispatch:prompt', 'dispatch:turn_done', 'broadcast:session_output', 'broadcast:session_output', 'retell'], 'blocks read together: one retell after them');
  assert.deepEqual(r.host.told.map((x) => x.message.type), ['session_running', 'session_idle', 'session_idle']);
  assert.deepEqual(r.host.outputs(), [{ output: 'late thoughts', is_thinking: true }, { output: 'DONE', is_thinking: false }]);
});

test('two Stops in one turn (a Stop hook of the user\'s kept Claude going): the first does not end the turn', async (t) => {
  const file = tempTranscript(t);
  const r = setup(t, 'idle', IDLE);
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'hi', transcript_path: file });
  r.hook({ hook_event_name: 'Stop', transcript_path: file, last_assistant_message: 'first' });
  await r.advance(100);
  r.hook({ hook_event_name: 'Stop', transcript_path: file, last_assistant_message: 'second' });
  fs.appendFileSync(file, textLine('first'));
  await r.advance(200);
  assert.equal(r.host.machine.name, 'running', 'the first Stop\'s reply came, but a later Stop waits for its own');
  fs.appendFileSync(file, textLine('second'));
  await r.until(() => r.host.machine.name === 'idle', 200, 'idle');
  assert.deepEqual(r.host.log, ['dispatch:prompt', 'broadcast:session_output', 'broadcast:session_output', 'dispatch:turn_done']);
});

test('Stop whose reply is never written: turn_done after TRANSCRIPT_WAIT_MS; the hook\'s text is never told (replies come from the transcript only)', async (t) => {
  const file = tempTranscript(t);
  const r = setup(t, 'idle', IDLE);
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'hi', transcript_path: file });
  r.hook({ hook_event_name: 'Stop', transcript_path: file, last_assistant_message: 'DONE' });
  await r.advance(TRANSCRIPT_WAIT_MS - 1);
  assert.deepEqual(r.host.log, ['dispatch:prompt']);
  await r.until(() => r.host.log.includes('dispatch:turn_done'), 50, 'turn_done');
  assert.deepEqual(r.host.log, ['dispatch:prompt', 'dispatch:turn_done']);
  assert.deepEqual(r.host.outputs(), [], 'a forged Stop cannot put words in Claude\'s mouth');
  assert.ok((r.host.at('dispatch:turn_done') ?? 0) >= TRANSCRIPT_WAIT_MS);
});

test('StopFailure (API error): its text as session_output is_error, then turn_done; never a plain reply', async (t) => {
  const file = tempTranscript(t);
  const r = setup(t, 'idle', IDLE);
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'fail please MOCK:error=500', transcript_path: file });
  fs.appendFileSync(file, apiErrorLine()); // Claude Code writes the error as a <synthetic> assistant line
  r.hook({ hook_event_name: 'StopFailure', transcript_path: file, error: 'server_error', last_assistant_message: API_ERROR });
  assert.deepEqual(r.host.log, ['dispatch:prompt', 'broadcast:session_output', 'dispatch:turn_done'], 'at once: no reply to wait for');
  assert.deepEqual(r.host.outputs(), [{ output: API_ERROR, is_thinking: false, is_error: true }]);
  assert.equal(r.host.machine.name, 'idle');
  // The next turn reads the transcript on: the synthetic line is still not a reply.
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'again', transcript_path: file });
  fs.appendFileSync(file, textLine('DONE'));
  r.hook({ hook_event_name: 'Stop', transcript_path: file, last_assistant_message: 'DONE' });
  await r.until(() => r.host.log.filter((e) => e === 'dispatch:turn_done').length === 2, TRANSCRIPT_WAIT_MS, 'the second turn');
  assert.deepEqual(r.host.outputs(), [
    { output: API_ERROR, is_thinking: false, is_error: true },
    { output: 'DONE', is_thinking: false },
  ]);
});

test('StopFailure whose transcript line comes after the wait (and after the next prompt): the generic error text once, not the late line too; the next error is told', async (t) => {
  const file = tempTranscript(t);
  const r = setup(t, 'idle', IDLE);
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'fail please', transcript_path: file });
  r.hook({ hook_event_name: 'StopFailure', transcript_path: file, error: 'server_error', last_assistant_message: API_ERROR });
  await r.until(() => r.host.log.includes('dispatch:turn_done'), TRANSCRIPT_WAIT_MS + 50, 'turn_done');
  const generic = { output: 'API error (server_error): the request failed', is_thinking: false, is_error: true };
  assert.deepEqual(r.host.outputs(), [generic]);
  // The next prompt, then the late line and a title line: once the title is read, so is the line.
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'again', transcript_path: file });
  fs.appendFileSync(file, apiErrorLine() + `${JSON.stringify({ type: 'ai-title', aiTitle: 'read past the error', sessionId: SID })}\n`);
  await r.tailRead(() => r.host.titles.includes('read past the error'));
  assert.deepEqual(r.host.titles, ['read past the error'], 'the tail read the late lines');
  assert.deepEqual(r.host.outputs(), [generic], 'the late line was not told');
  // This turn's own failure is told, at once.
  const overloaded = 'API Error: 529 overloaded';
  fs.appendFileSync(file, apiErrorLine(overloaded));
  r.hook({ hook_event_name: 'StopFailure', transcript_path: file, error: 'overloaded', last_assistant_message: overloaded });
  await r.until(() => r.host.log.filter((e) => e === 'dispatch:turn_done').length === 2, 100, 'the second turn_done');
  assert.deepEqual(r.host.outputs(), [generic, { output: overloaded, is_thinking: false, is_error: true }]);
});

test('StopFailure without a message: a generic error text, still is_error', (t) => {
  const r = setup(t, 'running', RUNNING);
  r.hook({ hook_event_name: 'StopFailure', error: 'rate_limit' });
  assert.deepEqual(r.host.outputs().map((o) => o.is_error), [true]);
  assert.ok((r.host.outputs()[0]?.output ?? '').length > 0);
  assert.equal(r.host.machine.name, 'idle');
});

test('a <synthetic> "No response requested." line is not a reply', async (t) => {
  const file = tempTranscript(t);
  const r = setup(t, 'idle', IDLE);
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'go on', transcript_path: file });
  fs.appendFileSync(file, noResponseLine() + textLine('DONE'));
  r.hook({ hook_event_name: 'Stop', transcript_path: file, last_assistant_message: 'DONE' });
  await r.until(() => r.host.log.includes('dispatch:turn_done'), TRANSCRIPT_WAIT_MS, 'turn_done');
  assert.deepEqual(r.host.outputs(), [{ output: 'DONE', is_thinking: false }]);
});

test('Stop without a transcript to follow: turn_done at once', (t) => {
  const r = setup(t, 'running', RUNNING);
  r.hook({ hook_event_name: 'Stop', last_assistant_message: 'DONE' });
  assert.deepEqual(r.host.log, ['dispatch:turn_done'], 'no reply from the hook\'s text');
  assert.equal(r.host.machine.name, 'idle');
});

test('a tool started and never finished when the turn ends (Stop): session_tool_result interrupted, before turn_done', (t) => {
  const r = setup(t, 'running', RUNNING);
  r.hook({ hook_event_name: 'PreToolUse', ...BASH, tool_use_id: 'toolu_01' });
  r.hook({ hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: { file_path: '/x' }, tool_use_id: 'toolu_02' });
  r.hook({ hook_event_name: 'PostToolUse', tool_name: 'Read', tool_input: { file_path: '/x' }, tool_use_id: 'toolu_02', tool_response: {} });
  const before = r.host.log.length;
  r.hook({ hook_event_name: 'Stop', last_assistant_message: 'stopped' });
  assert.deepEqual(r.host.log.slice(before), ['broadcast:session_tool_result', 'dispatch:turn_done']);
  assert.deepEqual(r.host.results().at(-1), { type: 'session_tool_result', session_id: SID, tool_name: 'Bash', tool_use_id: 'toolu_01', is_error: true, interrupted: true });
  assert.equal(r.host.results().length, 2, 'the finished Read is not reported again');
  // Reported once: the next turn's end has nothing left open.
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'next' });
  r.hook({ hook_event_name: 'Stop', last_assistant_message: 'DONE' });
  assert.equal(r.host.results().length, 2);
});

test('an idle box seen while a tool runs (no Esc from us) does not end the call: a loaded machine can draw one', async (t) => {
  const r = setup(t, 'idle', IDLE);
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'wait a while MOCK:sleep=30' });
  r.hook({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'echo sleeping && sleep 30' }, tool_use_id: 'toolu_s' });
  r.draw(RUNNING);
  await r.advance(2000);
  r.draw(INTERRUPTED);
  await r.until(() => r.host.machine.name === 'idle', IDLE_STABLE_MS + 100, 'idle');
  assert.deepEqual(r.host.results(), [], 'no result yet: the next prompt or Stop closes it');
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'next' });
  assert.equal(r.host.results().length, 1, 'closed (interrupted) when the next turn starts');
});

test('a running tool cut off by our Esc (no hook; the idle screen): session_tool_result interrupted, then screen_idle', async (t) => {
  const r = setup(t, 'idle', IDLE);
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'wait a while MOCK:sleep=30' });
  r.hook({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'echo sleeping && sleep 30' }, tool_use_id: 'toolu_s' });
  r.draw(RUNNING);
  await r.advance(2000);
  assert.deepEqual(r.host.results(), []);
  r.tracker.noteInterrupt(); // Session.cancel() wrote Esc
  r.draw(INTERRUPTED);
  await r.until(() => r.host.machine.name === 'idle', IDLE_STABLE_MS + 100, 'idle');
  assert.deepEqual(r.host.results(), [{ type: 'session_tool_result', session_id: SID, tool_name: 'Bash', tool_use_id: 'toolu_s', is_error: true, interrupted: true }]);
  assert.ok(r.host.log.indexOf('broadcast:session_tool_result') < r.host.log.indexOf('dispatch:screen_idle'));
});

test('a dialog declined with Esc (no hook; the idle screen): the call is reported interrupted, the state idle', async (t) => {
  const r = setup(t, 'running', PERMISSION);
  r.hook({ hook_event_name: 'PreToolUse', ...BASH, tool_use_id: 'toolu_01' });
  r.hook({ hook_event_name: 'PermissionRequest', ...BASH });
  await r.until(() => r.host.machine.seen, 200, 'the dialog read');
  await r.advance(2000);
  r.draw(INTERRUPTED);
  await r.until(() => r.host.machine.name === 'idle', IDLE_STABLE_MS + 100, 'idle');
  assert.deepEqual(r.host.results(), [{ type: 'session_tool_result', session_id: SID, tool_name: 'Bash', tool_use_id: 'toolu_01', is_error: true, interrupted: true }]);
  assert.deepEqual(r.host.told.at(-1)?.message, { type: 'session_idle', session_id: SID });
});

test('a new prompt while Stop waits for the transcript: the old turn never reports turn_done', async (t) => {
  const file = tempTranscript(t);
  const r = setup(t, 'idle', IDLE);
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'one', transcript_path: file });
  r.hook({ hook_event_name: 'Stop', transcript_path: file, last_assistant_message: 'never written' });
  await r.advance(100);
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'two', transcript_path: file });
  await r.advance(TRANSCRIPT_WAIT_MS * 2);
  assert.deepEqual(r.host.log, ['dispatch:prompt', 'dispatch:prompt']);
  assert.equal(r.host.machine.name, 'running');
});

test('close() while Stop waits for the transcript: no dispatch afterwards', async (t) => {
  const file = tempTranscript(t);
  const r = setup(t, 'idle', IDLE);
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'one', transcript_path: file });
  r.hook({ hook_event_name: 'Stop', transcript_path: file, last_assistant_message: 'never written' });
  await r.advance(100);
  r.tracker.close();
  fs.appendFileSync(file, textLine('never written'));
  r.draw(IDLE);
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'after close' });
  await r.advance(TRANSCRIPT_WAIT_MS * 2);
  assert.deepEqual(r.host.log, ['dispatch:prompt']);
});

// ---- The screen ----

test('screen idle after an interrupt (no hook): reported HOOK_GRACE_MS after the last hook, not before', async (t) => {
  const r = setup(t, 'idle', RUNNING);
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'long job' });
  r.draw(RUNNING);
  await r.advance(100);
  r.draw(IDLE); // Esc: Claude Code is back at its prompt; no hook fires
  await r.advance(HOOK_GRACE_MS - 101);
  assert.deepEqual(r.host.log, ['dispatch:prompt', 'dispatch:screen_busy']);
  await r.advance(1);
  assert.deepEqual(r.host.log, ['dispatch:prompt', 'dispatch:screen_busy', 'dispatch:screen_idle']);
  assert.equal(r.host.at('dispatch:screen_idle'), HOOK_GRACE_MS);
  assert.equal(r.host.machine.name, 'idle');
});

test('screen idle after Esc before the first token: the prompt restored into the box still means idle', async (t) => {
  const r = setup(t, 'idle', IDLE);
  r.hook({ hook_event_name: 'UserPromptSubmit', prompt: 'restore me please' });
  r.draw(RUNNING);
  await r.advance(100);
  r.draw(idleWith('restore me please'));
  await r.until(() => r.host.machine.name === 'idle', HOOK_GRACE_MS, 'idle');
  assert.equal(r.host.at('dispatch:screen_idle'), HOOK_GRACE_MS);
});

test('screen idle long after the last hook: reported once it has been stable IDLE_STABLE_MS; a flicker restarts the count', async (t) => {
  const r = setup(t, 'running', RUNNING);
  await r.advance(10);
  r.draw(IDLE);
  await r.advance(190);
  r.draw(RUNNING); // t=200: busy again
  await r.advance(100);
  r.draw(IDLE); // t=300: idle again, stable from here
  await r.advance(IDLE_STABLE_MS - 1);
  assert.deepEqual(r.host.log, ['dispatch:screen_busy'], 'no idle before it has been stable');
  await r.advance(1);
  assert.deepEqual(r.host.log, ['dispatch:screen_busy', 'dispatch:screen_idle']);
  assert.equal(r.host.at('dispatch:screen_idle'), 300 + IDLE_STABLE_MS);
});

test('screen idle while starting: ready at once (nothing to contradict)', async (t) => {
  const r = setup(t, 'starting', IDLE);
  r.draw(IDLE);
  await r.advance(1);
  assert.deepEqual(r.host.log, ['dispatch:screen_idle']);
  assert.equal(r.host.machine.name, 'idle');
});

test('the spinner lingering within HOOK_GRACE_MS after Stop is ignored; after it, busy counts', async (t) => {
  const r = setup(t, 'running', RUNNING);
  r.hook({ hook_event_name: 'Stop', last_assistant_message: 'DONE' });
  await r.advance(50);
  r.draw(RUNNING);
  await r.advance(1050);
  r.draw(RUNNING); // t=1100
  await r.advance(HOOK_GRACE_MS - 1100 - 1);
  assert.deepEqual(r.host.log, ['dispatch:turn_done']);
  assert.equal(r.host.machine.name, 'idle');
  await r.advance(1);
  r.draw(RUNNING); // t=1200: still busy → the hook is old news
  await r.advance(1);
  assert.deepEqual(r.host.log, ['dispatch:turn_done', 'dispatch:screen_busy']);
  assert.equal(r.host.machine.name, 'running');
});

test('a dialog on screen before its hook: pending at once, for the tool whose PreToolUse came', async (t) => {
  const r = setup(t, 'running', RUNNING);
  r.hook({ hook_event_name: 'PreToolUse', ...BASH, tool_use_id: 'toolu_01' });
  r.draw(PERMISSION);
  await r.until(() => r.host.machine.name === 'pending', 200, 'pending');
  assert.deepEqual(r.host.machine.pending, { kind: 'permission', ...BASH, tool_use_id: 'toolu_01', options: PERMISSION_OPTIONS, question: 'Do you want to proceed?' });
  r.hook({ hook_event_name: 'PermissionRequest', ...BASH }); // late: the same call
  await r.advance(DIALOG_LOST_MS + 100);
  assert.equal(r.host.machine.name, 'pending');
  assert.equal(r.host.pendingTold().length, 1, 'told once');
});

// ---- Answering dialogs ----

/** Running, PreToolUse + PermissionRequest at t=0 with the dialog already drawn and read. */
async function pendingWithDialog(t: TestContext): Promise<Rig> {
  const r = setup(t, 'running', PERMISSION);
  r.hook({ hook_event_name: 'PreToolUse', ...BASH, tool_use_id: 'toolu_01' });
  r.hook({ hook_event_name: 'PermissionRequest', ...BASH });
  await r.until(() => r.host.log.includes('dispatch:screen_dialog'), DIALOG_STABLE_MS + 20, 'the dialog read');
  assert.deepEqual(r.host.log, ['broadcast:session_tool_request', 'dispatch:tool', 'dispatch:permission', 'dispatch:screen_dialog']);
  assert.ok(r.now() <= DIALOG_STABLE_MS + 5, `read at ${r.now()} ms`);
  return r;
}

test('dialogOptions: the options of the dialog on screen', async (t) => {
  const r = setup(t, 'pending', PERMISSION);
  const got = watch(r.tracker.dialogOptions());
  await r.until(() => got.done, 100, 'dialogOptions');
  assert.deepEqual(got.value, PERMISSION_OPTIONS);
});

test('dialogOptions: a question\'s labels (descriptions left out)', async (t) => {
  const r = setup(t, 'pending', ASK_COLOR);
  const got = watch(r.tracker.dialogOptions());
  await r.until(() => got.done, 100, 'dialogOptions');
  assert.deepEqual(got.value, COLOR_OPTIONS);
});

test('dialogOptions: waits for a dialog drawn after the hook', async (t) => {
  const r = setup(t, 'running', RUNNING);
  const got = watch(r.tracker.dialogOptions());
  await r.advance(40);
  assert.equal(got.done, false);
  r.draw(PERMISSION);
  await r.until(() => got.done, 100, 'dialogOptions');
  assert.deepEqual(got.value, PERMISSION_OPTIONS);
  // The next throttled or polled read, and one more to see it drawn whole.
  assert.ok(r.now() <= 40 + 80 + DIALOG_STABLE_MS + 60, `answered at ${r.now()} ms`);
});

test('dialogOptions: [] when no dialog shows within DIALOG_WAIT_MS', async (t) => {
  const r = setup(t, 'running', RUNNING);
  const got = watch(r.tracker.dialogOptions());
  await r.advance(DIALOG_WAIT_MS - 1);
  assert.equal(got.done, false);
  await r.until(() => got.done, 70, 'dialogOptions');
  assert.deepEqual(got.value, []);
  assert.deepEqual(r.host.writes, []);
});

test('pressInDialog: not before DIALOG_SETTLE_MS after the dialog appeared; true once it is gone', async (t) => {
  const r = await pendingWithDialog(t); // drawn at t=0
  await r.advance(10);
  const pressed = watch(r.tracker.pressInDialog('1'));
  await r.advance(DIALOG_SETTLE_MS - 1 - r.now());
  assert.deepEqual(r.host.writes, [], 'Claude Code drops keys in a fresh dialog');
  await r.advance(1);
  assert.deepEqual(r.host.writes, ['1']);
  assert.equal(r.host.at('write:"1"'), DIALOG_SETTLE_MS);
  await r.advance(30);
  r.draw(AFTER_APPROVE);
  await r.until(() => pressed.done, 100, 'pressInDialog');
  assert.equal(pressed.value, true);
  await r.advance(2000);
  assert.deepEqual(r.host.writes, ['1']);
});

test('pressInDialog: an old dialog is pressed at once', async (t) => {
  const r = await pendingWithDialog(t);
  await r.advance(1000);
  const pressed = watch(r.tracker.pressInDialog(ENTER));
  await r.flush();
  assert.deepEqual(r.host.writes, [ENTER]);
  r.draw(AFTER_APPROVE);
  await r.until(() => pressed.done, 100, 'pressInDialog');
  assert.equal(pressed.value, true);
});

test('pressInDialog: presses again while the same dialog still shows (key dropped), stops once it is gone', async (t) => {
  const r = await pendingWithDialog(t);
  const pressed = watch(r.tracker.pressInDialog('1'));
  await r.until(() => r.host.writes.length === 2, DIALOG_SETTLE_MS + PRESS_VERIFY_MS + 200, 'the second press');
  const second = r.host.stamps.filter(([e]) => e === 'write:"1"')[1]?.[1] ?? -1;
  assert.ok(second >= DIALOG_SETTLE_MS + PRESS_VERIFY_MS, `second press at ${second} ms: not before the first was verified`);
  r.draw(AFTER_APPROVE);
  await r.until(() => pressed.done, 100, 'pressInDialog');
  assert.equal(pressed.value, true);
  await r.advance(2000);
  assert.deepEqual(r.host.writes, ['1', '1']);
});

test('pressInDialog: a moved highlight is the same dialog (pressed again), not "taken"', async (t) => {
  const r = await pendingWithDialog(t);
  const pressed = watch(r.tracker.pressInDialog(ENTER));
  await r.until(() => r.host.writes.length === 1, DIALOG_SETTLE_MS + 10, 'the press');
  r.draw(PERMISSION.map((l) => l.replace(' ❯ 1. Yes', '   1. Yes').replace('   2. Yes, and always', ' ❯ 2. Yes, and always')));
  await r.advance(PRESS_VERIFY_MS + 50);
  assert.equal(pressed.done, false);
  assert.deepEqual(r.host.writes, [ENTER, ENTER]);
});

test('pressInDialog: gives up (false) after three presses if the dialog never takes the key', async (t) => {
  const r = await pendingWithDialog(t);
  const pressed = watch(r.tracker.pressInDialog('1'));
  await r.until(() => pressed.done, DIALOG_SETTLE_MS + 3 * (PRESS_VERIFY_MS + 100), 'pressInDialog');
  assert.equal(pressed.value, false);
  assert.deepEqual(r.host.writes, ['1', '1', '1']);
});

test('pressInDialog: no dialog within DIALOG_WAIT_MS → false, nothing pressed', async (t) => {
  const r = setup(t, 'pending', RUNNING);
  const pressed = watch(r.tracker.pressInDialog('1'));
  await r.until(() => pressed.done, DIALOG_WAIT_MS + 100, 'pressInDialog');
  assert.equal(pressed.value, false);
  assert.deepEqual(r.host.writes, []);
});

test('pressInDialog: the dialog replaced by another one before it settled → nothing pressed', async (t) => {
  const r = await pendingWithDialog(t);
  const pressed = watch(r.tracker.pressInDialog('1'));
  await r.advance(100);
  r.draw(AFTER_APPROVE); // answered in the terminal meanwhile
  await r.advance(50);
  r.draw(PERMISSION_WRITE); // and the next tool's dialog is up
  await r.until(() => pressed.done, DIALOG_SETTLE_MS + PRESS_VERIFY_MS * 3, 'pressInDialog');
  assert.equal(pressed.value, false);
  assert.deepEqual(r.host.writes, []);
});

test('pressInDialog: after the press, the next dialog (seen via the busy screen) is never pressed', async (t) => {
  const r = await pendingWithDialog(t);
  const pressed = watch(r.tracker.pressInDialog('1'));
  await r.until(() => r.host.writes.length === 1, DIALOG_SETTLE_MS + 10, 'the press');
  await r.advance(20);
  r.draw(AFTER_APPROVE);
  await r.advance(20);
  r.draw(PERMISSION_WRITE);
  await r.advance(3000);
  assert.equal(pressed.value, true);
  assert.deepEqual(r.host.writes, ['1']);
});

test('pressInDialog: a retry never lands in another dialog drawn straight after the first (parallel tool calls)', async (t) => {
  const r = await pendingWithDialog(t);
  const pressed = watch(r.tracker.pressInDialog('1'));
  await r.until(() => r.host.writes.length === 1, DIALOG_SETTLE_MS + 10, 'the press');
  r.host.lines = PERMISSION_WRITE; // A took the key; B is drawn before the next screen read
  r.tracker.onOutput();
  await r.advance(3000);
  assert.deepEqual(r.host.writes, ['1'], 'pressed again, into the Write dialog');
  assert.equal(pressed.value, true);
});

test('pressInDialog: the next question of the same call means the key was taken', async (t) => {
  const r = setup(t, 'running', ASK2_COLOR);
  r.hook({ hook_event_name: 'PreToolUse', ...ASK, tool_use_id: 'toolu_a' });
  r.hook({ hook_event_name: 'PermissionRequest', ...ASK });
  await r.flush();
  const pressed = watch(r.tracker.pressInDialog('1'));
  await r.until(() => r.host.writes.length === 1, DIALOG_SETTLE_MS + 10, 'the press');
  r.draw(ASK2_SIZE);
  await r.until(() => pressed.done, 200, 'pressInDialog');
  assert.equal(pressed.value, true);
  await r.advance(2000);
  assert.deepEqual(r.host.writes, ['1'], 'never pressed into the second question');
});

test(
  'pressInDialog: a retry never lands in the next dialog of the same tool with the same options (two parallel Bash calls)',
  async (t) => {
    const r = setup(t, 'running', PERMISSION);
    r.hook({ hook_event_name: 'PreToolUse', ...BASH, tool_use_id: 'toolu_01' });
    r.hook({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'touch other' }, tool_use_id: 'toolu_02' });
    r.hook({ hook_event_name: 'PermissionRequest', ...BASH, tool_use_id: 'toolu_01' });
    await r.flush();
    const pressed = watch(r.tracker.pressInDialog('1'));
    await r.until(() => r.host.writes.length === 1, DIALOG_SETTLE_MS + 10, 'the press');
    // A took the key and ran; B (another command, same question and options) is drawn at once.
    r.hook({ hook_event_name: 'PostToolUse', ...BASH, tool_use_id: 'toolu_01', tool_response: { stdout: '' } });
    r.hook({ hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { command: 'touch other' }, tool_use_id: 'toolu_02' });
    r.host.lines = bashDialog('touch other');
    r.tracker.onOutput();
    await r.advance(3000);
    assert.deepEqual(r.host.writes, ['1'], 'pressed again, into the second Bash dialog');
    assert.equal(pressed.value, true);
  },
);

test('concurrent dialog waits do not multiply the screen reads (one poll loop)', async (t) => {
  const r = setup(t, 'running', RUNNING);
  const a = watch(r.tracker.dialogOptions());
  const b = watch(r.tracker.dialogOptions());
  const c = watch(r.tracker.pressInDialog('1'));
  await r.advance(480);
  const reads = r.host.reads;
  assert.ok(reads <= 480 / POLL_MS + 2, `${reads} screen reads in 480 ms for 3 waits`);
  r.tracker.close();
  await r.flush();
  assert.equal(a.done && b.done && c.done, true);
  assert.deepEqual(r.host.writes, []);
});

test('a dialog wait while output flows: screen reads stay linear', async (t) => {
  const r = setup(t, 'running', RUNNING);
  const a = watch(r.tracker.dialogOptions());
  for (let i = 0; i < 18; i++) {
    r.draw(RUNNING); // the spinner redraws ~12 times a second
    await r.advance(80);
  }
  await r.until(() => a.done, 200, 'dialogOptions');
  // ~1500/80 output reads + ~1500/60 polls ≈ 45.
  assert.ok(r.host.reads <= 50, `${r.host.reads} screen reads in ${r.now()} ms`);
});

test('close() ends a pending dialog wait with false', async (t) => {
  const r = setup(t, 'pending', RUNNING);
  const pressed = watch(r.tracker.pressInDialog('1'));
  await r.advance(100);
  r.tracker.close();
  const before = r.host.log.length;
  const reads = r.host.reads;
  await r.flush();
  assert.equal(pressed.done, true);
  assert.equal(pressed.value, false);
  r.draw(PERMISSION);
  r.hook({ hook_event_name: 'PermissionRequest', ...BASH });
  await r.advance(DIALOG_LOST_MS + 100);
  assert.deepEqual(r.host.writes, []);
  assert.deepEqual(r.host.log.slice(before), []);
  assert.ok(r.host.reads - reads <= 1, 'no more screen polling after close');
});

test('folder trust dialog (fallback): Down until "Yes, I trust this folder" is highlighted, then Enter; never Enter on "No, exit"', async (t) => {
  const r = setup(t, 'starting', trust(0));
  r.draw(trust(0));
  await r.advance(DIALOG_SETTLE_MS - 1);
  assert.deepEqual(r.host.writes, []);
  await r.advance(1);
  assert.deepEqual(r.host.writes, ['\x1b[B']);
  // The first Down is dropped: pressed again once the press was not seen to take.
  await r.until(() => r.host.writes.length === 2, PRESS_VERIFY_MS + 100, 'the second Down');
  assert.deepEqual(r.host.writes, ['\x1b[B', '\x1b[B']);
  r.draw(trust(1));
  await r.until(() => r.host.writes.length === 3, 100, 'Enter');
  assert.deepEqual(r.host.writes, ['\x1b[B', '\x1b[B', '\r']);
  r.draw(IDLE);
  await r.advance(2000);
  assert.deepEqual(r.host.writes, ['\x1b[B', '\x1b[B', '\r']);
  assert.equal(r.host.machine.name, 'idle');
});

// ---- submit(): typing a prompt (prompt-input.ts has the details) ----

/**
 * Claude Code's prompt box reacting to keys (claude-dialogs.md §5): echo after 5 ms; "x",
 * Esc, Esc clears; Enter submits (UserPromptSubmit 10 ms later, the spinner).
 */
function emulateBox(r: Rig, opts: { busy?: boolean } = {}): { box: string; submitted: string[] } {
  const state = { box: readScreen(r.host.lines).box ?? '', submitted: [] as string[] };
  let lastEsc = -Infinity;
  const redraw = (): void => r.draw(opts.busy ? runningWith(state.box) : idleWith(state.box));
  r.host.onWrite = (keys) => {
    setTimeout(() => {
      if (keys === ESC) {
        if (Date.now() - lastEsc <= 700) state.box = '';
        lastEsc = Date.now();
      } else if (keys === ENTER) {
        const prompt = state.box;
        state.box = '';
        state.submitted.push(prompt);
        r.draw(RUNNING);
        setTimeout(() => r.hook({ hook_event_name: 'UserPromptSubmit', prompt }), 10);
        return;
      } else if (keys.startsWith(PASTE_START)) {
        state.box += keys.slice(PASTE_START.length, -PASTE_END.length);
      } else {
        state.box += keys;
      }
      redraw();
    }, 5);
  };
  return state;
}

test('submit: at idle, pasted (bracketed), Enter once shown, ok on the UserPromptSubmit hook', async (t) => {
  const r = setup(t, 'idle', IDLE);
  const box = emulateBox(r);
  const s = watch(r.tracker.submit('please create the greeting file'));
  await r.until(() => s.done, 1000, 'submit');
  assert.deepEqual(s.value, { ok: true });
  assert.deepEqual(r.host.writes, [paste('please create the greeting file'), ENTER]);
  assert.deepEqual(box.submitted, ['please create the greeting file']);
  assert.equal(r.host.machine.name, 'running');
});

test('submit: a restored prompt in the box at idle is cleared first ("x", Esc, Esc), then exactly the text is submitted', async (t) => {
  const r = setup(t, 'idle', idleWith('restore me please MOCK:delay=8000 MOCK:text'));
  const box = emulateBox(r);
  const s = watch(r.tracker.submit('the new prompt'));
  await r.until(() => s.done, 3000, 'submit');
  assert.deepEqual(s.value, { ok: true });
  assert.deepEqual(r.host.writes, ['x', ESC, ESC, paste('the new prompt'), ENTER]);
  const escs = r.host.stamps.filter(([e]) => e === `write:${JSON.stringify(ESC)}`).map(([, at]) => at);
  assert.equal((escs[1] ?? 0) - (escs[0] ?? 0), 100, 'the two Escs ~100 ms apart');
  assert.deepEqual(box.submitted, ['the new prompt']);
});

test('submit: refused ("dialog") while a dialog is pending, even before it is drawn; nothing typed', async (t) => {
  const r = setup(t, 'running', RUNNING);
  r.hook({ hook_event_name: 'PreToolUse', ...BASH, tool_use_id: 'toolu_01' });
  r.hook({ hook_event_name: 'PermissionRequest', ...BASH });
  const s = watch(r.tracker.submit('yes'));
  await r.until(() => s.done, 100, 'submit');
  assert.deepEqual(s.value, { ok: false, reason: 'dialog' });
  assert.deepEqual(r.host.writes, []);
});

test('submit: a tool call being decided (PreToolUse, no outcome yet) holds the typing; a PermissionRequest then refuses it', async (t) => {
  const r = setup(t, 'running', RUNNING);
  emulateBox(r, { busy: true });
  r.hook({ hook_event_name: 'PreToolUse', ...BASH, tool_use_id: 'toolu_01' });
  await r.advance(10);
  const s = watch(r.tracker.submit('hello'));
  await r.advance(200);
  assert.equal(s.done, false, 'waiting for the permission check');
  assert.deepEqual(r.host.writes, []);
  r.hook({ hook_event_name: 'PermissionRequest', ...BASH }); // a dialog is coming: typing would land in it
  await r.until(() => s.done, 100, 'submit');
  assert.deepEqual(s.value, { ok: false, reason: 'dialog' });
  assert.deepEqual(r.host.writes, []);
});

test('submit: the tool call decided without a dialog (PostToolUse): typed at once', async (t) => {
  const r = setup(t, 'running', RUNNING);
  emulateBox(r, { busy: true });
  r.hook({ hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: { file_path: '/x' }, tool_use_id: 'toolu_r' });
  const s = watch(r.tracker.submit('hello'));
  await r.advance(150);
  assert.deepEqual(r.host.writes, []);
  r.hook({ hook_event_name: 'PostToolUse', tool_name: 'Read', tool_input: { file_path: '/x' }, tool_use_id: 'toolu_r', tool_response: {} });
  await r.until(() => r.host.writes.length > 0, 100, 'typing');
  assert.equal(r.host.writes[0], paste('hello'));
  assert.ok((r.host.at(`write:${JSON.stringify(paste('hello'))}`) ?? 0) >= 150);
  await r.until(() => s.done, 3000, 'submit');
  assert.deepEqual(s.value, { ok: true });
});

test('submit: no outcome of the tool call within TOOL_DECIDE_MS (a long tool without a dialog): typed then', async (t) => {
  const r = setup(t, 'running', RUNNING);
  emulateBox(r, { busy: true });
  r.hook({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'echo sleeping && sleep 30' }, tool_use_id: 'toolu_s' });
  const s = watch(r.tracker.submit('hello'));
  await r.until(() => r.host.writes.length > 0, TOOL_DECIDE_MS + 100, 'typing');
  const typedAt = r.host.at(`write:${JSON.stringify(paste('hello'))}`) ?? 0;
  assert.ok(typedAt >= TOOL_DECIDE_MS, `typed at ${typedAt} ms`);
  await r.until(() => s.done, 3000, 'submit');
  assert.deepEqual(s.value, { ok: true });
});

test('submit: close() while it waits for a tool call\'s outcome → exited, nothing typed', async (t) => {
  const r = setup(t, 'running', RUNNING);
  r.hook({ hook_event_name: 'PreToolUse', ...BASH, tool_use_id: 'toolu_01' });
  const s = watch(r.tracker.submit('hello'));
  await r.advance(100);
  r.tracker.close();
  await r.flush();
  assert.deepEqual(s.value, { ok: false, reason: 'exited' });
  assert.deepEqual(r.host.writes, []);
});

test('submit: the Enter not taken (the box still holds the text) → not_submitted, never ok', async (t) => {
  const r = setup(t, 'idle', IDLE);
  r.host.onWrite = (keys) => {
    if (keys === ENTER) return r.draw(idleWith('hello\n')); // taken as a newline: nothing submitted
    if (keys.startsWith(PASTE_START)) r.draw(idleWith('hello'));
  };
  const s = watch(r.tracker.submit('hello'));
  await r.until(() => s.done, 5000, 'submit');
  assert.deepEqual(s.value, { ok: false, reason: 'not_submitted' });
  assert.deepEqual(r.host.writes, [paste('hello'), ENTER]);
});

// ---- enter(): Enter outside a dialog (a confirm after text typed as bytes) ----

test('enter: at idle, Enter is pressed', async (t) => {
  const r = setup(t, 'idle', idleWith('typed as bytes'));
  r.draw(idleWith('typed as bytes'));
  await r.advance(10);
  assert.equal(await r.tracker.enter(), true);
  assert.deepEqual(r.host.writes, [ENTER]);
});

test('enter: refused (nothing pressed) while a dialog is pending, drawn or not', async (t) => {
  const r = setup(t, 'running', RUNNING);
  r.hook({ hook_event_name: 'PreToolUse', ...BASH, tool_use_id: 'toolu_01' });
  r.hook({ hook_event_name: 'PermissionRequest', ...BASH });
  assert.equal(await r.tracker.enter(), false);
  r.draw(PERMISSION);
  await r.until(() => r.host.machine.seen, 200, 'the dialog read');
  assert.equal(await r.tracker.enter(), false);
  assert.deepEqual(r.host.writes, []);
});

test('enter: refused while a dialog shows on screen, even before it counts as pending', async (t) => {
  const r = setup(t, 'running', RUNNING);
  r.draw(PERMISSION); // no hook yet; read once (not yet confirmed by a second read)
  await r.until(() => readScreen(r.host.lines).kind === 'dialog' && r.host.reads > 0, 100, 'a read');
  await r.advance(5);
  assert.equal(await r.tracker.enter(), false);
  assert.deepEqual(r.host.writes, []);
});

test('enter: waits while a tool call is being decided; a PermissionRequest then refuses it', async (t) => {
  const r = setup(t, 'running', RUNNING);
  r.hook({ hook_event_name: 'PreToolUse', ...BASH, tool_use_id: 'toolu_01' });
  const e = watch(r.tracker.enter());
  await r.advance(200);
  assert.equal(e.done, false);
  r.hook({ hook_event_name: 'PermissionRequest', ...BASH });
  await r.flush();
  assert.equal(e.value, false);
  assert.deepEqual(r.host.writes, []);
});

test('enter: after close() nothing is pressed', async (t) => {
  const r = setup(t, 'idle', IDLE);
  r.tracker.close();
  assert.equal(await r.tracker.enter(), false);
  assert.deepEqual(r.host.writes, []);
});
