import { ServiceDownError, isAppError } from '../errors/index.js';

/** Which part of rdv a tool belongs to, for "not supported yet" messages and hints. */
export type ToolArea = 'session' | 'folder' | 'worktree' | 'orchestrator' | 'repository';

const NEXT_STEP: Record<ToolArea, string> = {
  session: 'Call session_list to see the sessions, their ids and names.',
  folder: 'Call folder_list to see the folders and their ids.',
  worktree: 'Call worktree_list to see the worktrees.',
  orchestrator: 'Call orchestrator_status and insight_list to see orchestrators and insights.',
  repository: 'Call repository_list to see the cloned repositories and their ids.',
};

/**
 * Turns a failure into one message an agent can act on: what went wrong and what to do
 * next. Faults on rdv's side never read as the caller's mistake.
 */
export function describeFailure(err: unknown, area: ToolArea): string {
  if (err instanceof ServiceDownError) {
    return 'rdv is not running (its API socket does not answer). Ask the user to start it with `rdv up` (or `npm start`), then retry.';
  }
  if (!isAppError(err)) {
    return `rdv hit an internal error; this is not caused by your arguments. Retrying may help; the user can check \`rdv logs api\`. (${String((err as Error)?.message ?? err)})`;
  }
  const msg = err.message;
  switch (err.code) {
    case 'unauthorized':
      return `rdv refused this MCP server's API key: ${msg}. Ask the user to create a new key with \`rdv token create <name> --api-key\` and set it as RDV_API_KEY in the MCP server configuration.`;
    case 'forbidden':
      return `Not allowed: ${msg}.`;
    case 'not_found':
      if (/^no route for /.test(msg)) {
        return `This rdv server has no ${area} support yet (${msg}). Ask the user to update rdv and restart it (\`rdv down && rdv up\`).`;
      }
      return `${msg}. ${NEXT_STEP[area]}`;
    case 'invalid_input':
      if (/unknown field\(s\): worktree/.test(msg)) {
        return 'This rdv server cannot create sessions with a worktree yet; create the session without one.';
      }
      return `Invalid arguments: ${msg}.`;
    case 'conflict':
      return `${msg}.`;
    case 'rate_limited':
      return `rdv is rate limiting this key: ${msg}. Wait a few seconds before retrying.`;
    case 'unavailable':
      return `rdv is unavailable right now: ${msg}. Retry shortly; if it persists, ask the user to run \`rdv status\`.`;
    default:
      return `rdv hit an internal error; this is not caused by your arguments. Retrying may help; the user can check \`rdv logs api\`. (${msg})`;
  }
}
