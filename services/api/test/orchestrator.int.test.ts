import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { socketRequest } from '@rdv/core/lifecycle';
import { waitFor } from '@rdv/core/testing';
import { openSse, useApi } from './helpers.js';

const api = await useApi({ RDV_ALLOWED_EMAILS: 'eve@example.com' });

/** A session of kind agent running a small script. */
async function agent(name: string, script: string, folderId?: string) {
  const file = join(api.home, `${name}.sh`);
  writeFileSync(file, `${script}\n`);
  const r = await api.call('POST', '/api/sessions', { name, kind: 'agent', command: `sh ${file}`, ...(folderId ? { folderId } : {}) });
  expect(r.status).toBe(201);
  return r.body as { id: string; name: string };
}

async function otherUser() {
  const serviceToken = readFileSync(join(api.home, 'server', 'service-token'), 'utf8').trim();
  const other = await api.edge('/resolve-user', { email: 'eve@example.com' });
  return (method: string, path: string, body?: unknown) =>
    socketRequest<any>(api.socket, path, { method, body, headers: { 'x-rdv-service-token': serviceToken, 'x-rdv-user-id': other.body.id } });
}

async function master(settings: Record<string, unknown> = {}) {
  const r = await api.call('POST', '/api/orchestrators', { kind: 'master' });
  if (Object.keys(settings).length) await api.call('PATCH', `/api/orchestrators/${r.body.id}`, settings);
  return r.body as { id: string };
}

