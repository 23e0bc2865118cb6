/**
 * A terminal answers some of what a program prints by itself: a focus report when the window
 * gains or loses focus, its colours for an OSC 10/11 query, its identity for DA1/DA2, the
 * cursor position for DSR, a mode's state for DECRQM. xterm.js sends these like keystrokes.
 * They are not a person typing: the web UI never lets one start a stopped session (that was a
 * relaunch loop: Claude Code exits at start, xterm answers its queries, the answer restarts it).
 */

/** One automatic reply; a chunk is automatic when it is made of these only. */
const REPLY = [
  '\\x1b\\[[IO]', // focus in / out (DECSET 1004)
  '\\x1b\\[[?>=][0-9;]*c', // primary / secondary / tertiary device attributes
  '\\x1b\\[\\??[0-9]+;[0-9]+R', // cursor position report (also DECXCPR)
  '\\x1b\\[[0-9]n', // device status: OK
  '\\x1b\\[\\??[0-9;]+\\$y', // DECRQM: a mode's state
  '\\x1b\\[\\?[0-9;]*u', // kitty keyboard protocol: the flags in force
  '\\x1b\\[[0-9;]+t', // window reports (size in cells or pixels)
  '\\x1b\\][0-9]+;[^\\x07\\x1b]*(?:\\x07|\\x1b\\\\)', // OSC replies: colours (10, 11, 12, 4), …
  '\\x1bP[^\\x1b]*\\x1b\\\\', // DCS replies: XTVERSION, DECRQSS
].join('|');

const ONLY_REPLIES = new RegExp(`^(?:${REPLY})+$`);

/** True when `data` (what xterm.js emitted) is only the terminal's own answers, nothing typed. */
export function isAutomaticReply(data: string): boolean {
  return data.length > 0 && ONLY_REPLIES.test(data);
}
