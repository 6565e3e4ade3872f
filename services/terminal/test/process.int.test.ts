// The built service as a child process: startup files, SIGTERM, kill -9 and restart.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readPid, socketRequest } from '@rdv/core/lifecycle';
import { requireBuilt, spawnNode, waitFor, waitForHealthy, type TestProcess } from '@rdv/core/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, connect, markCommand, useRig, type Rig } from './helpers.js';
import { expectNothingLeft } from './leaks.js';

const ENTRY = fileURLToPath(new URL('../dist/main.js', import.meta.url));

const startChild = (rig: Rig, env: Record<string, string> = {}, args: string[] = []) => spawnNode(ENTRY, { env: { ...rig.env, ...env }, args });
const healthy = (rig: Rig, child: TestProcess) => waitForHealthy(child, { socket: rig.config.paths.terminalSocket }, 'the terminal service', 15_000);

describe('terminal service process', () => {
  afterEach(expectNothingLeft);

  beforeAll(() => requireBuilt([ENTRY]));

  it('closes websockets with 1001 on SIGTERM, leaves tmux running, and serves the session again after a restart', async () => {
    const rig = await useRig();
    const session = await rig.newSession();
    const { paths } = rig.config;
    const first = startChild(rig);
    await healthy(rig, first);
    expect(readPid(paths.pidFile('terminal'))).toBe(first.child.pid);
    expect(statSync(paths.terminalSocket).mode & 0o777).toBe(0o600);
    expect(statSync(paths.runDir).mode & 0o777).toBe(0o700);

    const c = await connect(paths.terminalSocket, session.id, { headers: bearer(rig.cliToken) });
    c.type(markCommand('before'));
    await c.waitForText('MARKbefore');

    first.child.kill('SIGTERM');
    expect(await c.closeCode).toBe(1001);
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(paths.terminalSocket)).toBe(false);
    expect(existsSync(paths.pidFile('terminal'))).toBe(false);
    expect(await rig.tmux.hasSession(session.tmuxName)).toBe(true);

    const second = startChild(rig);
    await healthy(rig, second);
    const again = await connect(paths.terminalSocket, session.id, { headers: bearer(rig.cliToken) });
    await again.waitForText('MARKbefore', 'the screen from before the restart');
    again.type(markCommand('after'));
    await again.waitForText('MARKafter');
  });

  it('survives kill -9: the session lives on, the restart cleans stale files and reattaches', async () => {
    const rig = await useRig();
    const session = await rig.newSession();
    const { paths } = rig.config;
    const first = startChild(rig);
    await healthy(rig, first);
    const c = await connect(paths.terminalSocket, session.id, { headers: bearer(rig.cliToken) });
    c.type(markCommand('one'));
    await c.waitForText('MARKone');

    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    await c.closeCode;
    expect(existsSync(paths.pidFile('terminal'))).toBe(true); // stale, left by the crash
    expect(await rig.tmux.hasSession(session.tmuxName)).toBe(true);
    // The crashed service's tmux client goes away with its pty.
    await waitFor(async () => (await rig.tmux.listSessions()).find((s) => s.name === session.tmuxName)?.attachedClients === 0, 'no tmux client left');

    const second = startChild(rig);
    await healthy(rig, second);
    expect(second.output()).toContain('cleaned up after a previous instance');
    const again = await connect(paths.terminalSocket, session.id, { headers: bearer(rig.cliToken) });
    await again.waitForText('MARKone', 'the screen from before the crash');
    again.type(markCommand('two'));
    await again.waitForText('MARKtwo');
  });

  it('takes its keep-alive from the [terminal] settings and drops a client that stops answering', async () => {
    const rig = await useRig();
    const session = await rig.newSession();
    const child = startChild(rig, { RDV_TERMINAL_KEEPALIVE_INTERVAL_SECONDS: '1', RDV_TERMINAL_KEEPALIVE_TIMEOUT_SECONDS: '2' });
    await healthy(rig, child);
    const socket = rig.config.paths.terminalSocket;
    const silent = await connect(socket, session.id, { headers: bearer(rig.cliToken), autoPong: false });
    const alive = await connect(socket, session.id, { headers: bearer(rig.cliToken) });
    expect(await silent.closeCode).toBe(1006); // cut, not closed: it was not listening
    alive.type(markCommand('still'));
    await alive.waitForText('MARKstill');
    expect(alive.ws.readyState).toBe(alive.ws.OPEN);
  });

  it('refuses to start with settings that contradict each other, naming them', async () => {
    const rig = await useRig();
    const child = startChild(rig, { RDV_TERMINAL_LOW_WATERMARK_KB: '4096' });
    expect((await child.exited).code).toBe(2);
    expect(child.output()).toMatch(/terminal\.low_watermark_kb \(from RDV_TERMINAL_LOW_WATERMARK_KB\): must be below high_watermark_kb/);
    // The same through the --set flag every service takes.
    const flagged = startChild(rig, {}, ['--set', 'terminal.low_watermark_kb=4096']);
    expect((await flagged.exited).code).toBe(2);
    expect(flagged.output()).toMatch(/terminal\.low_watermark_kb \(from --terminal\.low_watermark_kb\): must be below/);
  });

  it('refuses to start while another instance is running', async () => {
    const rig = await useRig();
    const first = startChild(rig);
    await healthy(rig, first);
    const second = startChild(rig);
    const exit = await second.exited;
    expect(exit.code).not.toBe(0);
    expect(second.output()).toContain('already running');
    const r = await socketRequest(rig.config.paths.terminalSocket, '/health');
    expect(r.status).toBe(200);
  });
});