describe('orchestrators api', () => {
  it('has Master Control monitoring from the first start, folder orchestrators per folder, and validates settings', async () => {
    const listed = (await api.call('GET', '/api/orchestrators')).body.items;
    expect(listed).toEqual([expect.objectContaining({ kind: 'master', folderId: null, name: 'Master Control', monitoring: true })]);
    expect((await api.call('GET', `/api/orchestrators/${listed[0].id}/monitoring/status`)).body).toMatchObject({ monitoring: true, running: true });
    const created = await api.call('POST', '/api/orchestrators', { kind: 'master' });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      id: listed[0].id,
      kind: 'master',
      folderId: null,
      name: 'Master Control',
      intervalSeconds: 30,
      stallThresholdSeconds: 300,
      autoIntervention: false,
      nudgeText: 'Please continue.',
      monitoring: true,
    });
    const m = created.body;
    const again = await api.call('POST', '/api/orchestrators', { kind: 'master', intervalSeconds: 5 });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: m.id, intervalSeconds: 30 });
    expect((await api.call('POST', '/api/orchestrators', {})).body.id).toBe(m.id);

    const patched = await api.call('PATCH', `/api/orchestrators/${m.id}`, { intervalSeconds: 1, stallThresholdSeconds: 2, autoIntervention: true, nudgeText: 'go on' });
    expect(patched.body).toMatchObject({ intervalSeconds: 1, stallThresholdSeconds: 2, autoIntervention: true, nudgeText: 'go on' });
    expect((await api.call('PATCH', `/api/orchestrators/${m.id}`, { nudgeText: null, autoIntervention: false })).body.nudgeText).toBe('Please continue.');
    for (const bad of [{ intervalSeconds: 0 }, { stallThresholdSeconds: 1.5 }, { nudgeText: 'a\nb' }, {}, { bogus: 1 }]) {
      const r = await api.call('PATCH', `/api/orchestrators/${m.id}`, bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.code).toBe('invalid_input');
    }

    expect((await api.call('POST', '/api/orchestrators', { kind: 'folder' })).status).toBe(400);
    expect((await api.call('POST', '/api/orchestrators', { kind: 'folder', folderId: randomUUID() })).status).toBe(404);
    const folder = (await api.call('POST', '/api/folders', { name: 'Backend' })).body;
    const f = await api.call('POST', '/api/orchestrators', { kind: 'folder', folderId: folder.id, stallThresholdSeconds: 60 });
    expect(f.status).toBe(201);
    expect(f.body).toMatchObject({ kind: 'folder', folderId: folder.id, name: 'Backend', stallThresholdSeconds: 60 });
    expect((await api.call('POST', '/api/orchestrators', { kind: 'folder', folderId: folder.id })).status).toBe(409);
    expect((await api.call('GET', '/api/orchestrators')).body.items.map((o: any) => o.kind)).toEqual(['master', 'folder']);

    expect((await api.call('GET', `/api/orchestrators/${randomUUID()}`)).status).toBe(404);
    expect((await api.call('GET', '/api/orchestrators/nope')).status).toBe(404);
    expect((await api.call('DELETE', `/api/orchestrators/${f.body.id}`)).body).toEqual({ id: f.body.id, deleted: true });
    expect((await api.call('DELETE', `/api/orchestrators/${f.body.id}`)).body).toEqual({ id: f.body.id, deleted: true });
    expect((await api.call('GET', `/api/orchestrators/${f.body.id}`)).status).toBe(404);
    expect((await api.call('POST', '/api/orchestrators', { kind: 'folder', folderId: folder.id })).status).toBe(201);
  });

  it("never shows one user another user's orchestrators or insights", async () => {
    const m = await master();
    const asOther = await otherUser();
    // A new user has a Master Control of their own from their first visit, monitoring.
    const theirList = (await asOther('GET', '/api/orchestrators')).body.items;
    expect(theirList).toEqual([expect.objectContaining({ kind: 'master', monitoring: true })]);
    expect(theirList[0].id).not.toBe(m.id);
    expect((await asOther('GET', '/api/insights')).body.items).toEqual([]);
    const s = (await api.call('POST', '/api/sessions', { name: 'mine', kind: 'shell' })).body;
    for (const [method, path, body] of [
      ['GET', `/api/orchestrators/${m.id}`],
      ['PATCH', `/api/orchestrators/${m.id}`, { intervalSeconds: 5 }],
      ['DELETE', `/api/orchestrators/${m.id}`],
      ['GET', `/api/orchestrators/${m.id}/insights`],
      ['POST', `/api/orchestrators/${m.id}/inject`, { sessionId: s.id, text: 'echo pwned' }],
      ['POST', `/api/orchestrators/${m.id}/monitoring/start`],
      ['POST', `/api/orchestrators/${m.id}/monitoring/stop`],
      ['GET', `/api/orchestrators/${m.id}/monitoring/status`],
      ['GET', `/api/orchestrators/${m.id}/stalled-sessions`],
      ['POST', `/api/insights/${randomUUID()}/resolve`],
    ] as Array<[string, string, unknown?]>) {
      expect((await asOther(method, path, body)).status, `${method} ${path}`).toBe(404);
    }
    // Their own Master Control cannot reach my session either.
    const theirs = (await asOther('POST', '/api/orchestrators', { kind: 'master' })).body;
    expect(theirs.id).toBe(theirList[0].id);
    expect((await asOther('POST', `/api/orchestrators/${theirs.id}/inject`, { sessionId: s.id, text: 'echo pwned' })).status).toBe(404);
  });

  it('watches agents, streams insight changes and lets a person resolve them', async () => {
    const m = await master({ intervalSeconds: 1, stallThresholdSeconds: 2, autoIntervention: false });
    const sse = openSse(api.socket, api.ownerToken);
    try {
      const started = await api.call('POST', `/api/orchestrators/${m.id}/monitoring/start`);
      expect(started.body).toMatchObject({ orchestratorId: m.id, monitoring: true, running: true });
      const asking = await agent('asking', 'echo "About to migrate."; printf "Continue? (yes/no) "; read ans; sleep 600');
      const silent = await agent('silent', 'echo "Step 1/3: fetching"; sleep 600');

      const prompt = await waitFor(async () => {
        const r = await api.call('GET', '/api/insights?open=true');
        return r.body.items.find((i: any) => i.sessionId === asking.id && i.type === 'waiting_input');
      }, 'waiting_input insight', 15_000, 100);
      expect(prompt).toMatchObject({ severity: 'warning', sessionName: 'asking', resolved: false, orchestratorId: m.id });
      expect(prompt.lines.join('\n')).toContain('Continue? (yes/no)');
      expect(prompt.suggestedActions.map((a: any) => a.id)).toContain('approve');
      expect(prompt.confidence).toBeGreaterThan(0.5);
      await waitFor(() => sse.events.find((e) => e.event === 'insight.created' && e.data.data.insight.id === prompt.id), 'insight.created on /api/events', 5000);

      const stalled = await waitFor(async () => {
        const r = await api.call('GET', `/api/orchestrators/${m.id}/stalled-sessions`);
        return r.body.items.find((i: any) => i.sessionId === silent.id);
      }, 'stalled session listed', 15_000, 100);
      expect(stalled).toMatchObject({ name: 'silent', insightId: expect.any(String) });
      expect(stalled.quietSeconds).toBeGreaterThanOrEqual(2);
      const status = (await api.call('GET', `/api/orchestrators/${m.id}/monitoring/status`)).body;
      expect(status.sessions.find((x: any) => x.sessionId === asking.id)).toMatchObject({ state: 'waiting_input', reason: 'confirm' });
      expect(status.counts.stalled).toBeGreaterThanOrEqual(1);
      expect(['control-mode', 'exec']).toContain(status.method);

      const first = await api.call('POST', `/api/insights/${prompt.id}/resolve`);
      expect(first.body).toMatchObject({ id: prompt.id, resolved: true, resolvedBy: api.ownerId });
      const again = await api.call('POST', `/api/insights/${prompt.id}/resolve`);
      expect(again.status).toBe(200);
      expect(again.body.resolvedAt).toBe(first.body.resolvedAt);
      await waitFor(() => sse.events.find((e) => e.event === 'insight.resolved' && e.data.data.insight.id === prompt.id), 'insight.resolved on /api/events', 5000);
      // Dismissed by hand, the same prompt does not page again.
      const scanned = status.lastScanAt;
      await waitFor(async () => Date.parse((await api.call('GET', `/api/orchestrators/${m.id}/monitoring/status`)).body.lastScanAt) - Date.parse(scanned) >= 3000, 'a few more scans', 15_000, 200);
      const reopened = (await api.call('GET', `/api/insights?open=true&sessionId=${asking.id}`)).body.items;
      expect(reopened).toEqual([]);
      expect((await api.call('GET', `/api/orchestrators/${m.id}/insights?open=false`)).body.items.map((i: any) => i.id)).toContain(prompt.id);

      const stopped = await api.call('POST', `/api/orchestrators/${m.id}/monitoring/stop`);
      expect(stopped.body).toMatchObject({ monitoring: false });
      expect((await api.call('GET', `/api/orchestrators/${m.id}`)).body.monitoring).toBe(false);
    } finally {
      sse.close();
    }
  });

  it('injects exactly what it is given, refuses control characters, audits and rate limits', async () => {
    const m = await master();
    const target = await agent('typist', 'stty -echo; echo TYPIST-READY; cat -A');
    const inject = (body: Record<string, unknown>) => api.call('POST', `/api/orchestrators/${m.id}/inject`, { sessionId: target.id, ...body });
    // Type only once the script reads: before that the text would go to the shell.
    await waitFor(async () => (await api.call('GET', `/api/sessions/${target.id}/scrollback?lines=20`)).body.text.includes('TYPIST-READY\n'), 'typist ready');
    const texts = ['a;', 'find . -exec echo {} \\;', '$(touch /tmp/rdv-pwned)', '-t', '; kill-server', '#{pane_id} ~ {', 'é ❯ 中'];
    for (const text of texts) {
      const r = await inject({ text, reason: 'exactness test' });
      expect(r.status, text).toBe(200);
      expect(r.body).toMatchObject({ sessionId: target.id, orchestratorId: m.id, sent: true, enter: true, textChars: text.length });
    }
    const keys = await inject({ keys: ['Esc', 'Ctrl-C', 'Up', 'y', 'Enter'] });
    expect(keys.body.keys).toEqual(['Escape', 'C-c', 'Up', 'y', 'Enter']);
    const screen = await waitFor(async () => {
      const sb = await api.call('GET', `/api/sessions/${target.id}/scrollback?lines=100`);
      return sb.body.text.includes('M-CM-) M-bM-^]M-/ M-dM-8M--$') ? sb.body.text : null;
    }, 'literal text arrived', 25_000);
    for (const line of ['a;$', 'find . -exec echo {} \\;$', '$(touch /tmp/rdv-pwned)$', '-t$', '; kill-server$', '#{pane_id} ~ {$']) {
      expect(screen.split('\n'), line).toContain(line);
    }

    for (const [body, why] of [
      [{ text: 'echo hi\nrm -rf ~' }, 'newline'],
      [{ text: 'x\r' }, 'carriage return'],
      [{ text: '\u001b[31mred' }, 'escape'],
      [{ text: 'a\tb' }, 'tab'],
      [{ text: '\u0003' }, 'ctrl-c as text'],
      [{ text: '\u009b31m' }, 'C1 control'],
      [{ keys: ['Enter; kill-server'] }, 'bad key'],
      [{ keys: ['C-c', '-t'] }, 'flag as key'],
      [{}, 'nothing to send'],
      [{ text: '' }, 'empty text'],
    ] as Array<[Record<string, unknown>, string]>) {
      const r = await inject(body);
      expect(r.status, why).toBe(400);
      expect(r.body.error.code, why).toBe('invalid_input');
    }
    expect((await api.call('POST', `/api/orchestrators/${m.id}/inject`, { sessionId: randomUUID(), text: 'x' })).status).toBe(404);

    const audit = (await api.call('GET', '/api/audit?limit=200')).body.items.filter((a: any) => a.action === 'session.inject' && a.target === target.id);
    expect(audit.filter((a: any) => a.outcome === 'ok')).toHaveLength(texts.length + 1);
    expect(audit.find((a: any) => a.outcome === 'ok').detail).toMatchObject({ orchestratorId: m.id, auto: false });
    expect(audit.some((a: any) => a.outcome === 'ok' && a.detail.reason === 'exactness test')).toBe(true);
    expect(audit.filter((a: any) => a.outcome === 'denied').length).toBeGreaterThanOrEqual(6);
    expect(JSON.stringify(audit)).not.toContain('rdv-pwned');

    const flood = await agent('flooded', 'cat > /dev/null');
    const codes: number[] = [];
    for (let i = 0; i < 14; i++) {
      codes.push((await api.call('POST', `/api/orchestrators/${m.id}/inject`, { sessionId: flood.id, text: `line ${i}` })).status);
    }
    expect(codes.slice(0, 5).every((c) => c === 200)).toBe(true);
    expect(codes).toContain(429);
  }, 60_000);
});
