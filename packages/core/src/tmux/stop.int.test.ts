import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { exitWrapperArgv, prepareExitStatus, readExitStatus } from '../session/exit-status.js';
import { useTempDir, useTmux, waitFor } from '../testing/index.js';
import type { Tmux } from './index.js';
import { isDead, listOwnProcs, readEnviron, type ProcInfo } from './procs.js';
import { stopTmuxSession, sweepLostSessionProcesses } from './stop.js';

/** Markers unique to one test, so the assertions (and the cleanup) see only its processes. */
function useMarkers() {
  const apiSocket = join(useTempDir(), 'api.sock');
  onTestFinished(() => {
    // Whatever the outcome, nothing of this test may keep running.
    for (const p of marked({ RDV_API_SOCKET: apiSocket })) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
  return (id: string) => ({ RDV_SESSION_ID: id, RDV_API_SOCKET: apiSocket });
}

/** Living processes whose environment carries all of `markers`: the walk over /proc the assertions rest on. */
function marked(markers: Record<string, string>): ProcInfo[] {
  return listOwnProcs().filter((p) => {
    if (isDead(p)) return false;
    const env = readEnviron(p.pid);
    return !!env && Object.entries(markers).every(([k, v]) => env.get(k) === v);
  });
}

const BASH = ['/bin/bash', '--norc', '--noprofile', '-i'];

async function startLoopSession(tmux: Tmux, name: string, env: Record<string, string>, exitDir: string) {
  const cwd = useTempDir();
  const statusFile = prepareExitStatus(exitDir, name);
  await tmux.newSession({ name, cwd, env, command: exitWrapperArgv(statusFile, BASH) });
  // A background job, then a loop in the shell itself: what used to outlive a closed session.
  await tmux.sendLiteral(name, 'sleep 1000 &');
  await tmux.sendKeys(name, ['Enter']);
  await tmux.sendLiteral(name, 'while true; do sleep 1; done');
  await tmux.sendKeys(name, ['Enter']);
  // wrapper, bash, the background sleep and the loop's sleep
  await waitFor(() => marked(env).length >= 4, 'the session\'s processes');
  return marked(env);
}

describe('stopTmuxSession (real tmux, real processes)', () => {
  it('ends the shell, its loop and its background job gracefully, then the tmux session', async () => {
    const tmux = useTmux();
    const exitDir = useTempDir();
    const markersFor = useMarkers();
    const env = markersFor(randomUUID());
    const before = await startLoopSession(tmux, 'rdv-stop1', env, exitDir);
    expect(before.length).toBeGreaterThanOrEqual(4);

    const t0 = Date.now();
    const result = await stopTmuxSession({ tmux, name: 'rdv-stop1', markers: env, timeoutMs: 5000 });
    // The shell heeds the hangup, so nothing waits for the deadline or needs SIGKILL.
    expect(result.killed).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(marked(env)).toEqual([]);
    for (const p of before) expect(listOwnProcs().some((q) => q.pid === p.pid && q.startTime === p.startTime && !isDead(q))).toBe(false);
    expect(await tmux.hasSession('rdv-stop1')).toBe(false);
    // The wrapper was left to record the shell's end (129: SIGHUP), so this was an end, not a loss.
    expect(readExitStatus(exitDir, 'rdv-stop1')).toBe(129);
  });

  it('kills what ignores the request once the timeout passes, including a process that left the tree', async () => {
    const tmux = useTmux();
    const exitDir = useTempDir();
    const markersFor = useMarkers();
    const env = markersFor(randomUUID());
    await startLoopSession(tmux, 'rdv-stop2', env, exitDir);
    await tmux.sendKeys('rdv-stop2', ['C-c']);
    // setsid: its own kernel session, reparented to init — found only by its environment.
    await tmux.sendLiteral('rdv-stop2', "setsid sh -c 'trap \"\" TERM HUP; while :; do sleep 1; done' &");
    await tmux.sendKeys('rdv-stop2', ['Enter']);
    const [pane] = await tmux.listPanes('rdv-stop2');
    const stubborn = await waitFor(() => marked(env).find((p) => p.sid === p.pid && p.pid !== pane!.pid), 'the detached stubborn loop');

    const t0 = Date.now();
    const result = await stopTmuxSession({ tmux, name: 'rdv-stop2', markers: env, timeoutMs: 1500 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
    expect(result.killed).toContain(stubborn.pid);
    expect(marked(env)).toEqual([]);
    expect(await tmux.hasSession('rdv-stop2')).toBe(false);
  });

  it('is idempotent: a session already gone is no error', async () => {
    const tmux = useTmux();
    await tmux.newSession({ name: 'rdv-keep', cwd: useTempDir(), command: ['/bin/sh'] });
    const result = await stopTmuxSession({ tmux, name: 'rdv-gone', timeoutMs: 500 });
    expect(result).toEqual({ asked: [], killed: [], sessionKilled: false });
  });
});

describe('sweepLostSessionProcesses (real tmux kill-server)', () => {
  it('ends the processes of sessions lost with their tmux server, sparing live sessions and other instances', async () => {
    const tmux = useTmux();
    const exitDir = useTempDir();
    const markersFor = useMarkers();
    const otherMarkersFor = useMarkers();
    const [a, b] = [markersFor(randomUUID()), markersFor(randomUUID())];
    const other = otherMarkersFor(randomUUID());
    await startLoopSession(tmux, 'rdv-a', a, exitDir);
    await startLoopSession(tmux, 'rdv-b', b, exitDir);
    await startLoopSession(tmux, 'rdv-other', other, exitDir);

    const wrappers = [...(await tmux.listPanes('rdv-a')), ...(await tmux.listPanes('rdv-b'))].map((p) => p.pid);
    execFileSync('tmux', ['-L', tmux.socket, 'kill-server']);
    // The wrappers get the hangup and die; the shells' loops do not: this is what leaked.
    await waitFor(() => !marked({ RDV_API_SOCKET: a.RDV_API_SOCKET }).some((p) => wrappers.includes(p.pid)), 'the wrappers to die');
    expect(marked(a).length).toBeGreaterThan(0);
    expect(marked(b).length).toBeGreaterThan(0);

    // A new server with a live session of this instance, started after the loss.
    const c = markersFor(randomUUID());
    await startLoopSession(tmux, 'rdv-c', c, exitDir);

    const found = await sweepLostSessionProcesses({
      markers: { RDV_API_SOCKET: a.RDV_API_SOCKET },
      idVariable: 'RDV_SESSION_ID',
      liveSessionIds: async () => new Set([c.RDV_SESSION_ID]),
      timeoutMs: 2000,
    });
    expect(found.map((f) => f.sessionId).sort()).toEqual([a.RDV_SESSION_ID, b.RDV_SESSION_ID].sort());
    expect(marked(a)).toEqual([]);
    expect(marked(b)).toEqual([]);
    expect(marked(c).length).toBeGreaterThanOrEqual(4);
    // Another rdv's processes (another api socket) are not ours to end.
    expect(marked(other).length).toBeGreaterThan(0);

    await expect(sweepLostSessionProcesses({ markers: {}, idVariable: 'RDV_SESSION_ID', liveSessionIds: async () => new Set(), timeoutMs: 1 })).rejects.toThrow(
      /markers of its own/,
    );
    // And the live one still stops cleanly.
    await stopTmuxSession({ tmux, name: 'rdv-c', markers: c, timeoutMs: 2000 });
    expect(marked(c)).toEqual([]);
  });
});
