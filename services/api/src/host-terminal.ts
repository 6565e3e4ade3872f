import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { authError, type RequestAuthenticator } from '@rdv/core/auth';
import { AppError, toAppError } from '@rdv/core/errors';
import type { HostService } from '@rdv/core/hosts';
import { refuseUpgrade } from '@rdv/core/lifecycle';
import type { Logger } from '@rdv/core/log';
import { IdSchema, TerminalQuerySchema } from '@rdv/core/schemas';
import { WebSocket, WebSocketServer, type RawData } from 'ws';

/** Bytes queued towards the client before the host's stream is paused, and when it resumes. */
const HIGH_WATER_BYTES = 1 << 20;
const LOW_WATER_BYTES = 256 << 10;
const PATH = /^\/ws\/hosts\/([^/]+)\/terminal\/([^/]+)$/;

export interface HostTerminals {
  /** True when it took the upgrade (its path is /ws/hosts/:host/terminal/:session). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  closeAll(code: number, reason: string): void;
  dispose(): void;
}

/** A close code a client may receive: the host's own, or 1011 for a link that broke. */
const forwardable = (code: number) => (code === 1000 || code === 1001 || (code >= 3000 && code < 5000) ? code : 1011);

/**
 * Terminals of sessions on other hosts: `/ws/hosts/:host/terminal/:session` on api.sock,
 * authenticated like any api call (the web edge's service token, or a CLI token), bridged
 * frame by frame to the host's terminal service through the forwarded terminal.sock with
 * the host owner's token. The protocol is the terminal service's, unchanged.
 */
export function createHostTerminals(deps: { hosts: HostService; authenticator: RequestAuthenticator; log: Logger }): HostTerminals {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1 << 20 });
  const live = new Set<{ client: WebSocket; upstream: WebSocket }>();

  const bridge = (client: WebSocket, upstream: WebSocket) => {
    const pair = { client, upstream };
    live.add(pair);
    let drain: NodeJS.Timeout | null = null;
    upstream.on('message', (data: RawData, binary: boolean) => {
      if (client.readyState !== WebSocket.OPEN) return;
      client.send(data, { binary });
      if (client.bufferedAmount > HIGH_WATER_BYTES && !drain) {
        upstream.pause();
        drain = setInterval(() => {
          if (client.readyState !== WebSocket.OPEN || client.bufferedAmount < LOW_WATER_BYTES) {
            clearInterval(drain!);
            drain = null;
            if (upstream.readyState === WebSocket.OPEN) upstream.resume();
          }
        }, 20);
      }
    });
    client.on('message', (data: RawData, binary: boolean) => {
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary });
    });
    const cleanup = () => {
      live.delete(pair);
      if (drain) clearInterval(drain);
    };
    upstream.on('close', (code: number, reason: Buffer) => {
      cleanup();
      if (client.readyState === WebSocket.OPEN) client.close(forwardable(code), reason.toString().slice(0, 120) || 'the link to the host closed');
    });
    client.on('close', () => {
      cleanup();
      if (upstream.readyState === WebSocket.OPEN || upstream.readyState === WebSocket.CONNECTING) upstream.close(1000);
    });
    upstream.on('error', (err) => deps.log.debug({ err }, 'host terminal connection error'));
    client.on('error', (err) => deps.log.debug({ err }, 'host terminal client error'));
  };

  const open = (req: IncomingMessage, socket: Duplex, head: Buffer, hostId: string, sessionId: string) => {
    const auth = deps.authenticator.authenticate(req.headers, { target: `WS /ws/hosts/${hostId}/terminal/${sessionId}` });
    if (!auth.ok) return refuseUpgrade(socket, authError(auth));
    if (!IdSchema.safeParse(sessionId).success) return refuseUpgrade(socket, new AppError('not_found', 'no such session'));
    let target: ReturnType<HostService['terminal']>;
    try {
      target = deps.hosts.terminal(auth.user.id, decodeURIComponent(hostId));
    } catch (err) {
      return refuseUpgrade(socket, toAppError(err));
    }
    const size = TerminalQuerySchema.safeParse(Object.fromEntries(new URL(req.url ?? '/', 'http://rdv').searchParams));
    const { cols, rows } = size.success ? size.data : { cols: 80, rows: 24 };
    const upstream = new WebSocket(`ws+unix://${target.socket}:/ws/terminal/${sessionId}?cols=${cols}&rows=${rows}`, {
      headers: { authorization: `Bearer ${target.token}` },
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
      maxPayload: 8 << 20,
    });
    let settled = false;
    socket.once('close', () => {
      if (!settled) upstream.terminate();
    });
    upstream.once('open', () => {
      settled = true;
      if (socket.destroyed) return upstream.close(1000);
      wss.handleUpgrade(req, socket, head, (client) => bridge(client, upstream));
    });
    upstream.once('unexpected-response', (upReq, res) => {
      settled = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text = (text + c).slice(0, 4096)));
      res.on('end', () => {
        upReq.destroy();
        let message = `the host's terminal service answered ${res.statusCode}`;
        try {
          message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
        } catch {
          // Not rdv's error body: the status line says enough.
        }
        const status = res.statusCode ?? 502;
        const code = status === 404 ? 'not_found' : status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : status === 429 ? 'rate_limited' : 'unavailable';
        refuseUpgrade(socket, new AppError(code, `host ${target.host.name}: ${message}`));
      });
    });
    upstream.on('error', (err) => {
      if (settled) return;
      settled = true;
      refuseUpgrade(socket, new AppError('unavailable', `host ${target.host.name}: its terminal service did not answer (${err.message})`));
    });
  };

  return {
    handleUpgrade(req, socket, head) {
      const match = PATH.exec(new URL(req.url ?? '/', 'http://rdv').pathname);
      if (!match) return false;
      open(req, socket, head, match[1]!, match[2]!);
      return true;
    },
    closeAll(code, reason) {
      for (const { client, upstream } of live) {
        client.close(code, reason);
        upstream.close(1000);
      }
    },
    dispose() {
      for (const { client, upstream } of live) {
        client.terminate();
        upstream.terminate();
      }
      live.clear();
      wss.close();
    },
  };
}
