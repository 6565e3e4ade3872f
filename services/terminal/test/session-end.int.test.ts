// A session whose shell exits while a client is attached is announced on the api's event
// stream as soon as the terminal service sees it, not at the api's periodic reconcile.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { socketRequest } from '@rdv/core/lifecycle';
import { waitFor } from '@rdv/core/testing';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { bearer, connect, markCommand, startService, useRig, type Rig } from './helpers.js';
import { expectNothingLeft } from './leaks.js';

// The built api, as `rdv up` runs it (a service never imports another).
const API_ENTRY = fileURLToPath(new URL('../../api/dist/main.js', import.meta.url));

async function startApi(rig: Rig, env: Record<string, string>): Promise<void> {
  const proc = spawn(process.execPath, [API_ENTRY], { env: { ...rig.env, RDV_SHELL: '/bin/sh', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  onTestFinished(async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  });
  await waitFor(async () => {
    if (proc.exitCode !== null) throw new Error(`the api exited ${proc.exitCode}: ${stderr}`);
    return (await socketRequest(rig.config.paths.apiSocket, '/health', { timeoutMs: 1000 }).catch(() => null))?.status === 200;
  }, 'the api to answer /health', 20_000, 50);
}

/** The event types and data of /api/events as they arrive. */
function watchEvents(socketPath: string, token: string) {
  const events: Array<{ type: string; data: { data: Record<string, any> } }> = [];
  const req = request({ socketPath, path: '/api/events', headers: bearer(token) });
  req.on('response', (res) => {
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let end;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const type = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (type && data) events.push({ type, data: JSON.parse(data) });
      }
    });
  });
  req.on('error', () => {
    // The api closing the stream at shutdown is expected.
  });
  req.end();
  onTestFinished(() => void req.destroy());
  return events;
}

describe('a session that ends inside tmux', () => {
  afterEach(expectNothingLeft);

  it('is closed and announced on /api/events as soon as the terminal service sees its shell exit', async () => {
    const rig = await useRig();
    // Only the terminal service's word can close the session within this test.
    await startApi(rig, { RDV_SESSIONS_RECONCILE_INTERVAL_MS: '3600000' });
    const svc = await startService(rig);
    const created = await socketRequest<{ id: string }>(rig.config.paths.apiSocket, '/api/sessions', {
      method: 'POST',
      body: { name: 'short-lived', kind: 'shell' },
      headers: bearer(rig.cliToken),
    });
    expect(created.status).toBe(201);
    const sessionId = created.body.id;
    const events = watchEvents(rig.config.paths.apiSocket, rig.cliToken);
    const client = await connect(svc.socketPath, sessionId, { headers: bearer(rig.cliToken) });
    client.type(markCommand('ready'));
    await client.waitForText('MARKready');
    client.type('exit 3\r');
    const exit = await client.waitForFrame('exit');
    expect(exit).toEqual({ type: 'exit', code: 3 });
    const closed = await waitFor(
      () => events.find((e) => e.type === 'session.closed' && e.data.data.session.id === sessionId),
      'the session.closed event',
      5000,
    );
    expect(closed.data.data.session).toMatchObject({ status: 'closed', exitCode: 3 });
    const listed = await socketRequest<{ status: string }>(rig.config.paths.apiSocket, `/api/sessions/${sessionId}`, { headers: bearer(rig.cliToken) });
    expect(listed.body.status).toBe('closed');
  });
});
