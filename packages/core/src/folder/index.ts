// Folders: a user's tree of folders (order, default cwd, agent and env) and the
// preferences new sessions inherit through it.
export { createFolderService, type FolderService } from './service.js';
export { toFolder } from './rows.js';
