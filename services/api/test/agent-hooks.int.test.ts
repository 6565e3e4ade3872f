// Agents reachable only through their hooks: fake agent CLIs on PATH that run rdv's hooks as
// the real ones document and show nothing a screen recogniser could read.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useFakeAgents, waitFor } from '@rdv/core/testing';
import { openSse, useApi } from './helpers.js';

const api = await useApi();
const fakes = useFakeAgents();
const master = (await api.call('GET', '/api/orchestrators')).body.items[0] as { id: string };

async function start(agent: string, name: string) {
  const before = fakes.entries().filter((e) => e.started).length;
  const r = await api.call('POST', '/api/sessions', { name, kind: 'agent', agent, env: fakes.env });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  await waitFor(() => fakes.entries().filter((e) => e.started).length > before, `${agent} started`, 15_000);
  return r.body.id as string;
}

const prompt = (id: string, text: string) => api.call('POST', `/api/sessions/${id}/exec`, { command: text });
const openInsight = (id: string, pred: (i: any) => boolean = () => true) =>
  waitFor(async () => (await api.call('GET', `/api/insights?open=true&sessionId=${id}`)).body.items.find(pred), `an open insight for ${id}`, 15_000, 50);
const hookToken = (id: string) =>
  execFileSync('tmux', ['-L', api.tmuxSocket, 'show-environment', '-t', `rdv-${id}`, 'RDV_HOOK_TOKEN'], { encoding: 'utf8' }).trim().split('=')[1]!;
const inject = (id: string, action: { keys?: string[]; text?: string }) =>
  api.call('POST', `/api/orchestrators/${master.id}/inject`, { sessionId: id, ...action, enter: false });

