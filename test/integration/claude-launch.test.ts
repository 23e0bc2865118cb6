/**
 * The built-in launcher with the real `claude` binary, offline against the fake Anthropic API:
 * the prompt shows on the socket, a prompt gets the fake's reply, and the next start resumes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { createClaudeEnv, type ClaudeEnv } from '../fixtures/claude-env.js';
import { allMessageTexts, startFakeAnthropic, type FakeAnthropic } from '../fixtures/fake-anthropic.js';
import { startServer, tempDir, type RunningServer } from '../helpers/server.js';
import { renderScreen, TestClient } from '../helpers/ws-client.js';
import { waitFor } from '../helpers/wait.js';

let fake: FakeAnthropic;
let cenv: ClaudeEnv;
let server: RunningServer;
const workspace = tempDir('claude-ws');

before(async () => {
  fake = await startFakeAnthropic();
  cenv = createClaudeEnv({ baseUrl: fake.url });
  server = await startServer({ workspace, env: cenv.env });
});

after(async () => {
  await server?.stop();
  await fake?.close();
  cenv?.cleanup();
});

async function screenContains(c: TestClient, text: string, timeoutMs = 30_000): Promise<string> {
  return waitFor(async () => {
    const screen = await renderScreen(c.output);
    return screen.includes(text) ? screen : undefined;
  }, `screen to show "${text}"`, timeoutMs, 100);
}

test('the built-in launcher starts the real claude; its prompt and replies reach the socket; it resumes', { timeout: 120_000 }, async () => {
  const id = randomUUID();
  cenv.trust(path.join(workspace, id));
  const c = await TestClient.connect(`${server.wsUrl}/ws/${id}`);
  c.send({ type: 'create_session' });
  await screenContains(c, '? for shortcuts');
  const info = await fetch(`${server.url}/api/sessions/${id}`).then((r) => r.json()) as { command: string; running: boolean };
  assert.equal(info.command, `claude --session-id ${id}`);

  c.send({ type: 'input', input: 'say hi MOCK:text' });
  await screenContains(c, 'Hello from the fake API.');
  const req = await fake.waitForRequest((r) => r.kind === 'main');
  assert.equal(req.headers['x-claude-code-session-id'], id);

  // /exit ends the process; the next create_session resumes the same conversation.
  const transcript = cenv.transcriptPath(path.join(workspace, id), id);
  await waitFor(() => require_exists(transcript), 'the transcript to be written');
  const from = c.messages.length;
  c.send({ type: 'input', input: '/exit' });
  await c.nextType('session_ended', from, 30_000);

  c.send({ type: 'create_session' });
  await waitFor(async () => {
    const s = await fetch(`${server.url}/api/sessions/${id}`).then((r) => r.json()) as { command: string; running: boolean };
    return s.running && s.command === `claude --resume ${id}`;
  }, 'the session to be resumed with --resume', 30_000);
  const before = fake.mainRequests().length;
  c.send({ type: 'input', input: 'again MOCK:text' });
  const resumed = await fake.waitForRequest((r) => r.kind === 'main' && fake.mainRequests().indexOf(r) >= before, 30_000).catch(async (err: Error) => {
    throw new Error(`${err.message}\nscreen:\n${await renderScreen(c.output)}`);
  });
  assert.ok(allMessageTexts(resumed.body).some((t) => t.includes('say hi MOCK:text')), 'the fake API sees the earlier prompt');
  await c.close();
});

function require_exists(p: string): boolean {
  try {
    return statSync(p).size > 0;
  } catch {
    return false;
  }
}
