import type { Feature, FeatureDeps } from './features.js';

/**
 * The orchestrator: monitoring, insights and injection (`/api/orchestrators`,
 * `/api/insights`). Wired by server.ts; its routes join the app's route table.
 */
export function createOrchestratorFeature(_deps: FeatureDeps): Feature {
  return { routes: [] };
}
