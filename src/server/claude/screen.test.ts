import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readScreen, type ScreenReading } from './screen.js';

// Screens as Claude Code 2.1.328 drew them at 120x40 (claude-code-facts.md §4).
const COLS = 120;
const ROWS = 40;
const RULE = '─'.repeat(COLS);
const DASHED = '╌'.repeat(COLS);
const NBSP = '\u00a0';

/** A 120x40 screen: every line padded to 120 columns, blank rows below the content. */
function padded(lines: readonly string[]): string[] {
  const rows = lines.slice(-ROWS).map((l) => l.padEnd(COLS, ' '));
  while (rows.length < ROWS) rows.push(' '.repeat(COLS));
  return rows;
}

/** The same screen with trailing spaces trimmed and no blank rows (how some captures look). */
function trimmed(lines: readonly string[]): string[] {
  return lines.map((l) => l.replace(/ +$/, ''));
}

/** readScreen must read the screen the same whether or not lines carry trailing spaces. */
function read(lines: readonly string[]): ScreenReading {
  const a = readScreen(padded(lines));
  const b = readScreen(trimmed(lines));
  assert.deepEqual(a, b, 'padded and trimmed renderings read differently');
  return a;
}

const NOTHING = { options: [], highlighted: 0 };

const BANNER = [
  ' ▐▛███▛█   Claude Code v2.1.328',
  '▝▜██████▀  Opus 5.5 · API Usage Billing',
  ' ▝▝   ▝▝   /tmp/t/proj',
  `${' '.repeat(100)}◐ medium · /effort`,
];

/** The input box at the bottom: ❯ (then U+00A0, as Claude Code draws it), rules, status line. */
function promptBox(status: string, input: readonly string[] = ['']): string[] {
  const [first = '', ...rest] = input;
  return [RULE, `❯${NBSP}${first}`, ...rest.map((l) => `  ${l}`), RULE, `  ${status}`];
}

const IDLE_STATUS = '⏸ manual mode on · ? for shortcuts · ← for agents';
const BUSY_STATUS = '⏸ manual mode on · esc to interrupt · ← for agents';

const IDLE = [...BANNER, ...promptBox(IDLE_STATUS)];

const RUNNING = [
  ...BANNER,
  '',
  `❯${NBSP}please create the greeting file`,
  '',
  '✽ Garnishing…',
  '',
  ...promptBox(BUSY_STATUS),
];

const RUNNING_LATER = [
  ...BANNER,
  '',
  `❯${NBSP}please create the greeting file`,
  '',
  '✢ Garnishing… (3s · ↓ 7 tokens)',
  '  ⎿  Tip: Use /memory to view and manage Claude memory',
  '',
  ...promptBox(BUSY_STATUS),
];

const PERMISSION_OPTIONS = [
  'Yes',
  'Yes, and always allow access to /tmp/t/proj from this project',
  'Yes, and switch to auto mode · auto mode handles these prompts for you',
  'No',
];

function permissionScreen(highlighted: number, labels: readonly string[] = PERMISSION_OPTIONS, footer = 'Esc to cancel · Tab to amend'): string[] {
  return [
    ...BANNER,
    '',
    `❯${NBSP}please create the greeting file`,
    '',
    `●${NBSP}I will run a command.`,
    '',
    `●${NBSP}Printing a greeting`,
    '  ⎿  $ touch hello-from-tool.txt && echo hello-from-tool',
    '',
    RULE,
    ' Bash command',
    '',
    ' Tip: auto mode handles these prompts for you — choose "switch to auto mode" below',
    ' Print a greeting',
    DASHED,
    ' touch hello-from-tool.txt && echo hello-from-tool',
    DASHED,
    ' Do you want to proceed?',
    ...labels.map((label, i) => (i === highlighted ? ` ❯${NBSP}${i + 1}. ${label}` : `   ${i + 1}. ${label}`)),
    '',
    ` ${footer}`,
  ];
}

const AFTER_APPROVE = [
  ...BANNER,
  '',
  `❯${NBSP}please create the greeting file`,
  '',
  `●${NBSP}I will run a command.`,
  '',
  `●${NBSP}Printing a greeting`,
  '  ⎿  $ touch hello-from-tool.txt && echo hello-from-tool',
  '',
  '✢ Garnishing… (3s · ↓ 7 tokens)',
  '',
  ...promptBox('⏸ manual mode on · esc to interrupt'),
];

const FINAL_IDLE = [
  ...BANNER,
  '',
  `❯${NBSP}please create the greeting file`,
  '',
  `●${NBSP}I will run a command.`,
  '  Ran 1 shell command',
  '',
  `●${NBSP}DONE`,
  '',
  '✻ Cooked for 6s · done 1:37 AM',
  '',
  ...promptBox('⏸ manual mode on · ? for shortcuts'),
];

const TRUST = [
  '',
  ' Accessing workspace:',
  '',
  ' /tmp/t/proj',
  '',
  ' Quick safety check: Is this a project you created or one you trust? (Like your own code, a well-known open source',
  ' project, or work from your team). If not, take a moment to review what\'s in this folder first.',
  '',
  ` ❯${NBSP}No, exit`,
  '   Yes, I trust this folder',
  '',
  ' Enter to confirm · Esc to cancel',
];

