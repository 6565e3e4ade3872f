'use client';
import type { RdvClient } from '@rdv/client';
import { createContext, useContext, type Dispatch } from 'react';
import type { Actions } from './state/actions';
import type { MenuItem } from './menu';
import type { Action, State } from './state/model';
import type { TerminalHandle } from './terminal/terminal-view';

export type DialogSpec =
  | { kind: 'newSession'; folderId: string | null }
  | { kind: 'prompt'; title: string; label: string; initial: string; submit: string; onSubmit: (value: string) => Promise<void> }
  | { kind: 'confirm'; title: string; message: string; submit: string; danger?: boolean; onConfirm: () => Promise<void> }
  | { kind: 'move'; what: 'session' | 'folder'; id: string }
  | { kind: 'knowledge'; folderId: string }
  | { kind: 'folderNotifications'; folderId: string }
  | { kind: 'diff'; sessionId: string }
  | { kind: 'addHost' }
  | { kind: 'shortcuts' }
  | { kind: 'searchAll' }
  | { kind: 'identities' }
  | { kind: 'folderIdentity'; folderId: string }
  | { kind: 'paste' };

/** Everything components share: state, actions, dialogs, menus and the mounted terminals. */
export interface Ui {
  state: State;
  dispatch: Dispatch<Action>;
  /** The api, same-origin through the edge. */
  api: RdvClient;
  actions: Actions;
  /** Narrow screen: drawer sidebar, key bar, no tab strip. */
  compact: boolean;
  show(dialog: DialogSpec | null): void;
  openMenu(menu: { x: number; y: number; items: MenuItem[]; label: string } | null): void;
  /** Opens a session in a tab and shows it (closing the drawer on a phone). */
  select(id: string): void;
  terminal(id: string | null): TerminalHandle | undefined;
  toast(message: string): void;
}

export const UiContext = createContext<Ui | null>(null);

export function useUi(): Ui {
  const ui = useContext(UiContext);
  if (!ui) throw new Error('useUi outside <UiContext>');
  return ui;
}
