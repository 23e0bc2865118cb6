import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PtyProcess, ptyBackend, type PtyExit } from './pty-process.js';
import type { Terminal } from './terminal.js';
import { waitFor } from '../../../test/helpers/wait.js';

const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color', LANG: 'C' };
type Backend = 'native' | 'node-pty';

interface Started {
  p: PtyProcess;
  out: () => string;
  exit: () => PtyExit | null;
}

function run(backend: Backend, file: string, args: string[], extra: { cwd?: string; env?: Record<string, string>; cols?: number } = {}): Started {
  let out = '';
  let exit: PtyExit | null = null;
  const p = new PtyProcess(
    { file, args, cwd: extra.cwd ?? os.tmpdir(), env: extra.env ?? ENV, cols: extra.cols ?? 80, rows: 24 },
    (d) => {
      // Output after the exit was reported is output a session_ended overtook: lost to a viewer.
      if (!exit) out += d.toString('latin1');
    },
    (e) => (exit = e),
    backend,
  );
  return { p, out: () => out, exit: () => exit };
}

const start = (backend: Backend, script: string): Started => run(backend, '/bin/sh', ['-c', script]);
const termOf = (p: PtyProcess): Terminal => (p as unknown as { term: Terminal }).term;

test('on Linux, sessions start through ccpty\'s own spawner (native/pty.c, built by the build)', { skip: process.platform !== 'linux' ? 'Linux only' : false }, () => {
  // npm install builds node-pty from source here, so a compiler is there for native/ too; a
  // failed build would silently cost every connect the fork (native-terminal.ts).
  assert.equal(ptyBackend(), process.env.CCPTY_PTY === 'node-pty' ? 'node-pty' : 'native');
});

