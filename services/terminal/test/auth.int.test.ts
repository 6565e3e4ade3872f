import { request } from 'node:http';
import { createToken, listAudit, revokeToken } from '@rdv/core/auth';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, connect, markCommand, startService, useRig } from './helpers.js';
import { expectNothingLeft } from './leaks.js';

/** A raw upgrade request: what came back, and whether it became a websocket. */
function rawUpgrade(socketPath: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; upgraded: boolean }>((resolve, reject) => {
    const req = request({
      socketPath,
      path,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ status: 101, body: '', upgraded: true });
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, upgraded: false }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('terminal auth at the upgrade', () => {
  afterEach(expectNothingLeft);

  it('refuses missing and wrong credentials with a plain HTTP 401 and no websocket', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const session = await rig.newSession();
    const path = `/ws/terminal/${session.id}`;
    const cases: Array<Record<string, string>> = [
      {},
      bearer('rdv_cli_wrong'),
      { authorization: `Basic ${rig.cliToken}` },
      { 'x-rdv-service-token': 'wrong', 'x-rdv-user-id': rig.owner.id },
      { 'x-rdv-service-token': rig.serviceToken },
      { 'x-rdv-service-token': rig.serviceToken, 'x-rdv-user-id': '00000000-0000-4000-8000-000000000000' },
    ];
    for (const headers of cases) {
      const r = await rawUpgrade(svc.socketPath, path, headers);
      expect(r, JSON.stringify(Object.keys(headers))).toMatchObject({ status: 401, upgraded: false });
      expect(JSON.parse(r.body).error.code).toBe('unauthorized');
    }
    const denied = listAudit(rig.db.db, rig.owner.id).length;
    expect(denied).toBe(0); // denials carry no user; they are audited without one
    const rows = rig.db.sqlite.prepare("select count(*) as n from audit_log where action = 'auth' and outcome = 'denied'").get() as { n: number };
    expect(rows.n).toBe(cases.length);
    expect(JSON.stringify(rig.db.sqlite.prepare('select * from audit_log').all())).not.toContain(rig.serviceToken);
  });

  it('accepts the service token with a user id, a CLI token and an API key; refuses a revoked one', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const session = await rig.newSession();
    const viaService = await connect(svc.socketPath, session.id, { headers: { 'x-rdv-service-token': rig.serviceToken, 'x-rdv-user-id': rig.owner.id } });
    viaService.type(markCommand('svc'));
    await viaService.waitForText('MARKsvc');
    const key = createToken(rig.db.db, { userId: rig.owner.id, kind: 'api_key', name: 'k' });
    const viaKey = await connect(svc.socketPath, session.id, { headers: bearer(key.token) });
    await viaKey.waitForText('MARKsvc', 'the redrawn screen');
    revokeToken(rig.db.db, rig.owner.id, key.record.id);
    const r = await rawUpgrade(svc.socketPath, `/ws/terminal/${session.id}`, bearer(key.token));
    expect(r).toMatchObject({ status: 401, upgraded: false });
    expect(r.body).toContain('revoked');
    const attaches = listAudit(rig.db.db, rig.owner.id).filter((a) => a.action === 'terminal.attach');
    expect(attaches.map((a) => a.authMethod).sort()).toEqual(['api_key', 'service']);
  });

  it("answers 404 for another user's session, an unknown one and other paths", async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const other = rig.otherUser();
    const theirs = await rig.newSession('theirs', other.user.id);
    const mine = await rig.newSession('mine');
    const ownerHeaders = bearer(rig.cliToken);
    expect(await rawUpgrade(svc.socketPath, `/ws/terminal/${theirs.id}`, ownerHeaders)).toMatchObject({ status: 404, upgraded: false });
    expect(await rawUpgrade(svc.socketPath, `/ws/terminal/${mine.id}`, bearer(other.token))).toMatchObject({ status: 404, upgraded: false });
    expect(await rawUpgrade(svc.socketPath, '/ws/terminal/00000000-0000-4000-8000-000000000000', ownerHeaders)).toMatchObject({ status: 404 });
    expect(await rawUpgrade(svc.socketPath, '/ws/terminal/not-an-id', ownerHeaders)).toMatchObject({ status: 404 });
    expect(await rawUpgrade(svc.socketPath, '/ws/other', ownerHeaders)).toMatchObject({ status: 404 });
    // Their own session works for them.
    const c = await connect(svc.socketPath, theirs.id, { headers: bearer(other.token) });
    c.type(markCommand('theirs'));
    await c.waitForText('MARKtheirs');
  });

  it('refuses bad sizes (400), a suspended session (409) and an ended one (404)', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const session = await rig.newSession();
    const headers = bearer(rig.cliToken);
    expect(await rawUpgrade(svc.socketPath, `/ws/terminal/${session.id}?cols=0&rows=5`, headers)).toMatchObject({ status: 400 });
    expect(await rawUpgrade(svc.socketPath, `/ws/terminal/${session.id}?output=xml`, headers)).toMatchObject({ status: 400 });
    rig.sessions.suspend(rig.owner.id, session.id);
    expect(await rawUpgrade(svc.socketPath, `/ws/terminal/${session.id}`, headers)).toMatchObject({ status: 409 });
    await rig.sessions.resume(rig.owner.id, session.id);
    await rig.tmux.killSession(session.tmuxName);
    expect(await rawUpgrade(svc.socketPath, `/ws/terminal/${session.id}`, headers)).toMatchObject({ status: 404 });
    await rig.sessions.close(rig.owner.id, session.id);
    expect(await rawUpgrade(svc.socketPath, `/ws/terminal/${session.id}`, headers)).toMatchObject({ status: 404 });
  });

  it('backs off repeated failures with 429', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const session = await rig.newSession();
    const statuses: number[] = [];
    for (let i = 0; i < rig.config.rate_limit.auth_failures_per_minute + 2; i++) {
      statuses.push((await rawUpgrade(svc.socketPath, `/ws/terminal/${session.id}`, bearer('nope'))).status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
  });
});
