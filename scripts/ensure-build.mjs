// Builds dist/ when it is missing or older than any source file, so `npm start` and
// `npm test` work on a fresh clone without a separate build step.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newest(dir) {
  let t = 0;
  if (!fs.existsSync(dir)) return t;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

export function ensureBuild({ force = false } = {}) {
  const marker = path.join(ROOT, 'dist', 'src', 'server', 'main.js');
  const built = fs.existsSync(marker) ? fs.statSync(marker).mtimeMs : 0;
  const sources = Math.max(...['src', 'test', 'bench'].map((d) => newest(path.join(ROOT, d))), fs.statSync(path.join(ROOT, 'tsconfig.json')).mtimeMs);
  if (!force && built >= sources) return;
  process.stderr.write('building (tsc)...\n');
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.json')], { stdio: 'inherit' });
  fs.utimesSync(marker, new Date(), new Date());
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) ensureBuild();
