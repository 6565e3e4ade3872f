import { DisposableStore, toDisposable, type Disposable } from '@rdv/core/lifecycle';
import { createFlowGate, type PtyExit, type PtyProcess } from '@rdv/core/pty';
import { isTerminalReply } from '@rdv/core/schemas';
import type { ClientHandler } from './client.js';
import { createOutputEncoder, type OutputEncoder } from './frames.js';
import type { Member, SessionHub, SessionHubDeps } from './hub-types.js';

export type { HubLimits, HubStats, SessionHub, SessionHubDeps } from './hub-types.js';

const RESPAWN_WINDOW_MS = 10_000;
const MAX_RESPAWNS = 5;
/** How long a replaced shared tmux client lives on, so keystrokes already in its tty reach tmux. */
const RETIRE_MS = 500;

/**
 * Every client of one tmux session. Clients that keep up share one tmux client (one pty,
 * its output fanned out to all of them), so tmux draws once however many watch. A client
 * whose backlog passes `stallBytes` leaves the shared stream; once it has drained it gets
 * a tmux client of its own (tmux repaints it) whose pty is paused and resumed on the
 * websocket's watermarks. A join starts a fresh shared tmux client so the newcomer gets
 * a full redraw. The shared pty takes the size of the member that most recently joined,
 * typed or resized (tmux's `window-size latest`, applied within the group).
 */
