import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { schema } from '../db/index.js';
import type { RdvEvent } from '../schemas/index.js';
import { createEventBus } from '../events/index.js';
import { testLogger, useSessions, waitFor } from '../testing/index.js';
import { createOrchestratorService } from './index.js';

/** Scripted "agents": each prints something and then behaves in one way. */
const SCRIPTS = {
  silent: 'echo "Building project..."; echo "Step 3/7: compiling sources"; sleep 600',
  confirm: 'echo "Found an existing config.json."; printf "Overwrite config.json? [y/N] "; read ans; echo "answer=$ans"; sleep 600',
  question: 'echo "I found two options for the cache."; echo "Which database should I use for the cache layer?"; read ans; sleep 600',
  busy: 'echo "crunching numbers quietly"; timeout 30 sh -c "while :; do :; done"; sleep 600',
  exit: 'echo "All tasks finished. Bye."; exit 0',
  crash: `echo "Loading plan..."; echo "Traceback (most recent call last):"; echo '  File "agent.py", line 3, in <module>'; echo "KeyError: 'first'"; exit 1`,
  compacting: 'echo "✻ Compacting conversation… (esc to interrupt)"; sleep 600',
  responsive: 'echo "thinking..."; read line; echo "resuming after: $line"; sleep 600',
  deaf: 'echo "thinking very hard"; sleep 600',
} as const;

function setup() {
  const { db, tmux, events, folders, sessions, log, home, userId } = useSessions();
  const owner = { id: userId };
  const orchestrators = createOrchestratorService({ db, tmux, events, folders, sessions, log, defaults: { intervalSeconds: 30, stallThresholdSeconds: 300 } });
  const seen: RdvEvent[] = [];
  events.subscribe(owner.id, (e) => seen.push(e));
  const agent = async (name: keyof typeof SCRIPTS, folderId?: string) => {
    const file = join(home, `${name}.sh`);
    writeFileSync(file, `${SCRIPTS[name]}\n`);
    return sessions.create(owner.id, { name, kind: 'agent', command: `sh ${file}`, folderId });
  };
  return { db, tmux, folders, sessions, orchestrators, userId: owner.id, agent, seen, dispose: () => orchestrators.dispose() };
}

