// Builds what is missing or older than its sources, so `npm start` and `npm test` work on a
// fresh clone without a separate build step: the server (tsc → dist/), the web UI
// (type-check, then Vite → dist/web) and, on Linux, ccpty's PTY spawner (native/, node-gyp).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (pkg, file) => path.join(ROOT, 'node_modules', pkg, file);

function newest(...paths) {
  let t = 0;
  for (const p of paths) {
    if (!fs.existsSync(p)) continue;
    const st = fs.statSync(p);
    if (!st.isDirectory()) {
      t = Math.max(t, st.mtimeMs);
      continue;
    }
    for (const e of fs.readdirSync(p)) t = Math.max(t, newest(path.join(p, e)));
  }
  return t;
}

const mtime = (p) => (fs.existsSync(p) ? fs.statSync(p).mtimeMs : 0);
const run = (args) => execFileSync(process.execPath, args, { stdio: 'inherit', cwd: ROOT });

export function ensureBuild({ force = false } = {}) {
  buildNative(force);
  const serverMarker = path.join(ROOT, 'dist', 'src', 'server', 'main.js');
  const serverSources = newest(...['src/shared', 'src/server', 'test', 'bench', 'tsconfig.json'].map((d) => path.join(ROOT, d)));
  if (force || mtime(serverMarker) < serverSources) {
    process.stderr.write('building the server (tsc)...\n');
    // Output of sources that were moved or deleted would otherwise linger (and stale tests run).
    for (const d of ['src', 'test', 'bench']) fs.rmSync(path.join(ROOT, 'dist', d), { recursive: true, force: true });
    run([bin('typescript', 'bin/tsc'), '-p', 'tsconfig.json']);
    fs.utimesSync(serverMarker, new Date(), new Date());
  }
  const webMarker = path.join(ROOT, 'dist', 'web', 'index.html');
  const webSources = newest(...['src/web', 'src/shared', 'vite.config.ts', 'tsconfig.web.json'].map((d) => path.join(ROOT, d)));
  if (force || mtime(webMarker) < webSources) {
    process.stderr.write('building the web UI (tsc, vite)...\n');
    run([bin('typescript', 'bin/tsc'), '-p', 'tsconfig.web.json']);
    run([bin('vite', 'bin/vite.js'), 'build', '--logLevel', 'warn']);
  }
}

/**
 * native/pty.c (src/server/pty/native-terminal.ts says why), with the node-gyp that comes with
 * npm and the headers installed with Node (node-gyp would otherwise download them). Optional:
 * if it cannot be built, sessions start through node-pty, a little slower.
 */
function buildNative(force) {
  if (process.platform !== 'linux') return;
  const dir = path.join(ROOT, 'native');
  const out = path.join(dir, 'build', 'Release', 'ccpty_pty.node');
  // A failed build is not retried on every start, only when the sources change (or --force).
  const failed = path.join(dir, 'build', 'failed');
  const sources = newest(path.join(dir, 'pty.c'), path.join(dir, 'binding.gyp'));
  if (!force && (mtime(out) >= sources || mtime(failed) >= sources)) return;
  fs.rmSync(out, { force: true }); // a stale build must not outlive a failed one
  fs.rmSync(failed, { force: true });
  const markFailed = () => {
    fs.mkdirSync(path.dirname(failed), { recursive: true });
    fs.writeFileSync(failed, '');
  };
  const gyp = [process.env.npm_config_node_gyp, path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')].find((p) => p && fs.existsSync(p));
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const nodedir = fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
  if (!gyp) {
    process.stderr.write('node-gyp not found: sessions will start through node-pty (slower)\n');
    return markFailed();
  }
  process.stderr.write('building the PTY spawner (node-gyp)...\n');
  try {
    execFileSync(process.execPath, [gyp, 'rebuild', ...nodedir], { cwd: dir, stdio: 'pipe' });
  } catch (err) {
    process.stderr.write(`${err.stdout ?? ''}${err.stderr ?? ''}could not build native/pty.c (above): sessions will start through node-pty (slower)\n`);
    markFailed();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  ensureBuild({ force: process.argv.includes('--force') });
}
