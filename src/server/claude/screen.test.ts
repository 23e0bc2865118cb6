import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readScreen, type Dialog, type ScreenReading } from './screen.js';

// ---- Real screens: Claude Code 2.1.332 (and 2.1.328 where marked) captured with tmux at 120x40
// and 80x24 against the fake API (/tmp/research/screens, claude-dialogs.md §2), copied verbatim:
// trailing spaces trimmed by the capture, U+00A0 written as \u00a0. ----

/** The lines of a capture: the template's first and last newline are not part of it. */
function capture(text: string): string[] {
  return text.slice(1, -1).split('\n');
}

/** The screen as the terminal mirror gives it: every line padded to the full width. */
function padded(lines: readonly string[], cols: number): string[] {
  return lines.map((l) => l.padEnd(cols, ' '));
}

/** Reads a capture; padded to its width and with U+00A0 as plain spaces it must read the same. */
function read(lines: readonly string[], cols: number): ScreenReading {
  const r = readScreen(lines);
  assert.deepEqual(readScreen(padded(lines, cols)), r, 'padded and trimmed renderings read differently');
  assert.deepEqual(readScreen(lines.map((l) => l.replace(/\u00a0/g, ' '))), r, 'U+00A0 and a space read differently');
  return r;
}

function dialog(d: Dialog): ScreenReading {
  return { kind: 'dialog', dialog: d, box: null };
}

/** Claude Code 2.1.332, idle-120x40.txt. */
const IDLE_120 = capture(`

 ▐▛███▛█   Claude Code v2.1.332
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/332-idle-120x40/proj































                                                                                                    ◐ medium · /effort
────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
❯\u00a0
────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  ⏸ manual mode on · ? for shortcuts · ← for agents
`);

/** Claude Code 2.1.332, idle-80x24.txt. */
const IDLE_80 = capture(`

 ▐▛███▛█   Claude Code v2.1.332
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/332-idle-80x24/proj















                                                            ◐ medium · /effort
────────────────────────────────────────────────────────────────────────────────
❯\u00a0
────────────────────────────────────────────────────────────────────────────────
  ⏸ manual mode on · ? for shortcuts · ← for agents
`);

/** Claude Code 2.1.332, running-120x40.txt. */
const RUNNING_120 = capture(`

 ▐▛███▛█   Claude Code v2.1.332
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/332-esc-120x40/proj


❯ restore me please MOCK:delay=8000 MOCK:text



























✢ Herding…
                                                                                                    ◐ medium · /effort
────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
❯\u00a0
────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  ⏸ manual mode on · esc to interrupt · ← for agents
`);

/** Claude Code 2.1.332, longtool-running-80x24.txt. */
const LONGTOOL_RUNNING_80 = capture(`

 ▐▛███▛█   Claude Code v2.1.332
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/332-longtool-80x24/proj


❯ wait a while MOCK:sleep=30

● I will run a long command.

  Waiting a while · 2s
  ⎿  $ echo sleeping && sleep 30 (3s · 2 lines)
     (ctrl+b to run in background)





* Whirring… (3s · ↓ 52 tokens)
                                                            ◐ medium · /effort
────────────────────────────────────────────────────────────────────────────────
❯\u00a0
────────────────────────────────────────────────────────────────────────────────
  ⏸ manual mode on · esc to interrupt · ← for agents
`);

/** Claude Code 2.1.332, longtool-interrupted-120x40.txt. */
const LONGTOOL_INTERRUPTED_120 = capture(`

 ▐▛███▛█   Claude Code v2.1.332
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/332-longtool-120x40/proj


❯ wait a while MOCK:sleep=30

● I will run a long command.

  No result recorded for 1 call
  ⎿ \u00a0$ echo sleeping && sleep 30
  ⎿ \u00a0Interrupted · What should Claude do instead?






















                                                                                                    ◐ medium · /effort
────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
❯\u00a0
────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  ⏸ manual mode on · ? for shortcuts · ← for agents
`);

/** Claude Code 2.1.332, bash-perm-120x40.txt. */
const BASH_120 = capture(`

 ▐▛███▛█   Claude Code v2.1.332
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/332-bash-120x40/proj


❯ please create the greeting file

● I will run a command.

  Printing a greeting
  ⎿  $ touch hello-from-tool.txt && echo hello-from-tool














────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
 Bash command
 Tip: auto mode handles these prompts for you — choose "switch to auto mode" below
 Print a greeting
╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌
 touch hello-from-tool.txt && echo hello-from-tool
╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌
 Do you want to proceed?
 ❯ 1. Yes
   2. Yes, and always allow access to /tmp/research/runs/332-bash-120x40/proj from this project
   3. Yes, and switch to auto mode · auto mode handles these prompts for you
   4. No

 Esc to cancel · Tab to amend
`);

