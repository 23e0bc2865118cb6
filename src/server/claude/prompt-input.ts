/**
 * Typing a prompt into Claude Code so that exactly the text sent is submitted, whatever it was
 * doing a moment before (claude-code-facts.md §9):
 * - a prompt restored after an interrupt sits in the box and would be prefixed: the box is
 *   cleared first ("x", Esc, Esc: the one sequence that clears every box content tried, and
 *   the "x" keeps the double Esc from opening the rewind menu; only at idle, where Esc
 *   interrupts nothing);
 * - a fast burst right after start-up is taken as a paste and its Enter as a newline: the text
 *   goes in as a bracketed paste (Claude Code enables it), and Enter only once the box shows it;
 * - a dialog coming up takes the keys: nothing is typed while one is pending or its tool call
 *   is being decided, and no Enter is pressed if one came up meanwhile.
 * Submission is checked (the UserPromptSubmit hook, or the box emptied); a prompt that was not
 * taken is reported, never dropped silently.
 */
import { ENTER, ESC, inputKeys, pasteKeys } from '../sessions/keys.js';
import type { SubmitOutcome, TrackerHost } from '../state/tracker.js';
import type { ScreenReading } from './screen.js';
import type { ScreenWatch } from './screen-watch.js';

/** The two Escs of the clear must come within 0.7 s; 100 ms cleared in every case measured. */
const CLEAR_ESC_GAP_MS = 100;
/** How long the box may take to empty after a clear, and to show pasted text. */
const CLEAR_WAIT_MS = 600;
const ECHO_WAIT_MS = 1500;
/** How long a submitted prompt may take to be taken (its hook; the box emptied). */
const SUBMIT_WAIT_MS = 2500;

export interface PromptInputDeps {
  host: TrackerHost;
  screen: ScreenWatch;
  /** A dialog is pending, or a tool call's permission check has not ended. */
  dialogComing(): boolean;
  /** A UserPromptSubmit hook arrived at or after `t`. */
  submittedSince(t: number): boolean;
}

export async function submitPrompt(text: string, d: PromptInputDeps): Promise<SubmitOutcome> {
  const { host, screen } = d;
  if (d.dialogComing()) return { ok: false, reason: 'dialog' };
  let before = await screen.fresh();
  if (d.dialogComing() || before.kind === 'dialog') return { ok: false, reason: 'dialog' };
  if (host.machine.name === 'idle' && before.box) {
    before = await clearBox(d, before);
    if (d.dialogComing()) return { ok: false, reason: 'dialog' };
  }
  // What the box showed once the text was in (null: not seen, so the box cannot tell).
  let typed: string | null = before.box;
  if (text !== '') {
    // Always a paste where the program takes one: then no burst is mistaken for keys.
    const echoed = host.nextOutput(ECHO_WAIT_MS);
    host.write(host.bracketedPaste ? pasteKeys(text) : inputKeys(text, false));
    if (before.box === null) {
      await echoed; // no box to watch (a screen we cannot read): the echo will do
      typed = null;
    } else {
      const shown = await screen.waitFor((r) => r.box !== null && r.box !== before.box, ECHO_WAIT_MS);
      typed = shown ? screen.reading.box : null;
    }
  }
  if (d.dialogComing() || screen.reading.kind === 'dialog') return { ok: false, reason: 'dialog' };
  const enterAt = Date.now();
  host.write(ENTER);
  const taken = await screen.waitFor((r) => d.submittedSince(enterAt) || r.kind === 'busy' || leftBox(typed, r), SUBMIT_WAIT_MS);
  return taken || d.submittedSince(enterAt) ? { ok: true } : { ok: false, reason: 'not_submitted' };
}

/** "x", Esc, Esc, then a look: the box emptied (or shows only a placeholder again). */
async function clearBox(d: PromptInputDeps, before: ScreenReading): Promise<ScreenReading> {
  const { host, screen } = d;
  host.write('x');
  await screen.waitFor((r) => r.box !== before.box, CLEAR_WAIT_MS);
  host.write(ESC);
  await delay(CLEAR_ESC_GAP_MS);
  host.write(ESC);
  await screen.waitFor((r) => r.box !== null && !r.box.includes(before.box ?? '') , CLEAR_WAIT_MS);
  return screen.fresh();
}

/**
 * The typed text left the box: submitted. A box still starting with it (plus a newline: the
 * Enter taken as part of a paste) was not.
 */
function leftBox(typed: string | null, r: ScreenReading): boolean {
  if (r.box === null || typed === null) return false; // unseen: only the hook or busy can tell
  if (typed === '') return r.box === '';
  const head = typed.slice(0, 40);
  return !r.box.startsWith(head);
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
