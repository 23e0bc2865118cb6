import { test } from 'node:test';
import assert from 'node:assert/strict';
import { speechUrl, transcriptionUrl, upstreamMessage } from './speech-client.js';

const enc = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s) as Uint8Array<ArrayBuffer>;

test('endpoint URLs: a base gets the OpenAI path; a full endpoint URL is used as given', () => {
  assert.equal(transcriptionUrl('https://api.openai.com/v1'), 'https://api.openai.com/v1/audio/transcriptions');
  assert.equal(transcriptionUrl('https://api.groq.com/openai/v1'), 'https://api.groq.com/openai/v1/audio/transcriptions');
  assert.equal(transcriptionUrl('http://127.0.0.1:8080/inference'), 'http://127.0.0.1:8080/inference', "whisper.cpp's server");
  assert.equal(transcriptionUrl('http://x/v1/audio/transcriptions'), 'http://x/v1/audio/transcriptions');
  assert.equal(speechUrl('http://localhost:8000/v1'), 'http://localhost:8000/v1/audio/speech');
  assert.equal(speechUrl('http://localhost:8000/v1/audio/speech'), 'http://localhost:8000/v1/audio/speech');
});

test('upstream error messages: OpenAI, whisper.cpp, FastAPI and plain text; cut and cleaned', () => {
  assert.equal(upstreamMessage(enc('{"error":{"message":"Invalid file format.","type":"invalid_request_error"}}')), 'Invalid file format.');
  assert.equal(upstreamMessage(enc('{"error":"failed to read WAV file"}')), 'failed to read WAV file');
  assert.equal(upstreamMessage(enc('{"detail":"Model not found"}')), 'Model not found');
  assert.equal(upstreamMessage(enc('Bad Gateway\r\n')), 'Bad Gateway');
  assert.equal(upstreamMessage(enc('')), '');
  assert.equal(upstreamMessage(enc('x'.repeat(500))).length, 201);
  assert.equal(upstreamMessage(enc('line\u0000one\nline two')), 'line one line two');
});
