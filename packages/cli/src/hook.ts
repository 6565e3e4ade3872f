// `rdv hook <agent>`: run by an agent's hooks, it posts the event to the api as the
// session's own hook (RDV_HOOK_TOKEN, scoped to RDV_SESSION_ID) and always exits 0 with
// nothing on stdout or stderr — agents read both (Claude adds stdout to its context,
// Gemini parses stderr when stdout is empty). rdv being down or slow costs at most the
// connect attempt or TIMEOUT_MS. Only node:http is loaded, so it starts fast.
import { request } from 'node:http';

const AGENTS = new Set(['claude', 'codex', 'gemini', 'opencode']);
/** A hung api must not hold the agent up for long. */
export const HOOK_TIMEOUT_MS = 1000;
const MAX_STDIN_BYTES = 8 * 1024 * 1024;
const MAX_STRING = 2000;
const MAX_ITEMS = 50;
const MAX_DEPTH = 8;

/** The event with long strings cut and long arrays shortened: rdv needs its gist, not file contents. */
export function trimEvent(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((v) => trimEvent(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value).slice(0, 200)) out[k] = trimEvent(v, depth + 1);
  return out;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_STDIN_BYTES) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function post(socketPath: string, path: string, token: string, body: string): Promise<void> {
  return new Promise((resolve) => {
    const req = request(
      {
        socketPath,
        path,
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
        res.on('error', () => resolve());
      },
    );
    const timer = setTimeout(() => req.destroy(), HOOK_TIMEOUT_MS);
    req.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    // rdv down, a stale socket, a timeout: the agent must not notice.
    req.on('error', () => resolve());
    req.end(body);
  });
}

/**
 * Reads the event (stdin; for Codex's notify the last argument) and posts it. Never
 * throws and never prints.
 */
export async function runHook(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const agent = args[0] ?? '';
    const socket = env.RDV_API_SOCKET;
    const sessionId = env.RDV_SESSION_ID;
    const token = env.RDV_HOOK_TOKEN;
    if (!AGENTS.has(agent) || !socket || !sessionId || !token || !/^[0-9a-f-]{36}$/i.test(sessionId)) return;
    const raw = agent === 'codex' && args.length > 1 ? args[args.length - 1]! : await readStdin();
    const event: unknown = JSON.parse(raw);
    if (!event || typeof event !== 'object' || Array.isArray(event)) return;
    await post(socket, `/api/sessions/${sessionId}/agent-events`, token, JSON.stringify({ agent, event: trimEvent(event) }));
  } catch {
    // Not JSON, stdin closed early, anything: a hook that fails must stay silent.
  } finally {
    process.exitCode = 0;
  }
}