describe('monitoring scripted agents in real tmux', () => {
  it('classifies each agent in time, with no false stall', async () => {
    const t = setup();
    const { orchestrator: master } = t.orchestrators.create(t.userId, { kind: 'master', intervalSeconds: 1, stallThresholdSeconds: 3 });
    const s = {
      silent: await t.agent('silent'),
      confirm: await t.agent('confirm'),
      question: await t.agent('question'),
      busy: await t.agent('busy'),
      exit: await t.agent('exit'),
      crash: await t.agent('crash'),
      compacting: await t.agent('compacting'),
    };
    await t.orchestrators.startMonitoring(t.userId, master.id);
    const stateOf = (id: string) => t.orchestrators.monitoringStatus(t.userId, master.id).sessions.find((x) => x.sessionId === id);
    const until = (id: string, state: string, reason?: string) =>
      waitFor(() => {
        const x = stateOf(id);
        return x?.state === state && (!reason || x.reason === reason) ? x : null;
      }, `${id} ${state}`, 15_000, 100);
    const stalls = new Set<string>();
    const watchStalls = setInterval(() => {
      for (const x of t.orchestrators.monitoringStatus(t.userId, master.id).sessions) if (x.state === 'stalled') stalls.add(x.name);
    }, 200);
    try {
      await until(s.confirm.id, 'waiting_input', 'confirm');
      await until(s.question.id, 'waiting_input', 'question');
      await until(s.exit.id, 'idle', 'shell');
      await until(s.crash.id, 'errored', 'crash');
      await until(s.silent.id, 'stalled', 'silent');
      // Past the threshold the busy one is still busy and the compacting one still working.
      await waitFor(() => (stateOf(s.busy.id)?.quietSeconds ?? 0) >= 5, 'busy agent quiet for a while', 15_000, 100);
      expect(stateOf(s.busy.id)).toMatchObject({ state: 'working', reason: 'cpu' });
      expect(stateOf(s.compacting.id)).toMatchObject({ state: 'working', reason: 'compacting' });
    } finally {
      clearInterval(watchStalls);
      await t.sessions.close(t.userId, s.busy.id);
    }
    expect([...stalls]).toEqual(['silent']);

    const open = t.orchestrators.listInsights(t.userId, { open: true, limit: 100 });
    const byName = Object.fromEntries(open.map((i) => [i.sessionName, i]));
    expect(byName.silent).toMatchObject({ type: 'stalled', severity: 'warning' });
    expect(byName.confirm).toMatchObject({ type: 'waiting_input', severity: 'warning' });
    expect(byName.confirm!.message).toContain('Overwrite config.json? [y/N]');
    expect(byName.confirm!.lines.join('\n')).toContain('Overwrite config.json?');
    expect(byName.question).toMatchObject({ type: 'waiting_input' });
    expect(byName.exit).toMatchObject({ type: 'exited', severity: 'info' });
    expect(byName.crash).toMatchObject({ type: 'error', severity: 'error' });
    expect(byName.crash!.message).toContain("KeyError: 'first'");
    expect(byName.compacting).toBeUndefined();
    expect(byName.busy).toBeUndefined();
    expect(new Set(open.map((i) => `${i.sessionId}:${i.type}`)).size).toBe(open.length);
    expect(t.seen.some((e) => e.type === 'insight.created')).toBe(true);

    // Answering the prompt moves the agent on: its insight resolves by itself.
    await t.orchestrators.inject({ userId: t.userId, tokenId: null, authMethod: 'cli' }, master.id, { sessionId: s.confirm.id, text: 'y', reason: 'test' });
    await waitFor(() => t.orchestrators.listInsights(t.userId, { open: false, sessionId: s.confirm.id, limit: 10 }).find((i) => i.type === 'waiting_input' && i.resolvedBy === 'auto'), 'auto-resolved prompt', 10_000, 100);
    expect(t.seen.some((e) => e.type === 'insight.resolved')).toBe(true);

    // Closing a session resolves what was open about it; stopping monitoring resolves the rest.
    await t.sessions.close(t.userId, s.exit.id);
    await waitFor(() => !t.orchestrators.listInsights(t.userId, { open: true, sessionId: s.exit.id, limit: 10 }).length, 'insight of closed session resolved', 10_000, 100);
    const stopped = t.orchestrators.stopMonitoring(t.userId, master.id);
    expect(stopped).toMatchObject({ monitoring: false, running: false });
    expect(t.orchestrators.listInsights(t.userId, { open: true, limit: 100 })).toEqual([]);
    await t.dispose();
  });

  it('auto-intervention nudges, then sends Esc, then raises severity, and never loops', async () => {
    const t = setup();
    const folder = t.folders.create(t.userId, { name: 'auto' });
    const { orchestrator } = t.orchestrators.create(t.userId, {
      kind: 'folder',
      folderId: folder.id,
      intervalSeconds: 1,
      stallThresholdSeconds: 2,
      autoIntervention: true,
      nudgeText: 'keep going',
    });
    const responsive = await t.agent('responsive', folder.id);
    const deaf = await t.agent('deaf', folder.id);
    await t.orchestrators.startMonitoring(t.userId, orchestrator.id);
    const injections = (sessionId: string) =>
      t.db
        .select()
        .from(schema.auditLog)
        .where(and(eq(schema.auditLog.action, 'session.inject'), eq(schema.auditLog.target, sessionId)))
        .all();

    // The responsive agent answers the nudge; the deaf one goes nudge → Esc → severity error.
    await waitFor(async () => (await t.sessions.scrollback(t.userId, responsive.id, 50)).text.includes('resuming after: keep going'), 'nudge arrived', 15_000, 100);
    const raised = await waitFor(
      () => t.orchestrators.insights(t.userId, orchestrator.id, { open: true, sessionId: deaf.id, limit: 10 }).find((i) => i.type === 'stalled' && i.severity === 'error'),
      'escalated stall insight',
      20_000,
      100,
    );
    expect(raised.message).toContain('did not respond');
    expect(injections(deaf.id).map((r) => r.detail?.step)).toEqual(['nudge', 'escape']);
    expect(injections(deaf.id).every((r) => r.authMethod === 'orchestrator' && r.outcome === 'ok')).toBe(true);
    // A few more thresholds pass: nothing more is sent.
    const quietNow = (id: string) => t.orchestrators.monitoringStatus(t.userId, orchestrator.id).sessions.find((x) => x.sessionId === id)?.quietSeconds ?? 0;
    const from = quietNow(deaf.id);
    await waitFor(() => quietNow(deaf.id) >= from + 5, 'three more thresholds', 15_000, 200);
    expect(injections(deaf.id)).toHaveLength(2);
    await t.dispose();
  });

  it('resumes monitoring that was on before a restart', async () => {
    const t = setup();
    const { orchestrator } = t.orchestrators.create(t.userId, { kind: 'master' });
    await t.orchestrators.startMonitoring(t.userId, orchestrator.id);
    await t.dispose();
    const again = createOrchestratorService({
      db: t.db,
      tmux: t.tmux,
      events: createEventBus(t.db),
      folders: t.folders,
      sessions: t.sessions,
      log: testLogger(),
      defaults: { intervalSeconds: 30, stallThresholdSeconds: 300 },
    });
    try {
      expect(again.monitor.running).toBe(false);
      again.start();
      expect(again.monitor.running).toBe(true);
      expect(again.monitoringStatus(t.userId, orchestrator.id)).toMatchObject({ monitoring: true, running: true });
    } finally {
      await again.dispose();
    }
    expect(again.monitor.running).toBe(false);
  });
});
