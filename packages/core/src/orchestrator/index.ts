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
export { classify, type ClassifyInput, type Verdict, type VerdictReason } from './detect/classify.js';
export { readScreen, cleanLine, agentLabel, linesAround, lastLines, type Finding, type ScreenReading } from './detect/recognise.js';
export { RECOGNISERS, FINDING_KINDS, type FindingKind, type PatternSpec, type RecogniserSpec, type RecogniserAgent } from './detect/patterns.js';
export { draftInsight, verdictKey, formatDuration, type EscalationStep } from './act/rules.js';
export { nextIntervention, freshIntervention, MAX_NUDGES_PER_HOUR, type InterventionState } from './act/intervention.js';
export { normaliseKeys, textProblem, createInjector, type Injector, type KeyStep } from './act/keystrokes.js';
export { createProcReader, parseStat, CLOCK_TICKS_PER_SECOND, type ProcReader, type ProcStat } from './detect/proc.js';
export { toInsight, type InsightDraft } from './insights.js';
export { toOrchestrator, MASTER_NAME } from './store.js';
export { readAgentEvent, type AgentSignal, type ReadEvent } from './hooks/signals.js';
export { draftFromHook, hookVerdict, type HookVerdict } from './hooks/drafts.js';
export { screenMayOverride, HOOK_HOLD_MS, HOOK_GRACE_MS } from './hooks/precedence.js';
export { permissionActions, replyActions } from './act/rules.js';
export { attentionTypeOf, createAttentionFeed, storedPreferenceSources, type InsightObserver } from './attention.js';
export { answerNotification, type AnswerResult } from './answers.js';
