import type { Folder, Session } from '@rdv/core/schemas';
import type { Ui } from '../app-context';
import type { MenuItem } from '../menu';
import { foldersIn, sessionsIn } from '../state/model';

/** The ⋯ / right-click menu of a session. */
export function sessionMenu(ui: Ui, s: Session): MenuItem[] {
  const { actions, state } = ui;
  if (s.status === 'closed' || s.status === 'trashed') {
    return [
      { label: 'Output log', onSelect: () => ui.select(s.id) },
      { label: 'Dismiss', onSelect: () => ui.dispatch({ type: 'dismiss', id: s.id }) },
    ];
  }
  const siblings = sessionsIn(state.sessions, state.folders, s.folderId ?? null);
  const i = siblings.findIndex((x) => x.id === s.id);
  return [
    { label: 'Open', onSelect: () => ui.select(s.id) },
    { label: 'Output log', onSelect: () => ui.dispatch({ type: 'openAt', id: s.id, offset: null, q: null }) },
    ...(s.worktreeId ? [{ label: 'Changes…', onSelect: () => ui.show({ kind: 'diff', sessionId: s.id }) }] : []),
    {
      label: 'Rename…',
      onSelect: () =>
        ui.show({ kind: 'prompt', title: 'Rename session', label: 'Name', initial: s.name, submit: 'Rename', onSubmit: (name) => actions.renameSession(s.id, name) }),
    },
    { label: 'Move to folder…', onSelect: () => ui.show({ kind: 'move', what: 'session', id: s.id }) },
    { label: 'Move up', disabled: i <= 0, onSelect: () => void actions.shiftSession(s.id, -1) },
    { label: 'Move down', disabled: i < 0 || i >= siblings.length - 1, onSelect: () => void actions.shiftSession(s.id, 1) },
    s.status === 'suspended'
      ? { label: 'Resume', separated: true, onSelect: () => void actions.resumeSession(s.id) }
      : { label: 'Suspend', separated: true, onSelect: () => void actions.suspendSession(s.id) },
    {
      label: 'Close session…',
      danger: true,
      onSelect: () =>
        ui.show({
          kind: 'confirm',
          title: `Close “${s.name}”?`,
          message: 'Its tmux session ends and anything running in it stops. This cannot be undone.',
          submit: 'Close session',
          danger: true,
          onConfirm: () => actions.closeSession(s.id),
        }),
    },
  ];
}

/** The ⋯ / right-click menu of a folder. */
export function folderMenu(ui: Ui, f: Folder): MenuItem[] {
  const { actions, state } = ui;
  const siblings = foldersIn(state.folders, f.parentId);
  const i = siblings.findIndex((x) => x.id === f.id);
  return [
    { label: 'New session here', onSelect: () => ui.show({ kind: 'newSession', folderId: f.id }) },
    { label: 'Knowledge…', onSelect: () => ui.show({ kind: 'knowledge', folderId: f.id }) },
    { label: 'Notifications…', onSelect: () => ui.show({ kind: 'folderNotifications', folderId: f.id }) },
    { label: 'Git identity…', onSelect: () => ui.show({ kind: 'folderIdentity', folderId: f.id }) },
    {
      label: 'New subfolder…',
      onSelect: () =>
        ui.show({ kind: 'prompt', title: 'New folder', label: 'Name', initial: '', submit: 'Create', onSubmit: async (name) => void (await actions.createFolder(name, f.id)) }),
    },
    {
      label: 'Rename…',
      separated: true,
      onSelect: () =>
        ui.show({ kind: 'prompt', title: 'Rename folder', label: 'Name', initial: f.name, submit: 'Rename', onSubmit: (name) => actions.renameFolder(f.id, name) }),
    },
    { label: 'Move to…', onSelect: () => ui.show({ kind: 'move', what: 'folder', id: f.id }) },
    { label: 'Move up', disabled: i <= 0, onSelect: () => void actions.shiftFolder(f.id, -1) },
    { label: 'Move down', disabled: i < 0 || i >= siblings.length - 1, onSelect: () => void actions.shiftFolder(f.id, 1) },
    {
      label: 'Delete folder…',
      danger: true,
      separated: true,
      onSelect: () =>
        ui.show({
          kind: 'confirm',
          title: `Delete “${f.name}”?`,
          message: 'Its sessions and subfolders move up one level; nothing is closed.',
          submit: 'Delete folder',
          danger: true,
          onConfirm: () => actions.deleteFolder(f.id),
        }),
    },
  ];
}