const API_KEY = [
  '',
  '  Detected a custom API key in your environment',
  '',
  '  ANTHROPIC_API_KEY: sk-ant-...sk-test-dummy',
  '',
  '  Do you want to use this API key?',
  '',
  '    Yes',
  `  ❯${NBSP}No (recommended)`,
  '',
  '  Enter to confirm · Esc to cancel',
];

test('idle: the empty input box with "? for shortcuts" below it', () => {
  assert.deepEqual(read(IDLE), { kind: 'idle', ...NOTHING });
});

test('idle: the final screen after a turn (history above the box, "? for shortcuts" hint)', () => {
  assert.deepEqual(read(FINAL_IDLE), { kind: 'idle', ...NOTHING });
});

test('idle: text typed in the input box hides "? for shortcuts" but the box is still idle', () => {
  const screen = [...FINAL_IDLE.slice(0, -5), ...promptBox('⏸ manual mode on · ← for agents', ['half-typed question'])];
  assert.ok(!screen.join('\n').includes('? for shortcuts'));
  assert.deepEqual(read(screen), { kind: 'idle', ...NOTHING });
});

test('idle: a multi-line input box (pasted text) is still the input box', () => {
  const screen = [...BANNER, ...promptBox('⏸ manual mode on · ← for agents', ['l1', 'l2', 'l3 and more'])];
  assert.deepEqual(read(screen), { kind: 'idle', ...NOTHING });
});

test('idle: U+00A0 or a plain space after ❯ reads the same', () => {
  const withNbsp = IDLE;
  const withSpace = IDLE.map((l) => l.replace(/\u00a0/g, ' '));
  assert.ok(withNbsp.some((l) => l.includes(NBSP)));
  assert.deepEqual(read(withNbsp), read(withSpace));
  assert.equal(read(withSpace).kind, 'idle');
  // …and in the permission dialog the highlighted option is found either way.
  const dialog = permissionScreen(1);
  assert.deepEqual(read(dialog), read(dialog.map((l) => l.replace(/\u00a0/g, ' '))));
});

test('busy: "esc to interrupt" in the status line while the model streams', () => {
  assert.deepEqual(read(RUNNING), { kind: 'busy', ...NOTHING });
  assert.deepEqual(read(RUNNING_LATER), { kind: 'busy', ...NOTHING });
});

test('busy: right after approving a permission (the tool runs)', () => {
  assert.deepEqual(read(AFTER_APPROVE), { kind: 'busy', ...NOTHING });
});

test('busy: an API retry line with "esc to interrupt" below', () => {
  const screen = [...BANNER, '', `❯${NBSP}hi`, '', '✻ API error · retrying… · attempt 1/2', '', ...promptBox(BUSY_STATUS)];
  assert.equal(read(screen).kind, 'busy');
});

test('permission: four numbered options, "❯ 1. Yes" highlighted', () => {
  assert.deepEqual(read(permissionScreen(0)), { kind: 'permission', options: PERMISSION_OPTIONS, highlighted: 0 });
});

test('permission: after Down the highlight is on option 2', () => {
  assert.deepEqual(read(permissionScreen(1)), { kind: 'permission', options: PERMISSION_OPTIONS, highlighted: 1 });
});

test('permission: highlight on the last option', () => {
  assert.deepEqual(read(permissionScreen(3)), { kind: 'permission', options: PERMISSION_OPTIONS, highlighted: 3 });
});

test('permission: after Tab (amend) option 1 changes and the footer is just "Esc to cancel"', () => {
  const labels = ['Yes, and tell Claude what to do next', ...PERMISSION_OPTIONS.slice(1)];
  assert.deepEqual(read(permissionScreen(0, labels, 'Esc to cancel')), { kind: 'permission', options: labels, highlighted: 0 });
});

test('permission: an option label that wraps onto a second indented line is one option', () => {
  const dir = `/home/someone/work/${'deeply-nested/'.repeat(3)}project-name`;
  const lines = permissionScreen(0);
  const i = lines.findIndex((l) => l.startsWith('   2. '));
  // 120 columns: the label breaks after "from", the rest sits under the label text.
  const head = `   2. Yes, and always allow access to ${dir} from`;
  assert.ok(head.length <= COLS);
  lines.splice(i, 1, head, '      this project');
  const r = read(lines);
  assert.equal(r.kind, 'permission');
  assert.equal(r.highlighted, 0);
  assert.deepEqual(r.options, ['Yes', `Yes, and always allow access to ${dir} from this project`, PERMISSION_OPTIONS[2], 'No']);
});

test('permission: a numbered list in the reply above the dialog does not leak into its options', () => {
  const lines = permissionScreen(1);
  const at = lines.indexOf(`●${NBSP}I will run a command.`);
  lines.splice(at + 1, 0, '  1. first step', '  2. second step', '  3. third step');
  assert.deepEqual(read(lines), { kind: 'permission', options: PERMISSION_OPTIONS, highlighted: 1 });
});

