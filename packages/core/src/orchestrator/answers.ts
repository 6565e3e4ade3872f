// Answering an agent from a notification (Allow, Deny, a Reply option) and an agent asking
// for its human (MCP request_attention). Answers go through the same audited, rate-limited
// inject path as a person typing, and only while the insight they were made for is open.
import { AppError } from '../errors/index.js';
import type { Db } from '../db/index.js';
import { ACTION_REFUSALS, consumeActionToken } from '../notify/index.js';
import type { InjectInput, InjectResult, NotifyAction } from '../schemas/index.js';
import type { InsightStore } from './insights.js';
import type { OrchestratorStore } from './store.js';

type Actor = { userId: string; tokenId: string | null; authMethod: string };

export interface AnswerDeps {
  db: Db;
  insights: InsightStore;
  store: OrchestratorStore;
  inject(actor: Actor, orchestratorId: string, input: InjectInput): Promise<InjectResult>;
}

export interface AnswerResult {
  insightId: string;
  sessionId: string;
  action: NotifyAction;
  sent: InjectResult;
}

/** The insight's suggested action a notification action stands for. */
const actionIdOf = (action: NotifyAction): string => (action === 'allow' ? 'approve' : action);

/**
 * Spends a notification's action token (single use, short-lived, the caller's own) and types
 * the answer into the session. conflict when the token is spent, expired or revoked, or the
 * insight was resolved meanwhile (the session moved on); forbidden for a token that is not
 * valid for this caller.
 */
export async function answerNotification(deps: AnswerDeps, actor: Actor, token: string): Promise<AnswerResult> {
  const spent = consumeActionToken(deps.db, token, { userId: actor.userId });
  if (!spent.ok) throw new AppError(spent.reason === 'invalid' ? 'forbidden' : 'conflict', spent.message);
  const row = deps.insights.byId(spent.insightId);
  if (!row || row.userId !== actor.userId || row.resolved) throw new AppError('conflict', ACTION_REFUSALS.revoked);
  const suggested = ((row.suggestedActions ?? []) as Array<{ id: string; kind: string; text?: string; keys?: string[] }>).find(
    (a) => a.id === actionIdOf(spent.action) && a.kind === 'inject',
  );
  if (!suggested) throw new AppError('conflict', 'This prompt cannot be answered from a notification; open the session.');
  const orchestrator = (row.orchestratorId && safeRow(deps, actor.userId, row.orchestratorId)) || deps.store.master(actor.userId);
  if (!orchestrator) throw new AppError('conflict', 'No orchestrator watches this session; open it to answer.');
  const input: InjectInput = suggested.text
    ? { sessionId: row.sessionId, text: suggested.text, reason: `notification: ${spent.action}` }
    : { sessionId: row.sessionId, keys: suggested.keys ?? [], enter: false, reason: `notification: ${spent.action}` };
  const sent = await deps.inject(actor, orchestrator.id, input);
  return { insightId: row.id, sessionId: row.sessionId, action: spent.action, sent };
}

function safeRow(deps: AnswerDeps, userId: string, id: string) {
  try {
    return deps.store.row(userId, id);
  } catch {
    // Deleted since the insight was made: Master Control answers instead.
    return undefined;
  }
}
