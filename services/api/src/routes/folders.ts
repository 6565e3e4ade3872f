import { z } from 'zod';
import {
  CreateFolderSchema,
  FolderContextSchema,
  FolderSchema,
  PreferencesSchema,
  ReorderFoldersSchema,
  UpdateFolderSchema,
  UpdatePreferencesSchema,
  listOf,
} from '@rdv/core/schemas';
import { auditAs } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

const tag = 'folders';

const DeletedFolderSchema = z.object({
  id: z.string(),
  deleted: z.boolean(),
  movedSessions: z.number().int(),
  movedFolders: z.number().int(),
});

export function folderRoutes(deps: RouteDeps): RouteDef[] {
  const { folders, sessions } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/api/folders',
      tag,
      summary: 'List all folders (flat; parentId and position give the tree)',
      response: listOf(FolderSchema),
      handler: ({ auth }) => ({ items: folders.list(auth.user.id) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/folders',
      tag,
      summary: 'Create a folder',
      body: CreateFolderSchema,
      response: FolderSchema,
      status: 201,
      handler: ({ auth, body }) => folders.create(auth.user.id, body),
    }),
    defineRoute({
      method: 'post',
      path: '/api/folders/reorder',
      tag,
      summary: 'Order the folders under one parent',
      body: ReorderFoldersSchema,
      response: listOf(FolderSchema),
      handler: ({ auth, body }) => ({ items: folders.reorder(auth.user.id, body.parentId, body.ids) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/folders/:id',
      tag,
      summary: 'Get a folder',
      response: FolderSchema,
      handler: ({ auth, params }) => folders.get(auth.user.id, params.id!),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/folders/:id',
      tag,
      summary: 'Rename, move (parentId) or change a folder\'s defaults',
      body: UpdateFolderSchema,
      response: FolderSchema,
      handler: ({ auth, params, body }) => folders.update(auth.user.id, params.id!, body),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/folders/:id',
      tag,
      summary: 'Delete a folder; its sessions and subfolders move up to its parent (idempotent)',
      response: DeletedFolderSchema,
      sensitive: true,
      handler: ({ auth, params }) => {
        const result = folders.delete(auth.user.id, params.id!);
        auditAs(deps, auth, 'folder.delete', params.id!, result);
        return { id: params.id!, ...result };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/folders/:id/children',
      tag,
      summary: 'The folder\'s direct subfolders, in order',
      response: listOf(FolderSchema),
      handler: ({ auth, params }) => ({ items: folders.children(auth.user.id, params.id!) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/folders/:id/context',
      tag,
      summary: 'The folder with its ancestors, children, open sessions and effective preferences',
      response: FolderContextSchema,
      handler: ({ auth, params }) => {
        const folder = folders.get(auth.user.id, params.id!);
        return {
          folder,
          ancestors: folders.ancestors(auth.user.id, folder.id),
          children: folders.children(auth.user.id, folder.id),
          sessions: sessions.list(auth.user.id, { folderId: folder.id }),
          preferences: folders.effectivePreferences(auth.user.id, folder.id),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/preferences',
      tag: 'preferences',
      summary: 'The user\'s preferences (the root of folder inheritance)',
      response: PreferencesSchema,
      handler: ({ auth }) => folders.getPreferences(auth.user.id),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/preferences',
      tag: 'preferences',
      summary: 'Change the user\'s preferences',
      body: UpdatePreferencesSchema,
      response: PreferencesSchema,
      handler: ({ auth, body }) => folders.updatePreferences(auth.user.id, body),
    }),
  ];
}
