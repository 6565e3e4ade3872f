// Owning resources and letting them go: browser-safe (no Node APIs), so the web UI and the
// services dispose the same way. `@rdv/core/lifecycle` re-exports it for the services.
export { DisposableStore, toDisposable, type Disposable } from './disposable.js';
