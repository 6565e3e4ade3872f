import { describe, expect, it } from 'vitest';
import { useApi } from './helpers.js';

const api = await useApi({ RDV_RATE_LIMIT_SENSITIVE_PER_MINUTE: '3', RDV_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '2' });

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
});
