/** Share a session: a view-only or control link that expires; the owner copies and sends it. */
import { api } from './api';
import type { Disposer } from './disposer';
import { copy, h } from './dom';

let seq = 0;

/** A select with a visible label tied to it (screen readers say what it chooses). */
function field(label: string, select: HTMLSelectElement): HTMLElement {
  const id = `ccpty-field-${++seq}`;
  select.id = id;
  return h('div form-control space-y-1', {}, h('label block text-sm font-medium', { for: id }, label), select);
}

export function shareDialog(id: string, page: Disposer): void {
  const role = h('select select select-bordered w-full', { 'data-testid': 'share-role' },
    h('option', { value: 'view' }, 'View only: watch the terminal'),
    h('option', { value: 'control' }, 'Control: type and answer like you'));
  const hours = h('select select select-bordered w-full', { 'data-testid': 'share-expiry' },
    h('option', { value: '3600' }, '1 hour'),
    h('option', { value: '86400', selected: true }, '1 day'),
    h('option', { value: '604800' }, '1 week'));
  const out = h('div space-y-2', { 'aria-live': 'polite' });
  const dialog = h('dialog modal', { 'aria-labelledby': 'ccpty-share-title' },
    h('div modal-box space-y-3', {},
      h('h2 font-bold text-lg', { id: 'ccpty-share-title' }, 'Share this session'),
      field('Access', role),
      field('Link expires after', hours),
      h('button btn btn-primary w-full', { 'data-testid': 'share-create', onclick: async () => {
        try {
          const link = await api.share(id, role.value as 'view' | 'control', Number(hours.value));
          const input = h('input input input-bordered w-full', { readonly: true, value: link.url, 'data-testid': 'share-url', 'aria-label': 'Share link' });
          out.replaceChildren(input, h('button btn w-full', { onclick: async (e: Event) => {
            (e.target as HTMLButtonElement).textContent = (await copy(link.url)) ? 'Copied' : 'Copy failed';
          } }, 'Copy link'));
        } catch (err) {
          out.replaceChildren(h('div alert alert-error', { role: 'alert' }, (err as Error).message));
        }
      } }, 'Create link'),
      out,
      h('form modal-action', { method: 'dialog' }, h('button btn', {}, 'Close')),
    ),
  );
  document.body.append(dialog);
  dialog.addEventListener('close', () => dialog.remove());
  page.defer(() => dialog.remove()); // it lives outside the page's root
  dialog.showModal();
}
