import fs from 'node:fs';
import path from 'node:path';

/**
 * mkdir -p that fails instead of hanging: Node 20's `mkdirSync(p, {recursive: true})` loops
 * forever under /proc. Creates each missing parent in turn and checks it is a folder.
 */
export function ensureDir(dir: string, mode = 0o755): void {
  const abs = path.resolve(dir);
  try {
    if (fs.statSync(abs).isDirectory()) return;
    throw Object.assign(new Error(`${abs} is not a folder`), { code: 'ENOTDIR' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const parent = path.dirname(abs);
  if (parent !== abs) ensureDir(parent, mode);
  try {
    fs.mkdirSync(abs, { mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}
