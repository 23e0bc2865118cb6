/** The voice endpoints, from the page (same origin; the login or share cookie authenticates). */
export interface VoiceInfo {
  stt: boolean;
  tts: boolean;
}

/** A refusal as the server coded it (`error_code`), or a network failure (`network`). */
export interface VoiceError {
  code: string;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: VoiceError };

async function refusal(res: Response): Promise<VoiceError> {
  const body = (await res.json().catch(() => ({}))) as { error_code?: string; error_message?: string };
  return { code: body.error_code ?? `http_${res.status}`, message: body.error_message ?? `the server answered ${res.status}` };
}

async function post(path: string, init: RequestInit): Promise<Result<Response>> {
  let res: Response;
  try {
    res = await fetch(path, { method: 'POST', credentials: 'same-origin', ...init });
  } catch (err) {
    if ((err as Error).name === 'AbortError') return { ok: false, error: { code: 'aborted', message: 'aborted' } };
    return { ok: false, error: { code: 'network', message: 'the server cannot be reached' } };
  }
  return res.ok ? { ok: true, value: res } : { ok: false, error: await refusal(res) };
}

export async function voiceInfo(): Promise<VoiceInfo> {
  const res = await fetch('/api/voice', { credentials: 'same-origin' });
  if (!res.ok) return { stt: false, tts: false };
  return (await res.json()) as VoiceInfo;
}

/** The text of one utterance (a WAV), transcribed by the server's speech-to-text. */
export async function transcribe(sessionId: string, wav: Uint8Array<ArrayBuffer>, signal?: AbortSignal): Promise<Result<string>> {
  const r = await post(`/api/sessions/${sessionId}/transcribe`, { headers: { 'content-type': 'audio/wav' }, body: wav, signal });
  if (!r.ok) return r;
  const body = (await r.value.json()) as { text?: unknown };
  return { ok: true, value: typeof body.text === 'string' ? body.text : '' };
}

/** The server's text-to-speech audio of `text`. */
export async function speak(sessionId: string, text: string, signal?: AbortSignal): Promise<Result<Blob>> {
  const r = await post(`/api/sessions/${sessionId}/speak`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }), signal });
  if (!r.ok) return r;
  try {
    return { ok: true, value: await r.value.blob() };
  } catch {
    return { ok: false, error: { code: 'network', message: 'the audio did not arrive' } };
  }
}