/** Claude Code 2.1.332, bash-perm-80x24.txt. */
const BASH_80 = capture(`

❯ please create the greeting file

● I will run a command.

  Printing a greeting
  ⎿  $ touch hello-from-tool.txt && echo hello-from-tool

────────────────────────────────────────────────────────────────────────────────
 Bash command
 Tip: auto mode handles these prompts for you — choose "switch to auto mode"
 below
 Print a greeting
╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌
 touch hello-from-tool.txt && echo hello-from-tool
╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌
 Do you want to proceed?
 ❯ 1. Yes
   2. Yes, and always allow access to /tmp/research/runs/332-bash-80x24/proj
      from this project
   3. Yes, and switch to auto mode · auto mode handles these prompts for you
   4. No

 Esc to cancel · Tab to amend
`);

/** Claude Code 2.1.332, bash-denied-80x24.txt. */
const BASH_DENIED_80 = capture(`


❯ please create the greeting file

● I will run a command.

  Ran 1 shell command

● DONE

✻ Cooked for 0s · done 8:14 AM

❯ second greeting MOCK:cmd=touch second.txt

● I will run a command.

  Did not run 1 call
  ⎿ \u00a0$ touch second.txt
  ⎿ \u00a0Interrupted · What should Claude do instead?

────────────────────────────────────────────────────────────────────────────────
❯\u00a0
────────────────────────────────────────────────────────────────────────────────
  ⏸ manual mode on · ? for shortcuts · ← for agents
`);

/** Claude Code 2.1.332, write-perm-120x40.txt. */
const WRITE_120 = capture(`

 ▐▛███▛█   Claude Code v2.1.332
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/332-write-120x40/proj


❯ write a file MOCK:write=/tmp/research/runs/332-write-120x40/proj/w.txt

● I will write a file.

● Write(w.txt)

















────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
 Create file
 w.txt
╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌
  1 written by the fake API
╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌
 Do you want to create w.txt?
 ❯ 1. Yes
   2. Yes, and switch to accept edits (auto-approve file edits and common file commands) for this session (shift+tab)
   3. No

 Esc to cancel · Tab to amend
`);

/** Claude Code 2.1.332, write-perm-80x24.txt. */
const WRITE_80 = capture(`
 ▐▛███▛█   Claude Code v2.1.332
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/332-write-80x24/proj


❯ write a file MOCK:write=/tmp/research/runs/332-write-80x24/proj/w.txt

● I will write a file.

● Write(w.txt)

────────────────────────────────────────────────────────────────────────────────
 Create file
 w.txt
╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌
  1 written by the fake API
╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌
 Do you want to create w.txt?
 ❯ 1. Yes
   2. Yes, and switch to accept edits (auto-approve file edits and common file
      commands) for this session (shift+tab)
   3. No

 Esc to cancel · Tab to amend
`);

/** Claude Code 2.1.332, edit-perm-80x24.txt. */
const EDIT_80 = capture(`

● I will read, then edit a file.

  Read 1 file

● I will edit a file.

● Update(e.txt)

────────────────────────────────────────────────────────────────────────────────
 Edit file
 e.txt
╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌
 1 -hello world
 1 +hello world (edited)
 2  second line
╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌
 Do you want to make this edit to e.txt?
 ❯ 1. Yes
   2. Yes, and switch to accept edits (auto-approve file edits and common file
      commands) for this session (shift+tab)
   3. No

 Esc to cancel · Tab to amend
`);

/** Claude Code 2.1.332, ask1-120x40.txt. */
const ASK1_120 = capture(`

 ▐▛███▛█   Claude Code v2.1.332
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/332-ask1-120x40/proj


❯ pick a color MOCK:ask

● I have a question.

















────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
 ☐ Color

Which color do you prefer?

❯ 1. Red
     A warm color
  2. Blue
     A cool color
  3. Type something.
────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  4. Chat about this

Enter to select · ↑/↓ to navigate · Esc to cancel
`);

/** Claude Code 2.1.332, ask1-80x24.txt. */
const ASK1_80 = capture(`

 ▐▛███▛█   Claude Code v2.1.332
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/332-ask1-80x24/proj


❯ pick a color MOCK:ask

● I have a question.

────────────────────────────────────────────────────────────────────────────────
 ☐ Color

Which color do you prefer?

❯ 1. Red
     A warm color
  2. Blue
     A cool color
  3. Type something.
────────────────────────────────────────────────────────────────────────────────
  4. Chat about this

Enter to select · ↑/↓ to navigate · Esc to cancel
`);

