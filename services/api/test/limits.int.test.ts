import { describe, expect, it } from 'vitest';
import { waitFor } from '@rdv/core/testing';
import { join } from 'node:path';
import { openDb } from '@rdv/core/db';
import { openSse, useApi } from './helpers.js';

const api = await useApi({ RDV_RATE_LIMIT_SENSITIVE_PER_MINUTE: '3', RDV_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '2', RDV_RATE_LIMIT_EVENT_STREAMS_PER_USER: '2' });

const deniedRows = () => {
  const db = openDb({ path: join(api.home, 'sqlite.db') });
  try {
    return db.sqlite.prepare("select detail from audit_log where action = 'auth' and outcome = 'denied'").all().map((r) => JSON.parse((r as { detail: string }).detail));
  } finally {
    db.dispose();
  }
};

describe('rate limits', () => {
  it('limits sensitive operations per token with 429 and Retry-After', async () => {
    const other = (await api.call('POST', '/api/tokens', { name: 'second' })).body.token as string;
    const s = (await api.call('POST', '/api/sessions', { name: 'limited', kind: 'shell' })).body;
    const statuses: number[] = [];
    let retryAfter: unknown;
    for (let i = 0; i < 5; i++) {
      const r = await api.call('POST', `/api/sessions/${s.id}/exec`, { command: 'true' });
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers['retry-after'];
    }
    // Creating the second token above used one of the three.
    expect(statuses).toEqual([200, 200, 429, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Another token has its own budget; reads are not sensitive.
    expect((await api.as(other)('POST', `/api/sessions/${s.id}/exec`, { command: 'true' })).status).toBe(200);
    expect((await api.call('GET', `/api/sessions/${s.id}`)).status).toBe(200);
  });

  it('backs off repeated authentication failures but still lets valid tokens in', async () => {
    const bad = api.as('rdv_cli_guess');
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await bad('GET', '/api/sessions')).status);
    expect(statuses.slice(0, 2)).toEqual([401, 401]);
    expect(statuses.slice(2)).toEqual([429, 429]);
    expect((await api.call('GET', '/api/sessions')).status).toBe(200);
  });

  it('limits failures per source, and audits every failure, throttled or not', async () => {
    const before = deniedRows().length;
    const guesser = api.as('rdv_cli_another-guess');
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await guesser('GET', '/api/sessions')).status);
    expect(statuses).toEqual([401, 401, 429, 429]);
    // A different source is not punished for the first one's failures.
    const r = await api.as('rdv_cli_a-different-one')('GET', '/api/sessions');
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/invalid token/);
    expect((await api.call('GET', '/api/sessions')).status).toBe(200);
    const rows = deniedRows().slice(before);
    expect(rows).toHaveLength(5);
    expect(rows.filter((d) => d.throttled)).toHaveLength(2);
    expect(new Set(rows.map((d) => d.source)).size).toBe(2);
    expect(JSON.stringify(rows)).not.toContain('another-guess');
  });

  it('caps event streams per user with 429 and the error body', async () => {
    const a = openSse(api.socket, api.ownerToken);
    const b = openSse(api.socket, api.ownerToken);
    await waitFor(() => a.status() === 200 && b.status() === 200, 'two streams');
    const third = await api.call('GET', '/api/events');
    expect(third.status).toBe(429);
    expect(third.body.error).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/2 event streams/) });
    a.close();
    await waitFor(async () => {
      const c = openSse(api.socket, api.ownerToken);
      await waitFor(() => c.status() !== 0, 'an answer');
      c.close();
      return c.status() === 200;
    }, 'a stream again once one closed');
    b.close();
  });
});
