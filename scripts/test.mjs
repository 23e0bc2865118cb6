// `npm test`: build (type-checks everything), then run every test file with node's runner.
// Unit tests (beside their sources) first: they are fast and fail early.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureBuild, ROOT } from './ensure-build.mjs';

ensureBuild({ force: true });

function find(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) find(p, out);
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

const filter = process.argv.slice(2);
const unit = find(path.join(ROOT, 'dist', 'src'));
const integration = find(path.join(ROOT, 'dist', 'test'));
let files = [...unit, ...integration];
if (filter.length > 0) files = files.filter((f) => filter.some((x) => f.includes(x)));

const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', ...files], {
  stdio: 'inherit',
  env: { ...process.env, DISABLE_AUTOUPDATER: '1' },
});
process.exit(result.status ?? 1);