/** Claude Code 2.1.328, ask1-type-something-typed-120x40.txt. */
const ASK1_TYPED_120 = capture(`

 ▐▛███▛█   Claude Code v2.1.328
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/328-askother-120x40/proj


❯ pick MOCK:ask

● I have a question.
────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
 ☐ Color

Which color do you prefer?

  1. Red
     A warm color
  2. Blue
     A cool color
❯ 3. Green please
────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  4. Chat about this

Enter to select · ↑/↓ to navigate · ctrl+g to edit in Vim · Esc to cancel
`);

/** Claude Code 2.1.332, ask2-q1-80x24.txt. */
const ASK2_Q1_80 = capture(`

 ▐▛███▛█   Claude Code v2.1.332
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/332-ask2-80x24/proj


❯ two questions MOCK:ask2

● I have a question.

────────────────────────────────────────────────────────────────────────────────
←  ☐ Color  ☐ Size  ✔ Submit  →

Which color do you prefer?

❯ 1. Red
     A warm color
  2. Blue
     A cool color
  3. Type something.
────────────────────────────────────────────────────────────────────────────────
  4. Chat about this

Enter to select · Tab/Arrow keys to navigate · Esc to cancel
`);

/** Claude Code 2.1.332, ask2-q2-120x40.txt. */
const ASK2_Q2_120 = capture(`

 ▐▛███▛█   Claude Code v2.1.332
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/332-ask2-120x40/proj


❯ two questions MOCK:ask2

● I have a question.

















────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
←  ☒ Color  ☐ Size  ✔ Submit  →

Which size do you need?

❯ 1. Small
     Fits in a pocket
  2. Large
     Needs a bag
  3. Type something.
────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  4. Chat about this

Enter to select · Tab/Arrow keys to navigate · Esc to cancel
`);

/** Claude Code 2.1.332, ask2-review-120x40.txt. */
const ASK2_REVIEW_120 = capture(`

 ▐▛███▛█   Claude Code v2.1.332
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/332-ask2-120x40/proj


❯ two questions MOCK:ask2

● I have a question.


















────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
←  ☒ Color  ☒ Size  ✔ Submit  →

Review your answers

 ● Which color do you prefer?
   → Red
 ● Which size do you need?
   → Large

❯ 1. Submit answers
  2. Cancel
`);

/** Claude Code 2.1.332, ask2-review-80x24.txt. */
const ASK2_REVIEW_80 = capture(`

 ▐▛███▛█   Claude Code v2.1.332
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/332-ask2-80x24/proj


❯ two questions MOCK:ask2

● I have a question.


────────────────────────────────────────────────────────────────────────────────
←  ☒ Color  ☒ Size  ✔ Submit  →

Review your answers

 ● Which color do you prefer?
   → Red
 ● Which size do you need?
   → Large

❯ 1. Submit answers
  2. Cancel
`);

/** Claude Code 2.1.332, ask2-nav-tab-120x40.txt. */
const ASK2_UNANSWERED_120 = capture(`

 ▐▛███▛█   Claude Code v2.1.332
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/332-ask2-120x40/proj


❯ two questions MOCK:ask2

● I have a question.

● Answered Claude's questions:
  ⎿ \u00a0· Which color do you prefer? → Red
     · Which size do you need? → Large

● AskUserQuestion result: Your questions have been answered: "Which color do you prefer?"="Red", "Which size do you
  need?"="Large". You can now continue with these answers in mind.

✻ Crunched for 0s · done 8:13 AM

❯ nav MOCK:ask2

● I have a question.





────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
←  ☐ Color  ☐ Size  ✔ Submit  →

Review your answers

⚠ Some questions are unanswered

❯ 1. Submit answers
  2. Cancel
`);

/** Claude Code 2.1.332, plan-120x40.txt. */
const PLAN_120 = capture(`

● Here is my plan.
▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔

  ────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
   Ready to code?

   Here is Claude's plan:
  ╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌
   Mock plan

   1. Create plan-step.txt
   2. Say DONE
  ╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌

















  ────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
   Claude has written up a plan and is ready to execute. Would you like to proceed?

   ❯ 1. Yes, and use auto mode
     2. Yes, manually approve edits
     3. Tell Claude what to change
        shift+tab to approve with this feedback

   ctrl+g to edit in Vim · /tmp/research/runs/332-plan-120x40/cfg/plans/make-a-plan-mock-plan-drifting-cloud.md
`);

/** Claude Code 2.1.332, plan-80x24.txt. */
const PLAN_80 = capture(`

● Here is my plan.
▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔
   Ready to code?
  ╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌
   Mock plan

   1. Create plan-step.txt
   2. Say DONE
  ╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌




  ────────────────────────────────────────────────────────────────────────────
   Claude has written up a plan and is ready to execute. Would you like to
   proceed?
   ❯ 1. Yes, and use auto mode
     2. Yes, manually approve edits
     3. Tell Claude what to change
        shift+tab to approve with this feedback

   ctrl+g to edit in Vim · /tmp/research/runs/332-plan-80x24/cfg/plans/make-a
   -plan-mock-plan-sleepy-hopcroft.md
`);

