'use client';
import { useUi, type DialogSpec } from '../app-context';
import { ConfirmDialog, PasteDialog, PromptDialog, ShortcutsDialog } from './dialog';
import { FolderIdentityDialog } from './folder-identity-dialog';
import { IdentitiesDialog } from './identities-dialog';
import { FolderNotificationsDialog } from '../notifications/folder-notifications-dialog';
import { AddHostDialog } from './add-host-dialog';
import { DiffDialog } from './diff-dialog';
import { KnowledgeDialog } from './knowledge-dialog';
import { MoveDialog } from './move-dialog';
import { NewSessionDialog } from './new-session-dialog';
import { SearchDialog } from './search-dialog';

/** Renders whichever dialog is open. */
export function DialogsHost({ dialog }: { dialog: DialogSpec | null }) {
  const ui = useUi();
  const close = () => ui.show(null);
  if (!dialog) return null;
  const { state, actions } = ui;
  switch (dialog.kind) {
    case 'newSession':
      return <NewSessionDialog folders={state.folders} sessions={state.sessions} folderId={dialog.folderId} worktrees={state.features.worktrees} onCreate={(input, hostId) => actions.createSession(input, hostId).then((s) => (ui.select(s.id), s))} onClose={close} />;
    case 'addHost':
      return <AddHostDialog onClose={close} />;
    case 'prompt':
      return <PromptDialog {...dialog} onClose={close} />;
    case 'confirm':
      return <ConfirmDialog {...dialog} onClose={close} />;
    case 'shortcuts':
      return <ShortcutsDialog onClose={close} />;
    case 'searchAll':
      return <SearchDialog onClose={close} />;
    case 'identities':
      return <IdentitiesDialog onClose={close} />;
    case 'paste':
      return <PasteDialog onPaste={(text) => ui.terminal(state.activeId)?.paste(text)} onClose={close} />;
    case 'knowledge': {
      const f = state.folders.find((x) => x.id === dialog.folderId);
      return f ? <KnowledgeDialog folder={f} onClose={close} /> : null;
    }
    case 'diff': {
      const s = state.sessions.find((x) => x.id === dialog.sessionId);
      return s ? <DiffDialog session={s} onClose={close} /> : null;
    }
    case 'folderIdentity': {
      const f = state.folders.find((x) => x.id === dialog.folderId);
      return f ? <FolderIdentityDialog folder={f} onClose={close} /> : null;
    }
    case 'folderNotifications': {
      const f = state.folders.find((x) => x.id === dialog.folderId);
      return f ? <FolderNotificationsDialog folder={f} onClose={close} /> : null;
    }
    case 'move': {
      if (dialog.what === 'session') {
        const s = state.sessions.find((x) => x.id === dialog.id);
        if (!s) return null;
        return <MoveDialog title={`Move “${s.name}”`} folders={state.folders} current={s.folderId ?? null} onMove={(to) => actions.moveSession(s.id, to)} onClose={close} />;
      }
      const f = state.folders.find((x) => x.id === dialog.id);
      if (!f) return null;
      return <MoveDialog title={`Move “${f.name}”`} folders={state.folders} current={f.parentId} exclude={f.id} onMove={(to) => actions.moveFolder(f.id, to)} onClose={close} />;
    }
  }
}