for (const backend of ['native', 'node-pty'] as const) {
  describe(`PtyProcess (${backend})`, { skip: backend === 'native' && ptyBackend() !== 'native' ? 'the native spawner is not built here' : false }, () => {
    test('a keystroke is written at once, on this thread (node-pty queues it for its thread pool)', async () => {
      const { p, out } = start(backend, 'stty raw -echo; echo READY; exec cat');
      try {
        await waitFor(() => out().includes('READY'), 'the program to start');
        p.write('x');
        assert.equal(p.unwrittenBytes, 0, 'nothing left waiting');
        p.write(Buffer.from('y'));
        assert.equal(p.unwrittenBytes, 0);
        await waitFor(() => out().endsWith('xy'), 'the echo');
      } finally {
        p.signal('SIGKILL');
      }
    });

    test('input a program does not read yet waits in order: what fits, then the queue, then later writes behind it', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccpty-pty-'));
      const file = path.join(dir, 'in');
      const total = 300_000;
      // Raw mode: bytes pass unchanged. The program reads nothing until told to (a file appears).
      const { p, out, exit } = start(backend, `stty raw -echo; echo READY; while [ ! -e '${dir}/go' ]; do sleep 0.02; done; head -c ${total} > '${file}'; echo DONE`);
      try {
        await waitFor(() => out().includes('READY'), 'the program to start');
        const big = Buffer.alloc(200_000);
        for (let i = 0; i < big.length; i++) big[i] = 0x41 + (i % 26); // A-Z, over and over
        p.write(big);
        assert.ok(p.unwrittenBytes > 0, 'the terminal could not take 200,000 bytes unread; the rest is queued');
        const tail: string[] = [];
        for (let i = 0; i < 1000; i++) tail.push(String(i % 10).repeat(100));
        for (const t of tail) p.write(t); // each behind what waits, never ahead of it
        fs.writeFileSync(path.join(dir, 'go'), '');
        await waitFor(() => out().includes('DONE') || exit(), 'the program to read it all', 20_000);
        const got = fs.readFileSync(file);
        assert.equal(p.unwrittenBytes, 0, 'nothing left counted as waiting');
        assert.equal(got.length, total);
        assert.ok(got.equals(Buffer.concat([big, Buffer.from(tail.join(''))])), 'every byte, in order');
      } finally {
        p.signal('SIGKILL');
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('nothing is written once the master is closed: its number may belong to another file by then', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccpty-pty-'));
      const { p, out } = start(backend, 'stty raw -echo; echo READY; exec cat');
      let other: number | null = null;
      const spare: number[] = [];
      try {
        await waitFor(() => out().includes('READY'), 'the program to start');
        const term = termOf(p);
        const old = term.inputFd;
        assert.ok(old !== null, 'input goes to the master on this thread');
        term.destroy(); // as at the end of a run
        await waitFor(() => {
          try {
            fs.fstatSync(old);
            return false;
          } catch {
            return true; // closed
          }
        }, 'the master to close');
        // Files take the lowest free numbers: open until one takes the master's.
        for (let i = 0; i < 64 && other !== old; i++) {
          if (other !== null) spare.push(other);
          other = fs.openSync(path.join(dir, `other-${i}`), 'w+');
        }
        assert.equal(other, old, 'the test needs the reused number');
        p.write('keys\r');
        p.write(Buffer.from('more'));
        p.resize(100, 30); // an ioctl on the number would fail on a file, or reach a terminal
        assert.equal(fs.fstatSync(other).size, 0, 'no key reached the file that took the number');
      } finally {
        for (const fd of other === null ? spare : [...spare, other]) fs.closeSync(fd);
        p.signal('SIGKILL');
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('input still waiting when the master closes is dropped, not written to whatever takes its number', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccpty-pty-'));
      const { p, out } = start(backend, 'stty raw -echo; echo READY; exec sleep 30'); // never reads
      const files: number[] = [];
      try {
        await waitFor(() => out().includes('READY'), 'the program to start');
        p.write(Buffer.alloc(100_000, 0x61));
        assert.ok(p.unwrittenBytes > 0, 'the rest of the paste waits');
        const term = termOf(p);
        const old = term.inputFd;
        assert.ok(old !== null);
        term.destroy(); // closes the descriptor at once
        // In the same turn, before the next retry, a file takes the number (the lowest free).
        for (let i = 0; i < 64 && files[files.length - 1] !== old; i++) files.push(fs.openSync(path.join(dir, `other-${i}`), 'w+'));
        assert.equal(files[files.length - 1], old, 'the test needs the reused number');
        // Waiting input is retried every millisecond (node-pty's writer: every turn, from its
        // thread pool); written to the number, it would land in the file within a few. Fifty
        // polls are plenty.
        let polls = 0;
        await waitFor(() => ++polls > 50 || fs.fstatSync(old).size > 0, 'fifty polls, or bytes in the file', 5000, 1);
        assert.equal(p.unwrittenBytes, 0, 'the queue was emptied');
        assert.equal(fs.fstatSync(old).size, 0, 'nothing reached the file that took the number');
      } finally {
        for (const fd of files) fs.closeSync(fd);
        p.signal('SIGKILL');
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('the exit is reported after the last output, with its status (5 runs: the drain races the exit)', async () => {
      for (let i = 0; i < 5; i++) {
        const { out, exit } = start(backend, 'seq 1 150000; exit 7');
        const e = await waitFor(exit, 'the exit', 20_000);
        assert.deepEqual(e, { exitCode: 7, signal: null });
        assert.ok(out().endsWith('\r\n149999\r\n150000\r\n'), `run ${i}: every line before the exit (ends ${JSON.stringify(out().slice(-30))})`);
        assert.equal(out().length, expectedSeqBytes(150_000), `run ${i}: no byte lost`);
      }
    });

    test('a death by signal is reported as the signal', async () => {
      const { p, out, exit } = start(backend, 'echo READY; exec sleep 30');
      await waitFor(() => out().includes('READY'), 'the program to start');
      p.signal('SIGTERM');
      const e = await waitFor(exit, 'the exit');
      assert.equal(e.signal, 15);
    });

    test('the child leads a kernel session of its own, with the terminal as its controlling terminal', async () => {
      const { p, out, exit } = start(backend, 'echo "TTY $(tty) SID $(ps -o sid= -p $$) TPGID $(ps -o tpgid= -p $$) PID $$"; sleep 30 & echo BG $!; wait');
      try {
        const line = await waitFor(() => /TTY (\S+) SID\s+(\d+) TPGID\s+(\d+) PID (\d+)\r\nBG (\d+)/.exec(out()), 'the report');
        const [, ttyName, sid, tpgid, pid, bg] = line;
        assert.match(ttyName!, /^\/dev\/pts\/\d+$/, 'stdin is the terminal');
        assert.equal(Number(pid), p.pid);
        assert.equal(Number(sid), p.pid, 'the child is its session\'s leader');
        assert.equal(Number(tpgid), p.pid, 'and its group owns the terminal (a job-control shell needs this)');
        p.signal('SIGKILL'); // the whole group, the background job too
        await waitFor(exit, 'the exit');
        await waitFor(() => !fs.existsSync(`/proc/${bg}`) || fs.readFileSync(`/proc/${bg}/stat`, 'utf8').includes(') Z'), 'the background job to die with it');
      } finally {
        p.signal('SIGKILL');
      }
    });

    test('the child inherits no descriptor of the server above stderr, and every signal at its default', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccpty-pty-'));
      const mine = fs.openSync(path.join(dir, 'server-file'), 'w'); // Node's: close-on-exec
      // Another session's master, opened by node-pty: not close-on-exec, so only closing every
      // descriptor in the child (closefrom, or the wrapper) keeps it out.
      const other = start('node-pty', 'exec sleep 30');
      const { p, out } = start(backend, 'grep SigIgn /proc/$$/status; echo READY; exec sleep 30');
      try {
        await waitFor(() => out().includes('READY'), 'the program to start');
        // Read from here, once the program is `sleep`: a shell's own pipes would muddle it.
        const fds = await waitFor(() => {
          if (!/\bsleep\b/.test(fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').replace(/\0/g, ' '))) return null;
          return fs.readdirSync(`/proc/${p.pid}/fd`).map(Number).sort((x, y) => x - y);
        }, 'the exec of sleep');
        assert.deepEqual(fds, [0, 1, 2], 'stdin, stdout and stderr only');
        assert.match(fs.readlinkSync(`/proc/${p.pid}/fd/0`), /^\/dev\/pts\/\d+$/);
        // Signals 1-31 (Node ignores SIGPIPE). glibc's posix_spawn leaves its own internal ones
        // (32, 33) ignored; a glibc program sets them up again at start.
        const ignored = BigInt(`0x${/SigIgn:\s+([0-9a-f]+)/.exec(out())?.[1] ?? 'ffff'}`);
        assert.equal(ignored & 0x7fffffffn, 0n, `no standard signal ignored: ${ignored.toString(16)}`);
      } finally {
        p.signal('SIGKILL');
        other.p.signal('SIGKILL');
        fs.closeSync(mine);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('the command is looked up on the session\'s PATH and runs in its folder, with PWD and TERM set', async () => {
      const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ccpty-pty-')));
      try {
        const { out, exit } = run(backend, 'sh', ['-c', 'echo "AT $(pwd) PWD=$PWD TERM=$TERM"'], { cwd: dir, env: { ...ENV, TERM: 'xterm-direct' } });
        await waitFor(exit, 'the exit');
        assert.match(out(), new RegExp(`AT ${dir} PWD=${dir} TERM=xterm-direct`));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('a command that is not there: the terminal says so and the status is 127, as from a shell', async () => {
      const { out, exit } = run(backend, 'no-such-command-ccpty', []);
      const e = await waitFor(exit, 'the exit');
      assert.equal(e.exitCode, 127);
      assert.match(out(), /no-such-command-ccpty: .*not found/);
    });

    test('a script without a #! line runs under the shell, as execvp runs it', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccpty-pty-'));
      try {
        const script = path.join(dir, 'plain');
        fs.writeFileSync(script, 'echo "PLAIN $1"\n', { mode: 0o755 });
        const { out, exit } = run(backend, script, ['arg']);
        const e = await waitFor(exit, 'the exit');
        assert.equal(e.exitCode, 0);
        assert.match(out(), /PLAIN arg/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('a resize reaches the program', async () => {
      const { p, out, exit } = start(backend, 'stty size; echo READY; read x; stty size');
      await waitFor(() => out().includes('READY'), 'the program to start');
      assert.match(out(), /^24 80\r\n/);
      p.resize(132, 40);
      p.write('\r');
      await waitFor(exit, 'the exit');
      assert.match(out(), /40 132\r\n$/);
    });
  });
}

test('the native spawner: what a program writes just before it exits while reading is paused (a viewer\'s hold) still arrives (5 runs)', { skip: ptyBackend() !== 'native' ? 'the native spawner is not built here' : false }, async () => {
  for (let i = 0; i < 5; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccpty-pty-'));
    try {
      const { p, out, exit } = start('native', `echo READY; while [ ! -e '${dir}/go' ]; do sleep 0.01; done; head -c 8000 /dev/zero | tr '\\0' x; exit 3`);
      await waitFor(() => out().includes('READY'), 'the program to start');
      p.hold('viewer', true); // held, and never released: the child's death overrules it
      fs.writeFileSync(path.join(dir, 'go'), '');
      const e = await waitFor(exit, 'the exit');
      assert.equal(e.exitCode, 3);
      assert.equal((out().match(/x/g) ?? []).length, 8000, `run ${i}: every byte written before the exit`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('the native spawner: UTF-8 terminal (a backspace erases a whole character in a cooked-mode program)', { skip: ptyBackend() !== 'native' ? 'the native spawner is not built here' : false }, async () => {
  const { out, exit } = start('native', 'stty -a');
  await waitFor(exit, 'the exit');
  assert.match(out(), /(^|\s)iutf8(\s|$)/);
});

/** Bytes of `seq 1 n` on a terminal (each line ends \r\n). */
function expectedSeqBytes(n: number): number {
  let total = 0;
  for (let i = 1; i <= n; i++) total += String(i).length + 2;
  return total;
}