describe('agents report their state through rdv hook', () => {
  it('claude: its own --settings file runs rdv hook for each event; permission, question, finish, failure and exit arrive as they happen', async () => {
    const sse = openSse(api.socket, api.ownerToken);
    try {
      const id = await start('claude', 'claude fake');
      const dir = join(api.home, 'run', 'sessions', id);
      const file = join(dir, 'claude-settings.json');
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const settings = JSON.parse(readFileSync(file, 'utf8'));
      for (const event of ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'Notification', 'PreCompact', 'Stop', 'StopFailure', 'SessionEnd']) {
        expect(settings.hooks[event]?.[0]?.hooks?.[0]?.command, event).toMatch(/main\.js'? hook claude$/);
      }
      expect(settings.hooks.Notification[0].matcher).toContain('permission_prompt');
      const scrollback = (await api.call('GET', `/api/sessions/${id}/scrollback?lines=50`)).body.text as string;
      expect(scrollback).toContain(`claude --settings ${file}`);

      // SessionStart carries Claude's own id for the conversation: kept on the session.
      const withId = await waitFor(async () => (await api.call('GET', `/api/sessions/${id}`)).body.agentSessionId, 'native session id', 10_000, 50);
      expect(withId).toMatch(/^[0-9a-f-]{36}$/);

      await prompt(id, 'permission rm -rf build');
      const permission = await openInsight(id, (i) => i.type === 'waiting_input' && i.severity === 'warning');
      expect(permission).toMatchObject({ source: 'hook', message: 'Claude Code in "claude fake" is asking for permission: Bash: rm -rf build' });
      expect(permission.suggestedActions.find((a: any) => a.id === 'approve')).toMatchObject({ keys: ['Enter'] });
      await waitFor(() => sse.events.find((e) => e.event === 'agent.state' && e.data.data.state.sessionId === id && e.data.data.state.reason === 'permission'), 'agent.state on SSE', 5000);
      const status = (await api.call('GET', `/api/orchestrators/${master.id}/monitoring/status`)).body;
      expect(status.sessions.find((s: any) => s.sessionId === id)).toMatchObject({ state: 'waiting_input', reason: 'permission' });

      expect((await inject(id, { keys: ['Enter'] })).status).toBe(200);
      await waitFor(() => fakes.entries().find((e) => e.answer === 'permission' && e.value === 'allow'), 'the fake allowed it', 10_000);
      const finished = await openInsight(id, (i) => i.type === 'waiting_input' && i.severity === 'info');
      expect(finished).toMatchObject({ source: 'hook', message: 'Claude Code in "claude fake" finished and is waiting for your next instruction' });
      const resolved = (await api.call('GET', `/api/insights?open=false&sessionId=${id}`)).body.items;
      expect(resolved.map((i: any) => i.id)).toContain(permission.id);

      await prompt(id, 'question Which database should the cache use?|Postgres|SQLite');
      const question = await openInsight(id, (i) => i.message.includes('asked:'));
      expect(question.message).toBe('Claude Code in "claude fake" asked: Which database should the cache use?');
      expect(question.suggestedActions.filter((a: any) => a.id.startsWith('reply:'))).toEqual([
        { id: 'reply:Postgres', label: 'Postgres', kind: 'inject', keys: ['Enter'] },
        { id: 'reply:SQLite', label: 'SQLite', kind: 'inject', keys: ['Down', 'Enter'] },
      ]);
      await inject(id, { keys: ['Down', 'Enter'] });
      await waitFor(() => fakes.entries().find((e) => e.answer === 'question' && e.value === 'SQLite'), 'the fake got SQLite', 10_000);

      await prompt(id, 'fail');
      expect(await openInsight(id, (i) => i.type === 'error')).toMatchObject({ source: 'hook', severity: 'error', message: expect.stringContaining('API Error: 529') });
      await prompt(id, 'exit');
      expect(await openInsight(id, (i) => i.type === 'exited')).toMatchObject({ type: 'exited' });

      // Every hook ran silently and succeeded, as Claude Code needs of a notifier.
      const runs = fakes.entries().filter((e) => e.hook && e.hook !== 'notify');
      expect(runs.length).toBeGreaterThanOrEqual(12);
      for (const r of runs) expect({ hook: r.hook, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ hook: r.hook, code: 0, stdout: '', stderr: '' });
    } finally {
      sse.close();
    }
  }, 60_000);

  it('codex: -c notify=[…] reports each finished turn with its thread id', async () => {
    const id = await start('codex', 'codex fake');
    const line = (await api.call('GET', `/api/sessions/${id}/scrollback?lines=50`)).body.text as string;
    expect(line).toMatch(/codex -c 'notify=\["[^"]+node[^"]*","[^"]+main\.js","hook","codex"\]'/);
    await prompt(id, 'work');
    expect(await openInsight(id)).toMatchObject({ source: 'hook', type: 'waiting_input', severity: 'info' });
    expect((await api.call('GET', `/api/sessions/${id}`)).body.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
  }, 30_000);

  it('gemini (a defaults settings file) and opencode (a plugin) report permissions', async () => {
    for (const [agent, expected] of [
      ['gemini', 'Gemini CLI in "gemini fake" is asking for permission: Allow execution of: make deploy?'],
      ['opencode', 'OpenCode in "opencode fake" is asking for permission: bash: make deploy'],
    ] as const) {
      const id = await start(agent, `${agent} fake`);
      const denied = fakes.entries().filter((e) => e.answer === 'permission' && e.value === 'deny').length;
      await prompt(id, 'permission make deploy');
      expect(await openInsight(id)).toMatchObject({ source: 'hook', message: expected });
      await inject(id, { keys: ['Escape'] });
      await waitFor(() => fakes.entries().filter((e) => e.answer === 'permission' && e.value === 'deny').length > denied, `${agent} denied`, 10_000);
    }
  }, 60_000);

  it("a session's hook credential posts that session's agent events and nothing else", async () => {
    const mine = await start('claude', 'hooked');
    const other = await start('claude', 'other hooked');
    const token = hookToken(mine);
    expect(token).toMatch(/^rdv_hook_/);
    const asHook = api.as(token);
    const event = { agent: 'claude', event: { hook_event_name: 'Notification', notification_type: 'permission_prompt', message: 'forged' } };
    expect((await asHook('POST', `/api/sessions/${mine}/agent-events`, event)).body).toMatchObject({ sessionId: mine, recognised: true, state: { state: 'waiting_input' } });
    // Forged for another session, or used anywhere else: refused.
    const forged = await asHook('POST', `/api/sessions/${other}/agent-events`, event);
    expect(forged.status).toBe(401);
    expect((await api.call('GET', `/api/insights?open=true&sessionId=${other}`)).body.items.filter((i: any) => i.message.includes('forged'))).toEqual([]);
    for (const [method, path, body] of [
      ['GET', '/api/sessions'],
      ['GET', `/api/sessions/${mine}`],
      ['POST', `/api/sessions/${mine}/exec`, { command: 'echo hi' }],
      ['POST', `/api/orchestrators/${master.id}/inject`, { sessionId: mine, text: 'x' }],
      ['GET', '/api/events'],
    ] as Array<[string, string, unknown?]>) {
      expect((await asHook(method, path, body)).status, `${method} ${path}`).toBe(401);
    }
    // Other credentials cannot post agent events either.
    expect((await api.call('POST', `/api/sessions/${mine}/agent-events`, event)).status).toBe(401);
    expect((await api.as(hookToken(other))('POST', `/api/sessions/${mine}/agent-events`, event)).status).toBe(401);
    expect(JSON.stringify((await api.call('GET', '/api/audit?limit=200')).body.items)).not.toContain(token);
    // A closed session's credential is dead, and its hook files are gone.
    await api.call('DELETE', `/api/sessions/${mine}`);
    expect((await asHook('POST', `/api/sessions/${mine}/agent-events`, event)).status).toBe(401);
    expect(() => statSync(join(api.home, 'run', 'sessions', mine))).toThrow();
  }, 60_000);
});