/** Claude Code 2.1.328, plan-noplanfile-120x40.txt (reconstructed capture, note line dropped). */
const PLAN_NO_FILE_120 = capture(`
● Here is my plan.
▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔

  ────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
   Exit plan mode?

    Claude wants to exit plan mode

    ❯ 1. Yes, and switch to default (ask each time) for this session
      2. No
`);

/** Claude Code 2.1.332, plan-approved-80x24.txt. */
const PLAN_APPROVED_80 = capture(`

     1. Create plan-step.txt
     2. Say DONE

● ExitPlanMode result: User has approved your plan. You can now start coding.
  Start with updating your todo list if applicable

  Your plan has been saved to: /tmp/research/runs/332-plan-80x24/cfg/plans/make-
  a-plan-mock-plan-sleepy-hopcroft.md
  You can refer back to it if needed during implementation.

  Approved Plan:

  Mock plan

  1. Create plan-step.txt
  2. Say DONE

✻ Baked for 1s · done 8:15 AM

──────────────────────────────────────────────────────────── Mock session name ─
❯\u00a0
────────────────────────────────────────────────────────────────────────────────
  ⏸ manual mode on · ? for shortcuts
`);

/** Claude Code 2.1.332, esc-restored-120x40.txt. */
const ESC_RESTORED_120 = capture(`

 ▐▛███▛█   Claude Code v2.1.332
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/332-esc-120x40/proj































                                                                                                    ◐ medium · /effort
────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
❯\u00a0restore me please MOCK:delay=8000 MOCK:text
────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  ⏸ manual mode on
`);

/** Claude Code 2.1.332, esc-restored-80x24.txt. */
const ESC_RESTORED_80 = capture(`

 ▐▛███▛█   Claude Code v2.1.332
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/332-esc-80x24/proj















                                                            ◐ medium · /effort
────────────────────────────────────────────────────────────────────────────────
❯\u00a0restore me please MOCK:delay=8000 MOCK:text
────────────────────────────────────────────────────────────────────────────────
  ⏸ manual mode on
`);

/** Claude Code 2.1.332, api-error-120x40.txt. */
const API_ERROR_120 = capture(`

 ▐▛███▛█   Claude Code v2.1.332
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/332-error-120x40/proj


❯ fail please MOCK:error=500

● API Error: 500 mock error 500. This is a server-side issue, usually temporary — try again in a moment. If it
  persists, check your inference gateway (127.0.0.1:41319).

























                                                                                                    ◐ medium · /effort
────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
❯\u00a0Resend your message to try again
────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  ⏸ manual mode on · ? for shortcuts · ← for agents
`);

/** Claude Code 2.1.332, api-error-80x24.txt. */
const API_ERROR_80 = capture(`

 ▐▛███▛█   Claude Code v2.1.332
▝▜██████▀  Opus 5.5 · API Usage Billing
 ▝▝   ▝▝   /tmp/research/runs/332-error-80x24/proj


❯ fail please MOCK:error=500

● API Error: 500 mock error 500. This is a server-side issue, usually
  temporary — try again in a moment. If it persists, check your
  inference gateway (127.0.0.1:41451).








                                                            ◐ medium · /effort
────────────────────────────────────────────────────────────────────────────────
❯\u00a0Resend your message to try again
────────────────────────────────────────────────────────────────────────────────
  ⏸ manual mode on · ? for shortcuts · ← for agents
`);


// ---- Real screens: idle, busy and the prompt box ----

test('idle right after start (120x40, 80x24): the empty box, box ""', () => {
  assert.deepEqual(read(IDLE_120, 120), { kind: 'idle', dialog: null, box: '' });
  assert.deepEqual(read(IDLE_80, 80), { kind: 'idle', dialog: null, box: '' });
});

test('busy: "esc to interrupt" under the (empty) box while the model works or a tool runs', () => {
  assert.deepEqual(read(RUNNING_120, 120), { kind: 'busy', dialog: null, box: '' });
  assert.deepEqual(read(LONGTOOL_RUNNING_80, 80), { kind: 'busy', dialog: null, box: '' });
});

test('idle after Esc: an interrupted tool ("Interrupted · What should Claude do instead?"), a declined dialog', () => {
  assert.deepEqual(read(LONGTOOL_INTERRUPTED_120, 120), { kind: 'idle', dialog: null, box: '' });
  assert.deepEqual(read(BASH_DENIED_80, 80), { kind: 'idle', dialog: null, box: '' });
});

