// What a test leaves behind: after each test its websockets are closed, and then no
// service it started may hold a hub or a tmux client, and no tmux client may be attached
// to its tmux server. Test files call `afterEach(expectNothingLeft)`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { waitFor } from '@rdv/core/testing';
import type { Tmux } from '@rdv/core/tmux';
import { expect } from 'vitest';
import type WebSocket from 'ws';
import type { TerminalServer } from '../src/app.js';

const run = promisify(execFile);
const services = new Set<TerminalServer>();
const sockets = new Set<WebSocket>();
const tmuxes = new Set<Tmux>();

export const trackService = (terminal: TerminalServer) => void services.add(terminal);
export const trackClient = (ws: WebSocket) => void sockets.add(ws);
export const trackTmux = (tmux: Tmux) => void tmuxes.add(tmux);

/** Clients attached to a tmux server (none when it is not running). */
async function tmuxClients(tmux: Tmux): Promise<string[]> {
  try {
    const { stdout } = await run('tmux', tmux.argv(['list-clients', '-F', '#{client_tty} #{session_name}']), { env: { ...process.env, TMUX: '' } });
    return stdout.split('\n').filter(Boolean);
  } catch {
    // No server (the test made no session, or killed it): no clients either.
    return [];
  }
}

export async function expectNothingLeft(): Promise<void> {
  for (const ws of sockets) ws.terminate();
  sockets.clear();
  const left = async () => {
    const stats = [...services].map((s) => s.stats()).filter((s) => s.sessions > 0 || s.clients > 0 || s.tmuxClients > 0);
    const clients = (await Promise.all([...tmuxes].map(tmuxClients))).flat();
    return { stats: stats.map(({ sessions, clients: c, tmuxClients: t }) => ({ hubs: sessions, clients: c, tmuxClients: t })), clients };
  };
  try {
    await waitFor(async () => {
      const l = await left();
      return l.stats.length === 0 && l.clients.length === 0;
    }, 'every hub and tmux client to be released', 5000, 50);
  } finally {
    const l = await left();
    services.clear();
    tmuxes.clear();
    expect(l, 'hubs and tmux clients left after the test').toEqual({ stats: [], clients: [] });
  }
}
