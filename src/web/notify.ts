/** Tab title and browser notifications for state changes a person should not miss. */
const BASE = document.title || 'ccpty';

export function setTitleState(state: string): void {
  document.title = state === 'idle' ? BASE : `● ${state} — ${BASE}`;
}

export function notify(title: string, body: string): void {
  if (!document.hidden || !('Notification' in window) || Notification.permission !== 'granted') return;
  try {
    new Notification(title, { body, tag: 'ccpty' });
  } catch {
    // some mobile browsers allow notifications only from a service worker
  }
}