test('box: the prompt restored after Esc (no "? for shortcuts" then) is the box text, idle', () => {
  const prompt = 'restore me please MOCK:delay=8000 MOCK:text';
  assert.ok(!ESC_RESTORED_120.join('\n').includes('? for shortcuts'));
  assert.deepEqual(read(ESC_RESTORED_120, 120), { kind: 'idle', dialog: null, box: prompt });
  assert.deepEqual(read(ESC_RESTORED_80, 80), { kind: 'idle', dialog: null, box: prompt });
});

test('box: the API error placeholder "Resend your message to try again" counts as empty', () => {
  assert.ok(API_ERROR_120.some((l) => l.includes('Resend your message to try again')));
  assert.deepEqual(read(API_ERROR_120, 120), { kind: 'idle', dialog: null, box: '' });
  assert.deepEqual(read(API_ERROR_80, 80), { kind: 'idle', dialog: null, box: '' });
});

test(
  'idle after a plan was approved: the box\'s upper rule carries the session name ("──── Mock session name ─")',
  () => {
    assert.ok(PLAN_APPROVED_80.some((l) => /─ Mock session name ─$/.test(l)));
    assert.deepEqual(read(PLAN_APPROVED_80, 80), { kind: 'idle', dialog: null, box: '' });
  },
);

// ---- Real screens: permission dialogs ----

const BASH_OPTIONS = (dir: string): string[] => [
  'Yes',
  `Yes, and always allow access to ${dir} from this project`,
  'Yes, and switch to auto mode · auto mode handles these prompts for you',
  'No',
];

test('permission (Bash, 120x40): four options, "❯ 1. Yes" highlighted, the question, no box', () => {
  assert.deepEqual(read(BASH_120, 120), dialog({
    kind: 'permission',
    options: BASH_OPTIONS('/tmp/research/runs/332-bash-120x40/proj'),
    highlighted: 0,
    question: 'Do you want to proceed?',
  }));
});

test('permission (Bash, 80x24): the option wrapped onto "      from this project" is one option', () => {
  assert.ok(BASH_80.includes('      from this project'), 'the capture wraps option 2');
  assert.deepEqual(read(BASH_80, 80), dialog({
    kind: 'permission',
    options: BASH_OPTIONS('/tmp/research/runs/332-bash-80x24/proj'),
    highlighted: 0,
    question: 'Do you want to proceed?',
  }));
});

const EDITS_OPTIONS = ['Yes', 'Yes, and switch to accept edits (auto-approve file edits and common file commands) for this session (shift+tab)', 'No'];

test('permission (Write): "Do you want to create w.txt?", three options, at both sizes (wrapped at 80)', () => {
  const expected = dialog({ kind: 'permission', options: EDITS_OPTIONS, highlighted: 0, question: 'Do you want to create w.txt?' });
  assert.deepEqual(read(WRITE_120, 120), expected);
  assert.ok(WRITE_80.includes('      commands) for this session (shift+tab)'), 'the capture wraps option 2');
  assert.deepEqual(read(WRITE_80, 80), expected);
});

test('permission (Edit, 80x24): "Do you want to make this edit to e.txt?"', () => {
  assert.deepEqual(read(EDIT_80, 80), dialog({ kind: 'permission', options: EDITS_OPTIONS, highlighted: 0, question: 'Do you want to make this edit to e.txt?' }));
});

test('permission: the highlight follows ❯ (after Down)', () => {
  const down = BASH_120.map((l) => l.replace(' ❯ 1. Yes', '   1. Yes').replace('   2. Yes, and always', ' ❯ 2. Yes, and always'));
  const r = read(down, 120);
  assert.equal(r.dialog?.highlighted, 1);
  assert.deepEqual(r.dialog?.options, BASH_OPTIONS('/tmp/research/runs/332-bash-120x40/proj'));
});

// ---- Real screens: AskUserQuestion ----

const COLOR_OPTIONS = ['Red', 'Blue', 'Type something.', 'Chat about this'];

test('question (AskUserQuestion, one question): labels without descriptions, the rule before "4." skipped, the question', () => {
  assert.ok(ASK1_120.includes('     A warm color'), 'the capture has the descriptions');
  const expected = dialog({ kind: 'question', options: COLOR_OPTIONS, highlighted: 0, question: 'Which color do you prefer?' });
  assert.deepEqual(read(ASK1_120, 120), expected);
  assert.deepEqual(read(ASK1_80, 80), expected);
});

test('question: "3. Type something." with typed text shows the text as option 3, highlighted (2.1.328)', () => {
  assert.deepEqual(read(ASK1_TYPED_120, 120), dialog({ kind: 'question', options: ['Red', 'Blue', 'Green please', 'Chat about this'], highlighted: 2, question: 'Which color do you prefer?' }));
});

