/**
 * A child process in a pseudo-terminal, as PtyProcess needs it from a backend: ccpty's own
 * spawner (native-terminal.ts, Linux) or node-pty (node-pty-terminal.ts, everywhere else).
 * Both start the child as the leader of a new kernel session with the terminal as its
 * controlling terminal, hand out raw bytes, and report the exit only after the output is
 * drained.
 */
export interface PtySpawnOptions {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
}

export interface PtyExit {
  exitCode: number;
  signal: number | null;
}

export interface TerminalEvents {
  onData(chunk: Buffer): void;
  /** Once, after the last output. */
  onExit(e: PtyExit): void;
}

export interface Terminal {
  readonly pid: number;
  /**
   * The master's descriptor, when input may be written to it on this thread (InputWriter):
   * only where no other process shares its open file description (one could make it
   * blocking). Null: use `write`.
   */
  readonly inputFd: number | null;
  /** True once the master is closed: its number may belong to any file opened since. */
  readonly closed: boolean;
  /** Input through the backend's own writer; only where `inputFd` is null. */
  write(data: Buffer): void;
  /** Bytes that writer holds that the terminal has not taken yet. */
  readonly queued: number;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  /** Closes the master at once (the end of a run; tests). */
  destroy(): void;
}
