import { createOrchestratorService } from '@rdv/core/orchestrator';
import type { Feature, FeatureDeps } from './features.js';
import { orchestratorRoutes } from './routes/orchestrators.js';

/**
 * The orchestrator: monitoring, insights and injection (`/api/orchestrators`,
 * `/api/insights`). Monitoring left on before a restart resumes here; the service is
 * disposed on shutdown (before the database it writes to).
 */
export function createOrchestratorFeature(deps: FeatureDeps): Feature {
  const service = createOrchestratorService({
    db: deps.db.db,
    tmux: deps.tmux,
    events: deps.events,
    folders: deps.folders,
    sessions: deps.sessions,
    log: deps.log.child({ component: 'orchestrator' }),
    defaults: {
      intervalSeconds: deps.config.monitoring.interval_seconds,
      stallThresholdSeconds: deps.config.monitoring.stall_threshold_seconds,
    },
  });
  deps.shutdown.add('orchestrator', () => service.dispose());
  service.start();
  return { routes: orchestratorRoutes(deps, service) };
}
