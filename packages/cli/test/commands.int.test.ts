// The CLI from scripts (--json and exit codes) against a real api and terminal service.
import { chmodSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSocketClient } from '@rdv/client/node';
import { spawnNode, useRepo, waitFor } from '@rdv/core/testing';
import { CLI_MAIN, useRdvHome, useServices } from './helpers.js';

// Many CLI processes per test: generous on a busy machine (a cap, not a timed assertion).
const SLOW = { timeout: 120_000 };

const h = useRdvHome();
const services = useServices(h);
beforeAll(() => services.start(), 60_000);

describe('rdv session', SLOW, () => {
  it('creates, lists, shows, renames, execs, reads, moves, suspends, resumes and closes by name or id', async () => {
    const created = await h.json(['session', 'create', 'work', '--cwd', h.home]);
    expect(created).toMatchObject({ name: 'work', kind: 'shell', status: 'active', cwd: h.home });

    const list = await h.json(['session', 'list']);
    expect(list.items.map((s: any) => s.name)).toContain('work');
    const table = await h.rdv(['session', 'list']);
    expect(table.stdout).toMatch(/^NAME\s+ID\s+STATUS\s+KIND\s+FOLDER\s+CWD\s+ACTIVE\n/);
    expect(table.stdout).toMatch(new RegExp(`work\\s+${created.id.slice(0, 8)}\\s+active\\s+shell`));

    expect(await h.json(['session', 'show', created.id.slice(0, 8)])).toMatchObject({ id: created.id });
    expect(await h.json(['session', 'exec', 'work', '--', 'echo', 'from-$((6*7))'])).toEqual({ sessionId: created.id, sent: true });
    const api = createSocketClient({ socketPath: join(h.home, 'run', 'api.sock'), token: h.token() });
    await waitFor(async () => /from-42/.test((await api.GET('/api/sessions/{id}/scrollback', { params: { path: { id: created.id } } })).text), 'exec output');
    expect((await h.rdv(['session', 'scrollback', 'work', '-n', '20'])).stdout).toMatch(/from-42/);

    expect(await h.json(['session', 'rename', 'work', 'work2'])).toMatchObject({ name: 'work2' });
    const folder = await h.json(['folder', 'create', 'proj', '--cwd', h.home]);
    expect(await h.json(['session', 'move', 'work2', 'proj'])).toMatchObject({ folderId: folder.id });
    expect(await h.json(['session', 'move', 'work2', 'none'])).toMatchObject({ folderId: null });
    expect(await h.json(['session', 'suspend', 'work2'])).toMatchObject({ status: 'suspended' });
    expect(await h.json(['session', 'resume', created.id])).toMatchObject({ status: 'active' });
    expect(await h.json(['session', 'close', 'work2'])).toMatchObject({ status: 'closed' });
    expect(await h.json(['session', 'close', created.id])).toMatchObject({ status: 'closed' });
    const all = await h.json(['session', 'list', '--all']);
    expect(all.items.find((s: any) => s.id === created.id)).toMatchObject({ status: 'closed' });
  });

  it('says what went wrong, on one line, with exit 1 when the server says no', async () => {
    await h.json(['session', 'create', 'taken']);
    const dup = await h.rdv(['session', 'create', 'taken']);
    expect(dup).toMatchObject({ code: 1, stdout: '' });
    expect(dup.stderr).toBe('rdv: a session named "taken" is already open; pick another name\n');
    const missing = await h.rdv(['session', 'show', 'nobody']);
    expect(missing).toMatchObject({ code: 1, stderr: 'rdv: session nobody not found; see `rdv session list --all`\n' });
    const badCwd = await h.rdv(['session', 'create', 'x', '--cwd', '/does/not/exist']);
    expect(badCwd.code).toBe(1);
    expect(badCwd.stderr).toMatch(/does not exist/);
    const closeMany = await h.rdv(['session', 'close', 'taken', 'nobody']);
    expect(closeMany.code).toBe(1);
    expect(closeMany.stdout).toMatch(/closed taken/);
    expect(closeMany.stderr).toMatch(/nobody: session nobody not found[\s\S]*1 of 2 failed/);
  });

  it('refuses a bad or revoked token with exit 1 and says how to fix it', async () => {
    const bad = await h.rdv(['session', 'list'], { env: { RDV_TOKEN: 'rdv_cli_nope' } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^rdv: the server refused the CLI token: invalid token \(unset RDV_TOKEN/);
    const extra = await h.json(['token', 'create', 'temp']);
    expect(extra.token).toMatch(/^rdv_cli_/);
    expect((await h.rdv(['session', 'list'], { env: { RDV_TOKEN: extra.token } })).code).toBe(0);
    await h.json(['token', 'revoke', 'temp']);
    const revoked = await h.rdv(['session', 'list'], { env: { RDV_TOKEN: extra.token } });
    expect(revoked.stderr).toMatch(/this token was revoked/);
  });
});

describe('rdv folder, token, login-link, status, doctor, logs', SLOW, () => {
  it('manages folders by name', async () => {
    const parent = await h.json(['folder', 'create', 'clients']);
    const child = await h.json(['folder', 'create', 'acme', '--parent', 'clients', '--agent', 'claude', '--env', 'FOO=bar']);
    expect(child).toMatchObject({ parentId: parent.id, defaultAgent: 'claude', env: { FOO: 'bar' } });
    const tree = await h.rdv(['folder', 'list']);
    expect(tree.stdout).toMatch(/clients[\s\S]*\n {2}acme/);
    const context = await h.json(['folder', 'show', 'acme']);
    expect(context).toMatchObject({ folder: { id: child.id }, ancestors: [{ id: parent.id }], preferences: { defaultAgent: 'claude' } });
    expect(await h.json(['folder', 'rename', 'acme', 'acme2'])).toMatchObject({ name: 'acme2' });
    expect(await h.json(['folder', 'set', 'acme2', '--agent', 'none'])).toMatchObject({ defaultAgent: null });
    expect(await h.json(['folder', 'move', 'acme2', 'none'])).toMatchObject({ parentId: null });
    expect(await h.json(['folder', 'delete', 'acme2'])).toMatchObject({ deleted: true });
    const gone = await h.rdv(['folder', 'show', 'acme2']);
    expect(gone).toMatchObject({ code: 1, stderr: 'rdv: folder acme2 not found; see `rdv folder list`\n' });
  });

  it('creates tokens (shown once), lists them without secrets and revokes them', async () => {
    const key = await h.rdv(['token', 'create', 'desktop', '--api-key', '--expires-in-days', '30']);
    expect(key.code).toBe(0);
    expect(key.stdout).toMatch(/^rdv_key_\S+\n$/);
    expect(key.stderr).toMatch(/shown only this once/);
    const list = await h.rdv(['token', 'list']);
    expect(list.stdout).toMatch(/desktop\s+\S+\s+api key\s+rdv_key_/);
    expect(list.stdout).not.toContain(key.stdout.trim());
    const listed = await h.json(['token', 'list']);
    expect(JSON.stringify(listed)).not.toContain(key.stdout.trim());
    const revoked = await h.rdv(['token', 'revoke', 'desktop']);
    expect(revoked).toMatchObject({ code: 0 });
    expect((await h.json(['token', 'list'])).items.find((t: any) => t.name === 'desktop').revokedAt).not.toBeNull();
  });

  it('prints a login link for the web UI', async () => {
    const link = await h.json(['login-link']);
    expect(link.url).toMatch(/\/login\?code=[\w-]+$/);
    expect(link.code).toBeTruthy();
  });

  it('reports status, health and the tmux server', async () => {
    await h.json(['session', 'create', 'status-probe']);
    // Exit 0 only when every built service is healthy; the web edge is not started here.
    const r = await h.rdv(['status', '--json']);
    expect([0, 1]).toContain(r.code);
    const report = JSON.parse(r.stdout);
    const api = report.services.find((s: any) => s.name === 'api');
    expect(api).toMatchObject({ alive: true, socketPresent: true, health: 'healthy' });
    expect(report.services.find((s: any) => s.name === 'terminal')).toMatchObject({ health: 'healthy' });
    expect(report.sessions.active).toBeGreaterThan(0);
    expect(report.tmux).toMatchObject({ socket: h.tmuxSocket, running: true });
    const text = await h.rdv(['status']);
    expect(text.stdout).toMatch(/api\s+\d+\s+yes\s+\S+api\.sock\s+healthy/);
    expect(text.stdout).toMatch(/Sessions\s+\d+ active/);
  });

  it('doctor finds the token accepted and the sockets healthy, flags loose permissions and --fix repairs them', async () => {
    const ok = await h.json(['doctor']);
    const byName = Object.fromEntries(ok.checks.map((c: any) => [c.name, c]));
    expect(byName['token accepted']).toMatchObject({ status: 'ok' });
    expect(byName['api health']).toMatchObject({ status: 'ok' });
    expect(byName['cli-token']).toMatchObject({ status: 'ok' });

    chmodSync(join(h.home, 'cli-token'), 0o644);
    const loose = await h.rdv(['doctor']);
    expect(loose.code).toBe(1);
    expect(loose.stdout).toMatch(/✗ cli-token .*mode 644[\s\S]*fix: chmod 600 /);
    const fixed = await h.rdv(['doctor', '--fix']);
    expect(fixed.stdout).toMatch(/fixed: cli-token/);
    expect(statSync(join(h.home, 'cli-token')).mode & 0o777).toBe(0o600);
  });

  it('shows the service logs', async () => {
    expect(existsSync(join(h.home, 'server', 'api.log'))).toBe(true);
    const logs = await h.rdv(['logs', 'api', '-n', '5']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/\d\d:\d\d:\d\d \[api\] /);
    const records = (await h.rdv(['logs', 'api', '-n', '3', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(records).toHaveLength(3);
    for (const r of records) expect(r).toMatchObject({ service: 'api', msg: expect.any(String) });

    const follow = spawnNode(CLI_MAIN, { args: ['logs', '-f', '-n', '1'], env: h.env });
    await waitFor(() => follow.stdout().length > 0, 'the last line');
    await h.json(['session', 'create', 'followed']);
    await waitFor(() => /session created/.test(follow.stdout()), 'a new line while following');
    follow.child.kill('SIGINT');
    expect((await follow.exited).code).toBe(0);
  });

  it('completes session names from the api', async () => {
    await h.json(['session', 'create', 'completion-me']);
    const r = await h.rdv(['__complete', '--', 'attach', 'completion-']);
    expect(r.stdout).toBe('completion-me\n');
  });
});

describe('rdv worktree', SLOW, () => {
  it('creates, lists, reports and removes worktrees; sessions can get one', async () => {
    const repo = useRepo().path;
    const wt = await h.json(['worktree', 'create', '--repo', repo, '--branch', 'feat-1']);
    expect(wt).toMatchObject({ branch: 'feat-1', repoPath: repo });
    expect((await h.json(['worktree', 'list'])).items.map((w: any) => w.id)).toContain(wt.id);
    const status = await h.json(['worktree', 'status', '--repo', repo]);
    expect(status.items[0]).toMatchObject({ id: wt.id, git: { branch: 'feat-1' } });
    expect((await h.rdv(['worktree', 'status'])).stdout).toMatch(/feat-1/);
    expect(await h.json(['worktree', 'remove', wt.path])).toMatchObject({ id: wt.id });
    const session = await h.json(['session', 'create', 'wt-session', '--repo', repo, '--branch', 'feat-2']);
    expect(session.worktreeId).toBeTruthy();
    const both = await h.rdv(['session', 'create', 'wt-x', '--repo', repo, '--branch', 'feat-3', '--cwd', repo]);
    expect(both.code).toBe(2);
    const notRepo = await h.rdv(['worktree', 'create', '--repo', h.home, '--branch', 'x']);
    expect(notRepo.code).toBe(1);
    expect(notRepo.stderr).toMatch(/git/);
  });
});

describe('rdv orchestrator', SLOW, () => {
  it('starts monitoring, reports status, injects, lists insights, changes settings and stops', async () => {
    await h.json(['session', 'create', 'watched']);
    const started = await h.json(['orchestrator', 'monitoring', 'start']);
    expect(started).toMatchObject({ monitoring: true });
    const status = await h.json(['orchestrator', 'status']);
    const master = status.items.find((o: any) => o.kind === 'master');
    expect(master).toMatchObject({ monitoring: true, monitoringStatus: { orchestratorId: master.id } });
    expect((await h.rdv(['orchestrator', 'status'])).stdout).toMatch(/Master Control\s+\S+\s+master\s+on/);

    const sent = await h.json(['orchestrator', 'inject', 'watched', 'echo', 'nudged-$((3*3))', '--reason', 'test']);
    expect(sent).toMatchObject({ orchestratorId: master.id, sent: true });
    const api = createSocketClient({ socketPath: join(h.home, 'run', 'api.sock'), token: h.token() });
    const session = (await h.json(['session', 'show', 'watched'])) as { id: string };
    await waitFor(async () => /nudged-9/.test((await api.GET('/api/sessions/{id}/scrollback', { params: { path: { id: session.id } } })).text), 'injected text');
    expect(await h.json(['orchestrator', 'inject', 'watched', '--key', 'C-c'])).toMatchObject({ keys: ['C-c'] });

    expect((await h.json(['orchestrator', 'insights'])).items).toEqual(expect.any(Array));
    expect((await h.json(['orchestrator', 'insights', 'master', '--all'])).items).toEqual(expect.any(Array));
    expect((await h.json(['orchestrator', 'stalled'])).items).toEqual(expect.any(Array));
    expect(await h.json(['orchestrator', 'set', '--stall-after', '600', '--auto-nudge', 'off'])).toMatchObject({ stallThresholdSeconds: 600 });
    const monitoring = await h.rdv(['orchestrator', 'monitoring', 'status']);
    expect(monitoring.stdout).toMatch(/monitoring\s+on/);
    const missing = await h.rdv(['orchestrator', 'resolve', '00000000-0000-4000-8000-000000000000']);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/not found/) });
    expect((await h.rdv(['orchestrator', 'set', '--auto-nudge', 'maybe'])).code).toBe(2);
    expect(await h.json(['orchestrator', 'monitoring', 'stop'])).toMatchObject({ monitoring: false });
  });
});