test('question (two in one call): the tab bar above, each question with its own options', () => {
  assert.ok(ASK2_Q1_80.some((l) => l.includes('☐ Color  ☐ Size  ✔ Submit')));
  assert.deepEqual(read(ASK2_Q1_80, 80), dialog({ kind: 'question', options: COLOR_OPTIONS, highlighted: 0, question: 'Which color do you prefer?' }));
  assert.deepEqual(read(ASK2_Q2_120, 120), dialog({ kind: 'question', options: ['Small', 'Large', 'Type something.', 'Chat about this'], highlighted: 0, question: 'Which size do you need?' }));
});

test('question: the review step ("Review your answers", no footer) → Submit answers / Cancel', () => {
  const expected = dialog({ kind: 'question', options: ['Submit answers', 'Cancel'], highlighted: 0, question: 'Review your answers' });
  assert.deepEqual(read(ASK2_REVIEW_120, 120), expected);
  assert.deepEqual(read(ASK2_REVIEW_80, 80), expected);
});

test('question: the review step with "⚠ Some questions are unanswered" is still the question dialog', () => {
  const r = read(ASK2_UNANSWERED_120, 120);
  assert.equal(r.kind, 'dialog');
  assert.equal(r.dialog?.kind, 'question');
  assert.deepEqual(r.dialog?.options, ['Submit answers', 'Cancel']);
  assert.match(r.dialog?.question ?? '', /Review your answers|Some questions are unanswered/);
});

// ---- Real screens: ExitPlanMode ----

const PLAN_OPTIONS = ['Yes, and use auto mode', 'Yes, manually approve edits', 'Tell Claude what to change'];
const PLAN_QUESTION = 'Claude has written up a plan and is ready to execute. Would you like to proceed?';

test('plan ("Ready to code?", 120x40): three options, the hint "shift+tab to approve with this feedback" not part of option 3', () => {
  assert.ok(PLAN_120.includes('        shift+tab to approve with this feedback'));
  assert.deepEqual(read(PLAN_120, 120), dialog({ kind: 'plan', options: PLAN_OPTIONS, highlighted: 0, question: PLAN_QUESTION }));
});

test('plan (80x24: the question wraps over two lines): kind plan, the same options', () => {
  assert.ok(PLAN_80.includes('   proceed?'), 'the capture wraps the question');
  const r = read(PLAN_80, 80);
  assert.equal(r.kind, 'dialog');
  assert.equal(r.box, null);
  assert.equal(r.dialog?.kind, 'plan');
  assert.deepEqual(r.dialog?.options, PLAN_OPTIONS);
  assert.equal(r.dialog?.highlighted, 0);
  assert.match(r.dialog?.question ?? '', /^Claude has written up a plan and is ready to execute\. Would you like to/);
});

test(
  'plan (80x24): the wrapped question is read whole, as at 120 columns',
  () => {
    assert.equal(read(PLAN_80, 80).dialog?.question, PLAN_QUESTION);
  },
);

test('plan without a plan file (2.1.328: "Exit plan mode?"): two options', () => {
  assert.deepEqual(read(PLAN_NO_FILE_120, 120), dialog({
    kind: 'plan',
    options: ['Yes, and switch to default (ask each time) for this session', 'No'],
    highlighted: 0,
    question: 'Exit plan mode?',
  }));
});

// ---- Synthetic screens (shaped like 2.1.328 at 120x40, claude-code-facts.md §4) for cases
// no capture has ----

const COLS = 120;
const ROWS = 40;
const RULE = '─'.repeat(COLS);
const DASHED = '╌'.repeat(COLS);
const NBSP = '\u00a0';

/** A 120x40 screen: every line padded to 120 columns, blank rows below the content. */
function full(lines: readonly string[]): string[] {
  const rows = lines.slice(-ROWS).map((l) => l.padEnd(COLS, ' '));
  while (rows.length < ROWS) rows.push(' '.repeat(COLS));
  return rows;
}

/**
 * The screen as the terminal mirror gives it (translateToString(true): trailing spaces trimmed).
 * A multi-line box is only read this way: its inner lines keep what padding they are given.
 */
function mirrored(lines: readonly string[]): ScreenReading {
  return readScreen(lines.map((l) => l.replace(/ +$/, '')));
}

/** readScreen must read the screen the same whether or not lines carry trailing spaces. */
function synth(lines: readonly string[]): ScreenReading {
  const a = readScreen(full(lines));
  const b = readScreen(lines.map((l) => l.replace(/ +$/, '')));
  assert.deepEqual(a, b, 'padded and trimmed renderings read differently');
  return a;
}

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
const TEXT_STATUS = '⏸ manual mode on';