export function createSessionHub(deps: SessionHubDeps): SessionHub {
  const { log, limits } = deps;
  const members = new Map<number, Member>();
  /** Every tmux client this hub started (shared, retiring, members' own), and the shared one's listeners. */
  const store = new DisposableStore();
  let shared: PtyProcess | null = null;
  let sharedListeners: Disposable | null = null;
  /** The member the shared tmux client was started for: the one terminal whose query replies count. */
  let responderId: number | null = null;
  let sharedSize = '';
  let rehubQueued = false;
  let pending: Array<string | Buffer> = [];
  let pendingBytes = 0;
  let respawns: number[] = [];
  let ended = false;
  let disposed = false;

  const sharedMembers = () => [...members.values()].filter((m) => m.mode === 'shared');
  const latest = (list: Member[]) => list.reduce<Member | null>((a, m) => (!a || m.client.lastActiveAt > a.client.lastActiveAt ? m : a), null);

  const finish = () => {
    disposed = true;
    shared = null;
    members.clear();
    pending = [];
    store.dispose().catch((err: unknown) => log.warn({ err }, 'could not release a tmux client'));
    deps.onEmpty(hub);
  };

  const end = (code: number) => {
    if (ended || disposed) return;
    ended = true;
    log.info({ code, clients: members.size }, 'tmux session ended; closing its clients');
    for (const m of members.values()) {
      m.client.sendFrame({ type: 'exit', code });
      m.client.close(1000, 'session ended');
    }
    finish();
    deps.onEnded?.(code);
  };

  const fail = (message: string) => {
    if (ended || disposed) return;
    ended = true;
    log.error({ clients: members.size }, message);
    for (const m of members.values()) {
      m.client.sendFrame({ type: 'error', message });
      m.client.close(4503, 'tmux unavailable');
    }
    finish();
  };

  const flushPending = (pty: PtyProcess) => {
    for (const data of pending) pty.write(data);
    pending = [];
    pendingBytes = 0;
  };

  /** A tmux client exited on its own: the session ended, or someone detached that client. */
  const onExit = (exit: PtyExit, member: Member | null) => {
    void deps
      .sessionAlive()
      .catch(() => false)
      .then((alive) => {
        if (ended || disposed) return;
        // The shell's own status when it ended on its own; else the tmux client's (0).
        if (!alive) return end(deps.exitStatus() ?? exit.exitCode);
        const at = Date.now();
        respawns = respawns.filter((t) => at - t < RESPAWN_WINDOW_MS).concat(at);
        if (respawns.length > MAX_RESPAWNS) return fail('the tmux client keeps exiting; try again later');
        log.warn({ exitCode: exit.exitCode }, 'a tmux client exited while its session lives; attaching again');
        if (!member) queueRehub();
        else if (members.get(member.client.id) === member && member.mode === 'own') goOwn(member);
      });
  };

  const spawn = (cols: number, rows: number): PtyProcess | null => {
    try {
      return store.add(deps.attach(cols, rows));
    } catch (err) {
      log.error({ err }, 'could not start a tmux client');
      fail('could not attach to the tmux session');
      return null;
    }
  };

  const unlinkShared = () => {
    if (sharedListeners) void store.delete(sharedListeners);
    sharedListeners = null;
  };

  /** Stops forwarding the shared tmux client and detaches it a moment later (see RETIRE_MS). */
  const dropShared = () => {
    if (!shared) return;
    const old = shared;
    shared = null;
    unlinkShared();
    setTimeout(() => {
      if (!disposed) void store.delete(old);
    }, RETIRE_MS).unref();
  };

  const rehub = () => {
    rehubQueued = false;
    if (ended || disposed) return;
    dropShared();
    const group = sharedMembers();
    const lead = latest(group);
    if (!lead) return;
    const pty = spawn(lead.client.cols, lead.client.rows);
    if (!pty) return;
    shared = pty;
    responderId = lead.client.id;
    sharedSize = `${lead.client.cols}x${lead.client.rows}`;
    let encoder: OutputEncoder | null = null;
    const offData = pty.onData((chunk) => {
      let json: string | undefined;
      const jsonOf = () => (json ??= (encoder ??= createOutputEncoder()).encode(chunk));
      let stalled = false;
      for (const m of members.values()) {
        if (m.mode !== 'shared') continue;
        m.client.sendOutput(chunk, jsonOf);
        if (m.client.backlogBytes > limits.stallBytes) {
          m.mode = 'stalled';
          stalled = true;
          log.info({ clientId: m.client.id, backlogBytes: m.client.backlogBytes }, 'client fell behind; moved off the shared stream');
        }
      }
      if (stalled && sharedMembers().length === 0) dropShared();
    });
    const offExit = pty.onExit((exit) => {
      if (shared === pty) {
        shared = null;
        unlinkShared();
      }
      void store.delete(pty);
      onExit(exit, null);
    });
    sharedListeners = store.add(toDisposable(() => { offData(); offExit(); }));
    flushPending(pty);
  };

  /** The latest active member's size wins; a keystroke at the same size costs no ioctl. */
  const resizeShared = (cols: number, rows: number) => {
    const size = `${cols}x${rows}`;
    if (!shared || size === sharedSize) return;
    sharedSize = size;
    shared.resize(cols, rows);
  };

  const queueRehub = () => {
    if (rehubQueued) return;
    rehubQueued = true;
    // Joins in the same turn share one new tmux client.
    setImmediate(rehub);
  };

  const goOwn = (m: Member) => {
    if (m.pty) void store.delete(m.pty);
    const pty = spawn(m.client.cols, m.client.rows);
    if (!pty) return;
    m.mode = 'own';
    m.pty = pty;
    const gate = createFlowGate(limits.watermarks, () => pty.pause(), () => pty.resume());
    m.gate = gate;
    let encoder: OutputEncoder | null = null;
    pty.onData((chunk) => {
      m.client.sendOutput(chunk, () => (encoder ??= createOutputEncoder()).encode(chunk));
      gate.update(m.client.backlogBytes);
    });
    pty.onExit((exit) => {
      if (m.pty === pty) m.pty = null;
      void store.delete(pty);
      onExit(exit, m);
    });
    if (!shared) flushPending(pty);
  };

  const handler: ClientHandler = {
    input(client, data) {
      const m = members.get(client.id);
      if (!m) return;
      let target = m.mode === 'own' ? m.pty : shared;
      if (m.mode === 'shared' && shared) {
        // Only the terminal tmux asked answers; the others' replies would be typed into the session.
        if (client.id !== responderId && isTerminalReply(data)) return;
        resizeShared(client.cols, client.rows);
      }
      target ??= [...members.values()].find((o) => o.pty && !o.pty.closed)?.pty ?? null;
      const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      if (target) {
        if (target.queuedInputBytes + size > limits.pendingInputBytes) {
          client.sendFrame({ type: 'error', message: 'input dropped: the session is not reading its input' });
          return;
        }
        return target.write(data);
      }
      if (pendingBytes + size > limits.pendingInputBytes) {
        client.sendFrame({ type: 'error', message: 'input dropped: the terminal is not attached yet' });
        return;
      }
      pending.push(data);
      pendingBytes += size;
    },
    resize(client, cols, rows) {
      const m = members.get(client.id);
      if (m?.mode === 'shared') resizeShared(cols, rows);
      else if (m?.mode === 'own') m.pty?.resize(cols, rows);
    },
    drained(client, backlogBytes) {
      const m = members.get(client.id);
      if (!m) return;
      if (m.mode === 'stalled' && backlogBytes <= limits.watermarks.lowBytes) goOwn(m);
      else if (m.mode === 'own') m.gate?.update(backlogBytes);
    },
    closed(client) {
      const m = members.get(client.id);
      if (!m) return;
      members.delete(client.id);
      if (m.pty) void store.delete(m.pty);
      if (members.size === 0) return finish();
      const lead = latest(sharedMembers());
      if (!lead) dropShared();
      else resizeShared(lead.client.cols, lead.client.rows);
    },
  };

  const hub: SessionHub = {
    sessionId: deps.sessionId,
    get ended() {
      return ended || disposed;
    },
    join(client) {
      if (ended || disposed) {
        client.sendFrame({ type: 'exit', code: 0 });
        client.close(1000, 'session ended');
        return;
      }
      members.set(client.id, { client, mode: 'shared', pty: null, gate: null });
      client.setHandler(handler);
      queueRehub();
    },
    stats() {
      const list = [...members.values()];
      const backlogs = list.map((m) => m.client.backlogBytes);
      return {
        sessionId: deps.sessionId,
        clients: list.length,
        shared: list.filter((m) => m.mode === 'shared').length,
        stalled: list.filter((m) => m.mode === 'stalled').length,
        own: list.filter((m) => m.mode === 'own').length,
        pausedPtys: list.filter((m) => m.pty?.paused).length,
        backlogBytes: backlogs.reduce((a, b) => a + b, 0),
        maxBacklogBytes: Math.max(0, ...backlogs),
      };
    },
    dispose(code, reason) {
      if (disposed) return;
      for (const m of members.values()) m.client.close(code, reason);
      finish();
    },
  };
  return hub;
}
