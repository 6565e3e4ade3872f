// The terminal service's Prometheus families, on top of core's per-service registry
// (process, event loop, HTTP durations), and the meter every tmux client's pty goes through.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCounter, createServiceMetrics, type ServiceMetrics } from '@rdv/core/metrics';
import type { PtyProcess } from '@rdv/core/pty';
import type { Counter } from 'prom-client';

export interface TerminalMetrics {
  service: ServiceMetrics;
  /** Bytes typed into sessions (`in`) and read from them (`out`), counted once per tmux client. */
  bytes: Counter<'direction'>;
  /** Times a tmux client's output was paused because its websocket fell behind (flow control). */
  flowPauses: Counter;
}

export function createTerminalMetrics(): TerminalMetrics {
  const service = createServiceMetrics('terminal');
  return {
    service,
    bytes: createCounter(service, 'rdv_terminal_bytes_total', 'Terminal bytes by direction: in (typed into sessions), out (read from them)', ['direction']),
    flowPauses: createCounter(service, 'rdv_terminal_flow_pauses_total', 'Output pauses of a tmux client whose websocket fell behind (flow control)', []),
  };
}

/**
 * `pty` as it is, with its input, output and flow-control pauses counted: everything else is
 * the pty's own, reached through the prototype (its getters read its own state, not `this`).
 */
export function meterPty(pty: PtyProcess, metrics: TerminalMetrics): PtyProcess {
  pty.onData((chunk) => metrics.bytes.inc({ direction: 'out' }, chunk.length));
  const metered: Pick<PtyProcess, 'write' | 'pause'> = {
    write(data) {
      if (!pty.closed) metrics.bytes.inc({ direction: 'in' }, typeof data === 'string' ? Buffer.byteLength(data) : data.length);
      pty.write(data);
    },
    pause() {
      if (!pty.paused && !pty.closed) metrics.flowPauses.inc();
      pty.pause();
    },
  };
  return Object.assign(Object.create(pty) as PtyProcess, metered);
}

/** The route pattern of a terminal-service path, for the duration histogram. */
export function routeOf(pathname: string): string {
  if (pathname === '/health' || pathname === '/metrics') return pathname;
  return pathname.startsWith('/ws/terminal/') ? '/ws/terminal/:sessionId' : 'unmatched';
}

/** Times one plain HTTP request (upgrades become websockets and are counted as connections instead). */
export function timeRequest(metrics: ServiceMetrics, req: IncomingMessage, res: ServerResponse): void {
  const startedAt = performance.now();
  const route = routeOf(new URL(req.url ?? '/', 'http://terminal').pathname);
  res.once('close', () => metrics.observeRequest(req.method ?? 'GET', route, res.statusCode, (performance.now() - startedAt) / 1000));
}