const IDLE = [...BANNER, ...promptBox(IDLE_STATUS)];
const IDLE_READING: ScreenReading = { kind: 'idle', dialog: null, box: '' };

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

function permission(highlighted: number, options: readonly string[] = PERMISSION_OPTIONS): ScreenReading {
  return dialog({ kind: 'permission', options: [...options], highlighted, question: 'Do you want to proceed?' });
}

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

test('idle: text typed in the box hides "? for shortcuts"; the box is still idle and holds the text', () => {
  const screen = [...BANNER, ...promptBox(TEXT_STATUS, ['half-typed question'])];
  assert.deepEqual(synth(screen), { kind: 'idle', dialog: null, box: 'half-typed question' });
});

test('box: a multi-line box (pasted text, a restored multi-line prompt) is one text, its lines joined by \\n', () => {
  const screen = [...BANNER, ...promptBox(TEXT_STATUS, ['restore line one', 'restore line two', '  indented three'])];
  assert.deepEqual(mirrored(screen), { kind: 'idle', dialog: null, box: 'restore line one\nrestore line two\n  indented three' });
});

test('box: a [Pasted text] chip is the box text as shown', () => {
  assert.equal(synth([...BANNER, ...promptBox('paste again to expand', ['[Pasted text #1 +11 lines]'])]).box, '[Pasted text #1 +11 lines]');
});

test('box: text typed while busy (queued) is the box text; still busy', () => {
  assert.deepEqual(synth([...BANNER, '', '✽ Garnishing…', '', ...promptBox(BUSY_STATUS, ['next one'])]), { kind: 'busy', dialog: null, box: 'next one' });
});

test('idle in plan mode: "⏸ plan mode on (shift+tab to cycle)" under the box', () => {
  assert.deepEqual(synth([...BANNER, ...promptBox('⏸ plan mode on (shift+tab to cycle) · ← for agents')]), IDLE_READING);
});

test('idle: U+00A0 or a plain space after ❯ reads the same', () => {
  const withSpace = IDLE.map((l) => l.replace(/\u00a0/g, ' '));
  assert.ok(IDLE.some((l) => l.includes(NBSP)));
  assert.deepEqual(synth(IDLE), synth(withSpace));
  assert.deepEqual(synth(withSpace), IDLE_READING);
  const d = permissionScreen(1);
  assert.deepEqual(synth(d), synth(d.map((l) => l.replace(/\u00a0/g, ' '))));
});

test('busy: "esc to interrupt" in the status line, with a tip line under the spinner', () => {
  assert.deepEqual(synth(RUNNING_LATER), { kind: 'busy', dialog: null, box: '' });
});

test('busy: an API retry line with "esc to interrupt" below', () => {
  const screen = [...BANNER, '', `❯${NBSP}hi`, '', '✻ API error · retrying… · attempt 1/2', '', ...promptBox(BUSY_STATUS)];
  assert.equal(synth(screen).kind, 'busy');
});

test('permission: each highlight position; Tab (amend) changes option 1 and the footer', () => {
  for (const h of [0, 1, 3]) assert.deepEqual(synth(permissionScreen(h)), permission(h), `highlight ${h}`);
  const labels = ['Yes, and tell Claude what to do next', ...PERMISSION_OPTIONS.slice(1)];
  assert.deepEqual(synth(permissionScreen(0, labels, 'Esc to cancel')), permission(0, labels));
});

test('permission: a label wrapped at 120 columns is one option; the next option is not joined to it', () => {
  const dir = `/home/someone/work/${'deeply-nested/'.repeat(3)}project-name`;
  const lines = permissionScreen(0);
  const i = lines.findIndex((l) => l.startsWith('   2. '));
  const head = `   2. Yes, and always allow access to ${dir} from`;
  assert.ok(head.length <= COLS && head.length + ' this'.length > COLS - 2);
  lines.splice(i, 1, head, '      this project');
  assert.deepEqual(synth(lines), permission(0, ['Yes', `Yes, and always allow access to ${dir} from this project`, PERMISSION_OPTIONS[2] ?? '', 'No']));
});

test('permission: a numbered list in the reply above the dialog does not leak into its options', () => {
  const lines = permissionScreen(1);
  const at = lines.indexOf(`●${NBSP}I will run a command.`);
  lines.splice(at + 1, 0, '  1. first step', '  2. second step', '  3. third step');
  assert.deepEqual(synth(lines), permission(1));
});

