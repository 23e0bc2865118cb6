/** The REST calls the UI makes (same origin; the login or share cookie authenticates). */
import type { SessionInfo } from '../shared/session-info';

export interface Whoami {
  role: 'owner' | 'view' | 'control';
  session_id: string | null;
  /** Claude Code's theme, for the terminal's colours (null: unknown). */
  terminal_theme?: 'dark' | 'light' | null;
}

export interface ShareLink {
  id: string;
  role: 'view' | 'control';
  url: string;
  expires_at: number | null;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const json = (await res.json().catch(() => ({}))) as T & { error_message?: string };
  if (!res.ok) throw new ApiError(json.error_message ?? `${method} ${path}: ${res.status}`, res.status);
  return json;
}

/** A refused request, with its HTTP status (404: no such session). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export const api = {
  whoami: () => call<Whoami>('GET', '/api/whoami'),
  sessions: () => call<{ sessions: SessionInfo[] }>('GET', '/api/sessions').then((r) => r.sessions),
  info: (id: string) => call<SessionInfo>('GET', `/api/sessions/${id}`),
  create: () => call<SessionInfo>('POST', '/api/sessions'),
  resume: (id: string) => call<{ ok: true }>('POST', `/api/${id}/input`, { type: 'create_session' }),
  stop: (id: string) => call<{ ok: true }>('DELETE', `/api/sessions/${id}`),
  rename: (id: string, title: string | null) => call<SessionInfo>('POST', `/api/sessions/${id}/title`, { title }),
  remove: (id: string, folder: boolean) => call<{ ok: true; folder_removed: boolean }>('POST', `/api/sessions/${id}/delete`, { folder }),
  share: (id: string, role: 'view' | 'control', expiresIn: number) => call<ShareLink>('POST', `/api/sessions/${id}/shares`, { role, expires_in: expiresIn }),
  logout: () => call<{ ok: true }>('POST', '/api/logout'),
};
