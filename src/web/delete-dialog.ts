/**
 * Asks before a session is deleted: its record goes for good; its folder only when the person
 * ticks the box (it may hold their work). Claude Code's own conversation history is kept.
 */
import type { SessionInfo } from '../shared/session-info';
import type { Disposer } from './disposer';
import { h } from './dom';

export function confirmDelete(page: Disposer, s: SessionInfo, name: string, remove: (folder: boolean) => Promise<void>): void {
  const folderBox = h('input checkbox checkbox-error', { type: 'checkbox', id: 'ccpty-delete-folder', 'data-testid': 'delete-folder' });
  const status = h('p text-sm', { role: 'status' });
  const confirm = h('button btn btn-error', { 'data-testid': 'delete-confirm', onclick: async () => {
    confirm.disabled = true;
    status.textContent = 'Deleting…';
    try {
      await remove(folderBox.checked);
      dialog.close();
    } catch (err) {
      status.textContent = (err as Error).message;
      confirm.disabled = false;
    }
  } }, 'Delete');
  const dialog = h('dialog modal', { 'aria-labelledby': 'ccpty-delete-title', 'data-testid': 'delete-dialog' },
    h('div modal-box space-y-3', {},
      h('h2 font-bold text-lg break-words', { id: 'ccpty-delete-title' }, `Delete “${name}”?`),
      h('p text-sm', {}, s.running ? 'It is running: it will be stopped first. ' : '', 'It leaves this list for good; Claude Code keeps its own history of the conversation.'),
      h('div flex items-start gap-2', {},
        folderBox,
        h('label text-sm break-all', { for: 'ccpty-delete-folder' }, 'Also delete its folder and everything in it: ', h('code', {}, s.folder))),
      status,
      h('div modal-action', {},
        h('form', { method: 'dialog' }, h('button btn', {}, 'Cancel')),
        confirm)));
  document.body.append(dialog);
  dialog.addEventListener('close', () => dialog.remove());
  page.defer(() => dialog.remove());
  dialog.showModal();
}
