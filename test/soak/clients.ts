// Browser-like clients for the soak suites: terminals and an event stream through the web
// edge that reconnect by themselves, as the UI does, and remember what they saw.
import { request } from 'node:http';
import WebSocket from 'ws';
import { createSseParser } from '@rdv/client';

export interface TerminalWatcher {
  readonly sessionId: string;
  /** When output last arrived (ms). */
  lastOutputAt(): number;
  reconnects(): number;
  stop(): void;
}

/** Like the UI: retry soon, then back off (0.2 s doubling to 2 s), and start over once connected. */
const backoff = () => {
  let ms = 0;
  return { next: () => (ms = ms ? Math.min(ms * 2, 2000) : 200), reset: () => (ms = 0) };
};

/** A terminal attached through the edge; reconnects after any close until stopped. */
export function watchTerminal(origin: string, cookie: string, sessionId: string): TerminalWatcher {
  let stopped = false;
  let lastOutputAt = 0;
  let reconnects = -1;
  let ws: WebSocket | null = null;
  const delay = backoff();
  const connect = () => {
    if (stopped) return;
    reconnects++;
    ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/ws/terminal/${sessionId}`, { headers: { cookie } });
    ws.on('open', () => delay.reset());
    ws.on('message', () => (lastOutputAt = Date.now()));
    ws.on('error', () => {
      // Refused or cut while a service restarts: the close handler reconnects.
    });
    ws.on('close', () => setTimeout(connect, delay.next()));
  };
  connect();
  return {
    sessionId,
    lastOutputAt: () => lastOutputAt,
    reconnects: () => reconnects,
    stop() {
      stopped = true;
      ws?.terminate();
    },
  };
}

export interface EventWatcher {
  /** Every event id received, in order (duplicates included, to be counted). */
  ids: number[];
  reconnects(): number;
  stop(): void;
}

/** /api/events through the edge; on any end it resumes with Last-Event-ID, as EventSource does. */
export function watchEvents(origin: string, cookie: string): EventWatcher {
  const ids: number[] = [];
  let stopped = false;
  let reconnects = -1;
  let current: ReturnType<typeof request> | null = null;
  const delay = backoff();
  const connect = () => {
    if (stopped) return;
    reconnects++;
    const last = ids.at(-1);
    const req = request(`${origin}/api/events`, { headers: { cookie, ...(last !== undefined ? { 'last-event-id': String(last) } : {}) } });
    current = req;
    let retried = false;
    const retry = () => {
      if (retried) return;
      retried = true;
      setTimeout(connect, delay.next());
    };
    req.on('response', (res) => {
      if (res.statusCode === 200) delay.reset();
      if (res.statusCode !== 200) {
        res.resume();
        res.on('end', retry);
        return;
      }
      const parser = createSseParser((m) => {
        if (m.id !== undefined && /^\d+$/.test(m.id)) ids.push(Number(m.id));
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => parser.push(chunk));
      res.on('end', retry);
      res.on('close', retry);
      res.on('error', retry);
    });
    req.on('error', retry);
    req.end();
  };
  connect();
  return {
    ids,
    reconnects: () => reconnects,
    stop() {
      stopped = true;
      current?.destroy();
    },
  };
}
