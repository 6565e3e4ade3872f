// Folder hooks: commands (argv, no shell) run on a folder's session events, inherited
// down the tree, each run kept and audited.
export { createHookStore, type HookStore } from './store.js';
export { createHookDispatcher, hookEventOf, type HookDispatcher, type HookDispatcherDeps } from './dispatcher.js';
export { runCommand, MAX_OUTPUT_BYTES, type CommandResult, type RunCommandOptions } from './run.js';
