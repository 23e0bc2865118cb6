/**
 * Messages between the main thread (mirror-pool.ts) and a mirror worker (mirror-worker.ts).
 * Operations are small arrays (cheap to clone); one batch carries many sessions' operations in
 * order, with their output bytes in one transferred ArrayBuffer. Everything for one session is
 * applied in the order it was sent, and its answers come back in that order.
 */

export const enum Op {
  /** [Op.Open, sid, cols, rows, scrollback] */
  Open = 0,
  /** [Op.Data, sid, offset, length]: bytes in the batch's buffer */
  Data = 1,
  /** [Op.Resize, sid, cols, rows]: applied after everything written before it */
  Resize = 2,
  /** [Op.Snapshot, sid, req]: answered with the serialized screen at this point */
  Snapshot = 3,
  /** [Op.Lines, sid, req]: answered with the visible lines at this point */
  Lines = 4,
  /** [Op.Sync, sid, req]: answered once everything before it is parsed */
  Sync = 5,
  /** [Op.Close, sid] */
  Close = 6,
  /** [Op.Fail]: tests only; the worker throws as xterm might (mirror.test.ts) */
  Fail = 7,
}

export type ToWorkerOp =
  | [Op.Open, number, number, number, number]
  | [Op.Data, number, number, number]
  | [Op.Resize, number, number, number]
  | [Op.Snapshot | Op.Lines | Op.Sync, number, number]
  | [Op.Close, number]
  | [Op.Fail];

export interface Batch {
  ops: ToWorkerOp[];
  /**
   * The Data operations' bytes (transferred, not copied), or null when there are none. A
   * reusable (pooled) buffer the worker copies out of and sends back at once
   * (WorkerMessage.buffers); a small batch's own buffer it keeps.
   */
  buf: ArrayBuffer | null;
}

export interface WorkerMessage {
  items: FromWorkerItem[];
  /** Batch buffers done with (transferred back). */
  buffers: ArrayBuffer[];
}

export const enum Reply {
  /** [Reply.Progress, sid, parsedBytes, bracketedPaste] */
  Progress = 0,
  /** [Reply.Snapshot, sid, req, text] */
  Snapshot = 1,
  /** [Reply.Lines, sid, req, lines] */
  Lines = 2,
  /** [Reply.Sync, sid, req] */
  Sync = 3,
}

export type FromWorkerItem =
  | [Reply.Progress, number, number, boolean]
  | [Reply.Snapshot, number, number, string]
  | [Reply.Lines, number, number, string[]]
  | [Reply.Sync, number, number];

export interface WorkerInit {
  /** Niceness for the worker thread (Linux; see mirror-pool.ts), 0 = leave as is. */
  nice: number;
  /** Size of the reusable batch buffers: only those are sent back. */
  poolBytes: number;
}
