// Open terminals live only as long as their credential: revoked (by any process) or
// expired, the websocket closes; one user may hold only so many; failed attaches are
// limited per source and every one is audited.
import { createToken, revokeToken } from '@rdv/core/auth';
import { describe, expect, it } from 'vitest';
import { bearer, connect, markCommand, startService, useRig } from './helpers.js';

describe('terminal websockets and their credentials', () => {
  it('closes a terminal (4401) within seconds of its token being revoked, and leaves the others', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const session = await rig.newSession();
    const doomed = createToken(rig.db.db, { userId: rig.owner.id, kind: 'api_key', name: 'agent' });
    const victim = await connect(svc.socketPath, session.id, { headers: bearer(doomed.token) });
    const keeper = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken) });
    const viaEdge = await connect(svc.socketPath, session.id, { headers: { 'x-rdv-service-token': rig.serviceToken, 'x-rdv-user-id': rig.owner.id } });
    victim.type(markCommand('before'));
    await victim.waitForText('MARKbefore');
    // Revoked through the database, as the api (another process) does it.
    const at = Date.now();
    revokeToken(rig.db.db, rig.owner.id, doomed.record.id);
    expect(await victim.closeCode).toBe(4401);
    expect(Date.now() - at).toBeLessThan(3000);
    keeper.type(markCommand('after'));
    await keeper.waitForText('MARKafter');
    await viaEdge.waitForText('MARKafter');
  });

  it('closes a terminal when its token expires', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const session = await rig.newSession();
    const shortLived = createToken(rig.db.db, { userId: rig.owner.id, kind: 'cli', name: 'short', expiresAt: new Date(Date.now() + 1500) });
    const client = await connect(svc.socketPath, session.id, { headers: bearer(shortLived.token) });
    expect(await client.closeCode).toBe(4401);
  });

  it('refuses a user past the per-user cap with 429 and the error body; other users are not counted', async () => {
    const rig = await useRig();
    rig.config.rate_limit.terminals_per_user = 2;
    const svc = await startService(rig);
    const session = await rig.newSession();
    await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken) });
    const second = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken) });
    const refused = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken) }).catch((err: { status: number; body: string }) => err);
    expect(refused).toMatchObject({ status: 429 });
    expect(JSON.parse((refused as { body: string }).body).error).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/2 terminals/) });
    const other = rig.otherUser();
    const theirs = await rig.newSession('theirs', other.user.id);
    await connect(svc.socketPath, theirs.id, { headers: bearer(other.token) });
    second.ws.close();
    await second.closeCode;
    await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken) });
  });
});

describe('failed attaches', () => {
  it('are limited per source and audited, throttled or not', async () => {
    const rig = await useRig();
    rig.config.rate_limit.auth_failures_per_minute = 2;
    const svc = await startService(rig);
    const session = await rig.newSession();
    const attempt = (token: string) => connect(svc.socketPath, session.id, { headers: bearer(token) }).then(() => 101, (err: { status: number }) => err.status);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await attempt('rdv_cli_guess-one'));
    expect(statuses).toEqual([401, 401, 429]);
    expect(await attempt('rdv_cli_guess-two')).toBe(401);
    expect(await attempt(rig.cliToken)).toBe(101);
    const rows = rig.db.sqlite.prepare("select detail from audit_log where action = 'auth' and outcome = 'denied'").all().map((r) => JSON.parse((r as { detail: string }).detail));
    expect(rows).toHaveLength(4);
    expect(rows.map((d) => d.throttled)).toEqual([false, false, true, false]);
    expect(JSON.stringify(rows)).not.toContain('guess');
  });
});
