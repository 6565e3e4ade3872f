export { afterBody, answerClientErrors } from './client-errors.js';
export { baseHealth, cachedCount, type BaseHealth } from './health.js';
export { DisposableStore, toDisposable, type Disposable } from '../disposable/index.js';
export { disposer, GOING_AWAY, type DrainOptions } from './drain.js';
export { createJob, createScheduler, type Job, type JobSpec, type Scheduler } from './jobs.js';
export { ListenInfoSchema, readListenFile, writeListenFile, type ListenInfo } from './listen-file.js';
export {
  acquirePidFile,
  ensurePrivateDir,
  isProcessAlive,
  listenUnix,
  readPid,
  type PidFileHandle,
} from './process-files.js';
export { runService } from './run-service.js';
export { createShutdown, type ShutdownController, type ShutdownStep } from './shutdown.js';
export { socketRequest, type ApiResponse, type RequestOptions } from './socket-request.js';
export { refuseUpgrade } from './upgrade.js';
export { renderSystemdUnit, userUnitPath, SYSTEMD_UNIT_TEMPLATE, type SystemdUnitOptions } from './systemd-unit.js';
