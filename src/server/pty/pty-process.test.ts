import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PtyProcess } from './pty-process.js';
import { waitFor } from '../../../test/helpers/wait.js';

const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color', LANG: 'C' };

function start(script: string): { p: PtyProcess; out: () => string; exited: () => boolean } {
  let out = '';
  let exited = false;
  const p = new PtyProcess(
    { file: '/bin/sh', args: ['-c', script], cwd: os.tmpdir(), env: ENV, cols: 80, rows: 24 },
    (d) => (out += d.toString('latin1')),
    () => (exited = true),
  );
  return { p, out: () => out, exited: () => exited };
}

test('a keystroke is written at once, on this thread (node-pty queues it for its thread pool)', async () => {
  const { p, out } = start('stty raw -echo; echo READY; exec cat');
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
  const { p, out, exited } = start(`stty raw -echo; echo READY; while [ ! -e '${dir}/go' ]; do sleep 0.02; done; head -c ${total} > '${file}'; echo DONE`);
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
    await waitFor(() => out().includes('DONE') || exited(), 'the program to read it all', 20_000);
    const got = fs.readFileSync(file);
    assert.equal(p.unwrittenBytes, 0, 'nothing left counted as waiting');
    assert.equal(got.length, total);
    assert.ok(got.equals(Buffer.concat([big, Buffer.from(tail.join(''))])), 'every byte, in order');
  } finally {
    p.signal('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('nothing is written once node-pty has closed the master: its number may belong to another file by then', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccpty-pty-'));
  const { p, out } = start('stty raw -echo; echo READY; exec cat');
  let other: number | null = null;
  const spare: number[] = [];
  try {
    await waitFor(() => out().includes('READY'), 'the program to start');
    const term = (p as unknown as { term: { fd: number; _socket: { destroy(): void } } }).term;
    const old = term.fd;
    term._socket.destroy(); // as node-pty does on EIO, or 200 ms after the child's death
    await waitFor(() => {
      try {
        fs.fstatSync(old);
        return false;
      } catch {
        return true; // closed
      }
    }, 'node-pty to close the master');
    // Files take the lowest free numbers: open until one takes the master's.
    for (let i = 0; i < 64 && other !== old; i++) {
      if (other !== null) spare.push(other);
      other = fs.openSync(path.join(dir, `other-${i}`), 'w+');
    }
    assert.equal(other, old, 'the test needs the reused number');
    p.write('keys\r');
    p.write(Buffer.from('more'));
    assert.equal(fs.fstatSync(other).size, 0, 'no key reached the file that took the number');
  } finally {
    for (const fd of other === null ? spare : [...spare, other]) fs.closeSync(fd);
    p.signal('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('input still waiting when node-pty closes the master is dropped, not written to whatever takes its number', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccpty-pty-'));
  const { p, out } = start('stty raw -echo; echo READY; exec sleep 30'); // never reads
  const files: number[] = [];
  try {
    await waitFor(() => out().includes('READY'), 'the program to start');
    p.write(Buffer.alloc(100_000, 0x61));
    assert.ok(p.unwrittenBytes > 0, 'the rest of the paste waits');
    const term = (p as unknown as { term: { fd: number; _socket: { destroy(): void } } }).term;
    const old = term.fd;
    term._socket.destroy(); // closes the descriptor at once
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
