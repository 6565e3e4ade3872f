// The orchestrator: watches agent sessions, says which one needs a human, records
// insights and types into sessions. The api wires createOrchestratorService; the
// recogniser and classifier are exported for tests, the bench and tools.
export {
  createOrchestratorService,
  type Actor,
  type OrchestratorService,
  type OrchestratorServiceDeps,
} from './service.js';
export { createMonitor, type Monitor, type MonitorDeps, type MonitorOptions, type TrackedSession } from './monitor.js';
export { classify, type ClassifyInput, type Verdict, type VerdictReason } from './classify.js';
export { readScreen, cleanLine, agentLabel, linesAround, lastLines, type Finding, type ScreenReading } from './recognise.js';
export { RECOGNISERS, FINDING_KINDS, type FindingKind, type PatternSpec, type RecogniserSpec, type RecogniserAgent } from './patterns.js';
export { draftInsight, verdictKey, formatDuration, type EscalationStep } from './rules.js';
export { nextIntervention, freshIntervention, MAX_NUDGES_PER_HOUR, type InterventionState } from './intervention.js';
export { normaliseKeys, textProblem, createInjector, type Injector, type KeyStep } from './inject.js';
export { createProcReader, parseStat, CLOCK_TICKS_PER_SECOND, type ProcReader, type ProcStat } from './proc.js';
export { openControlClient, type ControlClient } from './control-client.js';
export { createTmuxReader, parsePanes, paneFormat, type MonitorMethod, type PaneInfo, type TmuxReader } from './tmux-reader.js';
export { toInsight, type InsightDraft } from './insights.js';
export { toOrchestrator, MASTER_NAME } from './store.js';
