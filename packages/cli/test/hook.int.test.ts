// `rdv hook <agent>` as agents run it: the event on stdin (Codex: the last argument), posted
// to api.sock with the session's hook credential, and always exit 0 with nothing printed.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { useTempDir } from '@rdv/core/testing';
import { CLI_MAIN } from './helpers.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function hook(args: string[], env: Record<string, string>, stdin = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_MAIN, 'hook', ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

/** A stand-in api.sock that records requests; `hang` never answers. */
async function fakeApi(hang = false) {
  const socket = join(useTempDir(), 'api.sock');
  const seen: Array<{ method: string; url: string; authorization: string; body: any }> = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization ?? '', body: JSON.parse(body) });
      if (!hang) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(socket, r));
  onTestFinished(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { socket, seen };
}

const SILENT = { code: 0, stdout: '', stderr: '' };
const sessionEnv = (socket: string, sessionId = randomUUID()) => ({ RDV_API_SOCKET: socket, RDV_SESSION_ID: sessionId, RDV_HOOK_TOKEN: 'rdv_hook_secret' });

describe('rdv hook', { timeout: 60_000 }, () => {
  it('posts the event from stdin with the session credential, long strings cut', async () => {
    const api = await fakeApi();
    const env = sessionEnv(api.socket);
    const event = { hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { content: 'x'.repeat(50_000) } };
    expect(await hook(['claude'], env, JSON.stringify(event))).toEqual(SILENT);
    expect(api.seen).toHaveLength(1);
    expect(api.seen[0]).toMatchObject({ method: 'POST', url: `/api/sessions/${env.RDV_SESSION_ID}/agent-events`, authorization: 'Bearer rdv_hook_secret' });
    expect(api.seen[0]!.body).toMatchObject({ agent: 'claude', event: { hook_event_name: 'PreToolUse', tool_name: 'Write' } });
    expect(api.seen[0]!.body.event.tool_input.content.length).toBeLessThan(2100);
  });

  it("takes Codex's notify JSON from its last argument", async () => {
    const api = await fakeApi();
    const payload = { type: 'agent-turn-complete', 'thread-id': 't-1', 'last-assistant-message': 'done' };
    expect(await hook(['codex', JSON.stringify(payload)], sessionEnv(api.socket))).toEqual(SILENT);
    expect(api.seen[0]!.body).toEqual({ agent: 'codex', event: payload });
  });

  it('stays silent and exits 0 when rdv is down, the socket is stale or hangs, the input is bad, or it runs outside a session', async () => {
    const dir = useTempDir();
    const stale = join(dir, 'stale.sock');
    writeFileSync(stale, '');
    const hung = await fakeApi(true);
    const stop = JSON.stringify({ hook_event_name: 'Stop' });
    expect(await hook(['claude'], sessionEnv(join(dir, 'missing.sock')), stop)).toEqual(SILENT);
    expect(await hook(['claude'], sessionEnv(stale), stop)).toEqual(SILENT);
    expect(await hook(['claude'], sessionEnv(hung.socket), stop)).toEqual(SILENT);
    expect(hung.seen).toHaveLength(1);
    const ok = await fakeApi();
    expect(await hook(['claude'], sessionEnv(ok.socket), 'not json')).toEqual(SILENT);
    expect(await hook(['claude'], sessionEnv(ok.socket), '[1,2]')).toEqual(SILENT);
    expect(await hook(['robot'], sessionEnv(ok.socket), stop)).toEqual(SILENT);
    expect(await hook(['claude'], { RDV_API_SOCKET: ok.socket }, stop)).toEqual(SILENT);
    expect(ok.seen).toEqual([]);
  });

  it('still has help', async () => {
    const r = await hook(['--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("report an agent's hook event to rdv");
  });
});
