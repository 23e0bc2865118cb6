import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deniedFor, redactUrl } from './app.js';

test('redactUrl removes secrets from every request-target form', () => {
  assert.equal(redactUrl('/t/s3cret-token-123456/ws/x?protocol=ccpty'), '/t/[redacted]/ws/x?protocol=ccpty');
  assert.equal(redactUrl('http://127.0.0.1:3000/t/s3cret-token-123456/api/sessions'), '/t/[redacted]/api/sessions');
  assert.equal(redactUrl('/?id=1&token=s3cret&x=2'), '/?id=1&token=[redacted]&x=2');
  assert.equal(redactUrl('/?share=s3cret'), '/?share=[redacted]');
});

test('deniedFor: share links are bound to their session and role', () => {
  const share = { kind: 'share' as const, share: { id: 'a', session_id: 'sess', role: 'view' as const, created_at: 0, expires_at: null, revoked_at: null } };
  assert.equal(deniedFor({ kind: 'owner' }, 'owner', undefined), null);
  assert.match(deniedFor(share, 'owner', undefined) ?? '', /share links/);
  assert.equal(deniedFor(share, 'session-view', 'sess'), null);
  assert.equal(deniedFor(share, 'session-view', 'SESS'), null, 'ids compare lowercase');
  assert.match(deniedFor(share, 'session-view', 'other') ?? '', /another session/);
  assert.match(deniedFor(share, 'session-control', 'sess') ?? '', /view-only/);
  assert.equal(deniedFor(share, 'any', undefined), null);
});
