// `npm test`: build (type-checks everything), check the layer rules (.dependency-cruiser.cjs),
// then run every test file with node's runner.
// Unit tests (beside their sources) first: they are fast and fail early.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureBuild, ROOT } from './ensure-build.mjs';

ensureBuild({ force: true });
checkLayers();
ensureDebianPackages();

/** The import rules of docs/architecture.md ("Layers"); the same check as `npm run lint:layers`. */
function checkLayers() {
  process.stderr.write('checking the layer rules (dependency-cruiser)...\n');
  const bin = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const r = spawnSync(process.execPath, [bin, '--config', '.dependency-cruiser.cjs', 'src'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write('layer rules broken (see above): npm run lint:layers\n');
    process.exit(r.status || 1);
  }
}

/**
 * Debian packages the tests need, with a file each installs: the browser tests drive Debian's
 * chromium (playwright cannot download a browser here), and the voice tests run local speech
 * servers over pocketsphinx with its US English model (speech-to-text) and espeak-ng (speech;
 * sox pads and converts it): no speech model can be downloaded here either. The missing ones
 * are installed, as the README's test command promises.
 */
function ensureDebianPackages() {
  const DEBIAN_PACKAGES = [
    ['chromium', process.env.CHROMIUM_PATH || '/usr/bin/chromium'],
    ['pocketsphinx', '/usr/bin/pocketsphinx_batch'],
    ['pocketsphinx-en-us', '/usr/share/pocketsphinx/model/en-us/en-us'],
    ['espeak-ng', '/usr/bin/espeak-ng'],
    ['sox', '/usr/bin/sox'],
  ];
  const missing = DEBIAN_PACKAGES.filter(([, file]) => !fs.existsSync(file)).map(([pkg]) => pkg);
  if (missing.length === 0) return;
  process.stderr.write(`missing Debian packages: ${missing.join(', ')}; installing them (apt-get)...\n`);
  const sudo = process.getuid && process.getuid() !== 0 ? ['sudo'] : [];
  for (const args of [['apt-get', 'update'], ['apt-get', 'install', '-y', '--no-install-recommends', ...missing]]) {
    const r = spawnSync(sudo.length ? 'sudo' : args[0], sudo.length ? args : args.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) {
      process.stderr.write(`could not install ${missing.join(', ')}; the browser and voice tests will fail or be skipped\n`);
      return;
    }
  }
}

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
