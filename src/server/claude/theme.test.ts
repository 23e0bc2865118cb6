import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { claudeTheme, themeOf } from './theme.js';

test("Claude Code's theme names map to a light or dark terminal", () => {
  assert.equal(themeOf('dark'), 'dark');
  assert.equal(themeOf('dark-daltonized'), 'dark');
  assert.equal(themeOf('light'), 'light');
  assert.equal(themeOf('light-ansi'), 'light');
  assert.equal(themeOf(''), null);
  assert.equal(themeOf(3), null);
});

test('the theme is read from the config file, again when it changes; a half-written file keeps the last', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccpty-theme-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, '.claude.json');
  assert.equal(claudeTheme(file), null);
  fs.writeFileSync(file, JSON.stringify({ theme: 'light', projects: {} }));
  assert.equal(claudeTheme(file), 'light');
  fs.writeFileSync(file, JSON.stringify({ theme: 'dark-ansi', projects: { a: {} } }));
  assert.equal(claudeTheme(file), 'dark');
  fs.writeFileSync(file, '{"theme":"dar'); // caught in the middle of a rewrite
  assert.equal(claudeTheme(file), 'dark', 'the last theme read stands');
  fs.writeFileSync(file, JSON.stringify({ projects: {} }));
  assert.equal(claudeTheme(file), null, 'no theme: unknown');
});
