/** The server's one SQLite file (WAL). Each store creates its own tables in it. */
import Database from 'better-sqlite3';
import path from 'node:path';
import { ensureDir } from '../fs-util.js';

export type Db = Database.Database;

export function openDb(dataDir: string): Db {
  ensureDir(dataDir, 0o700);
  const db = new Database(path.join(dataDir, 'ccpty.sqlite3'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}