test('permission: a scrolled dialog: the "↑ 1 more line" hint is not part of the last option', () => {
  const screen = [
    RULE,
    ' Do you want to proceed?',
    ' ❯ 1. Yes',
    '   2. Yes, and always allow access to /tmp/x from this project',
    '   3. Yes, and switch to auto mode · auto mode handles these prompts for you',
    '   4. No',
    ' ↑ 1 more line',
    ' Esc to cancel · Tab to amend',
  ];
  const r = synth(screen);
  assert.equal(r.kind, 'dialog');
  assert.equal(r.dialog?.kind, 'permission');
  assert.deepEqual(r.dialog?.options, ['Yes', 'Yes, and always allow access to /tmp/x from this project', 'Yes, and switch to auto mode · auto mode handles these prompts for you', 'No']);
});

test('trust dialog: "❯ No, exit / Yes, I trust this folder", the highlight read', () => {
  const options = ['No, exit', 'Yes, I trust this folder'];
  const trust = (highlighted: number): ScreenReading => ({ kind: 'trust', dialog: { kind: 'permission', options, highlighted, question: 'Trust this folder?' }, box: null });
  assert.deepEqual(synth(TRUST), trust(0));
  const down = TRUST.map((l) => l.replace(`❯${NBSP}No, exit`, '  No, exit').replace('   Yes, I trust', ` ❯${NBSP}Yes, I trust`));
  assert.deepEqual(synth(down), trust(1));
});

test('blocked: the API key dialog and the auto-mode nudge need a person (no dialog to answer)', () => {
  assert.deepEqual(synth(API_KEY), { kind: 'blocked', dialog: null, box: null });
  assert.deepEqual(synth(API_KEY.slice(0, -2)), { kind: 'blocked', dialog: null, box: null }, 'without its footer too');
  const nudge = ['', '  Make auto mode your default permission mode?', '', `  ❯${NBSP}Yes, set auto mode as my default permission mode`, '    No, keep manual mode', ''];
  assert.deepEqual(synth(nudge), { kind: 'blocked', dialog: null, box: null });
});

test('unknown: no box, no dialog, no status line', () => {
  assert.deepEqual(synth([...BANNER, '', ' Some output without any prompt box']), { kind: 'unknown', dialog: null, box: null });
  assert.deepEqual(readScreen([]), { kind: 'unknown', dialog: null, box: null });
  assert.deepEqual(readScreen(full([])), { kind: 'unknown', dialog: null, box: null });
  // A resume command printed after /exit: the box is gone.
  assert.equal(synth(['Resume this session with:', 'claude --resume 0b7d3a54-5c1e-4f7a-9a43-0cf1b1f1a7e2', '$ ']).kind, 'unknown');
});

test('the rewind menu (Esc Esc on an empty box) is neither idle nor an answerable dialog', () => {
  const screen = [
    ...BANNER,
    '▔'.repeat(COLS),
    '  Rewind',
    '  Restore the code and/or conversation to the point before…',
    '    please create the greeting file',
    '    No code changes',
    `  ❯${NBSP}(current)`,
    '  Enter to continue · Esc to cancel',
  ];
  const r = synth(screen);
  assert.notEqual(r.kind, 'idle');
  assert.notEqual(r.kind, 'dialog');
  assert.equal(r.box, null);
});

test('a numbered list in the reply text above the idle box is not a dialog', () => {
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
  assert.deepEqual(synth(screen), IDLE_READING);
});

test('a numbered list in the reply text while busy is not a dialog, even under "Do you want to proceed?"', () => {
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
  assert.deepEqual(synth(screen), { kind: 'busy', dialog: null, box: '' });
});

test('a numbered list typed by the user (echoed with ❯ in the history) is not a dialog', () => {
  const screen = [...BANNER, '', `❯${NBSP}1. first step`, '  2. second step', '', `●${NBSP}OK.`, '', ...promptBox(IDLE_STATUS)];
  assert.deepEqual(synth(screen), IDLE_READING);
});

test('a numbered list typed in the box under "Do you want to proceed?" is not a permission dialog', () => {
  const screen = [...BANNER, '', `●${NBSP}I can do both. Do you want to proceed?`, '', ...promptBox(TEXT_STATUS, ['1. fix the bug', '2. add a test'])];
  assert.deepEqual(mirrored(screen), { kind: 'idle', dialog: null, box: '1. fix the bug\n2. add a test' });
});

test(
  'a numbered list typed in the box under a reply ending "Would you like to proceed?" is not a plan dialog',
  () => {
    const screen = [...BANNER, '', `●${NBSP}Here is what I would do.`, '', '  Would you like to proceed?', '', ...promptBox(TEXT_STATUS, ['1. yes, the first', '2. then the second'])];
    assert.deepEqual(mirrored(screen), { kind: 'idle', dialog: null, box: '1. yes, the first\n2. then the second' });
  },
);