test('trust dialog: "❯ No, exit / Yes, I trust this folder"', () => {
  const options = ['No, exit', 'Yes, I trust this folder'];
  assert.deepEqual(read(TRUST), { kind: 'trust', options, highlighted: 0 });
  // After Down the highlight is on "Yes" (number keys do nothing here).
  const down = TRUST.map((l) => l.replace(`❯${NBSP}No, exit`, '  No, exit').replace('   Yes, I trust', ` ❯${NBSP}Yes, I trust`));
  assert.deepEqual(read(down), { kind: 'trust', options, highlighted: 1 });
});

test('API key dialog: "Do you want to use this API key?" needs a person', () => {
  assert.deepEqual(read(API_KEY), { kind: 'dialog', ...NOTHING });
  // Without a footer too.
  assert.deepEqual(read(API_KEY.slice(0, -2)), { kind: 'dialog', ...NOTHING });
});

test('unknown: no input box, no dialog, no status line', () => {
  assert.deepEqual(read([...BANNER, '', ' Some output without any prompt box']), { kind: 'unknown', ...NOTHING });
  assert.deepEqual(read([]), { kind: 'unknown', ...NOTHING });
  assert.deepEqual(readScreen(padded([])), { kind: 'unknown', ...NOTHING });
  // A resume command printed after /exit: the box is gone.
  assert.equal(read(['Resume this session with:', 'claude --resume 0b7d3a54-5c1e-4f7a-9a43-0cf1b1f1a7e2', '$ ']).kind, 'unknown');
});

test('interrupted: "Interrupted · What should Claude do instead?" then the idle input box', () => {
  const screen = [
    ...BANNER,
    '',
    `❯${NBSP}please create the greeting file`,
    '',
    `●${NBSP}I will run a command.`,
    '',
    `●${NBSP}Did not run 1 call`,
    '  ⎿  Interrupted · What should Claude do instead?',
    '',
    ...promptBox(IDLE_STATUS),
  ];
  assert.deepEqual(read(screen), { kind: 'idle', ...NOTHING });
});

test('a numbered list in the reply text above the idle box is not a permission dialog', () => {
  const screen = [
    ...BANNER,
    '',
    `❯${NBSP}how do I set this up?`,
    '',
    `●${NBSP}Here is the plan:`,
    '  1. first step',
    '  2. second step',
    '  3. third step',
    '',
    '  Which one should I start with?',
    '',
    ...promptBox(IDLE_STATUS),
  ];
  assert.deepEqual(read(screen), { kind: 'idle', ...NOTHING });
});

test('a numbered list in the reply text while busy is not a permission dialog', () => {
  const screen = [
    ...BANNER,
    '',
    `❯${NBSP}plan it`,
    '',
    `●${NBSP}Do you want to proceed? Options:`,
    '  1. first step',
    '  2. second step',
    '',
    '✽ Baking…',
    '',
    ...promptBox(BUSY_STATUS),
  ];
  assert.deepEqual(read(screen), { kind: 'busy', ...NOTHING });
});

test('a numbered list typed by the user (echoed with ❯) is not a permission dialog', () => {
  const screen = [
    ...BANNER,
    '',
    `❯${NBSP}1. first step`,
    '  2. second step',
    '',
    `●${NBSP}OK.`,
    '',
    ...promptBox(IDLE_STATUS),
  ];
  assert.deepEqual(read(screen), { kind: 'idle', ...NOTHING });
});

test('the grey placeholder "Resend your message to try again" is still the idle box', () => {
  const screen = [
    ...BANNER,
    '',
    `●${NBSP}API Error: 500 mock error 500. This is a server-side issue, usually temporary — try again in a moment. If it`,
    '  persists, check your inference gateway (127.0.0.1:18182).',
    '',
    ...promptBox('⏸ manual mode on · ← for agents', ['Resend your message to try again']),
  ];
  assert.equal(read(screen).kind, 'idle');
});

test('auto-mode nudge dialog ("Make auto mode your default permission mode?") needs a person', () => {
  // claude-code-facts.md §2, seed 4: shown when defaultMode is set but hasSeenAutoDefaultNudge is not.
  const screen = [
    '',
    '  Make auto mode your default permission mode?',
    '',
    `  ❯${NBSP}Yes, set auto mode as my default permission mode`,
    '    No, keep manual mode',
    '',
  ];
  assert.equal(read(screen).kind, 'dialog');
});

test('a scrolled dialog: the "↑ 1 more line" hint is not part of the last option', () => {
  const screen = [
    ' Do you want to proceed?',
    ' ❯ 1. Yes',
    '   2. Yes, and always allow access to /tmp/x from this project',
    '   3. Yes, and switch to auto mode · auto mode handles these prompts for you',
    '   4. No',
    ' ↑ 1 more line',
    ' Esc to cancel · Tab to amend',
  ];
  const r = readScreen(screen);
  assert.equal(r.kind, 'permission');
  assert.equal(r.options[3], 'No');
  assert.equal(r.options.length, 4);
});
