// A push service on 127.0.0.1 for tests: it checks each message's VAPID JWT against the key
// that signed it, decrypts the body with the subscription keys the test made, and keeps it.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register, type Scope } from './hooks.js';
import { createSubscriptionSecrets, decryptWebPush, verifyVapidAuthorization, type SubscriptionSecrets, type VapidClaims } from './web-push-crypto.js';

export interface ReceivedPush {
  subscriptionId: string;
  /** The decrypted payload. */
  payload: string;
  ttl: number;
  urgency: string | null;
  topic: string | null;
  vapid: VapidClaims;
}

export interface TestPushSubscription {
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface PushEndpoint {
  origin: string;
  /** A new subscription, as `PushSubscription.toJSON()` gives it; its private keys stay here. */
  subscribe(): TestPushSubscription;
  /** Answer this subscription's messages with `status` from now on (404/410: it is gone). */
  respondWith(subscriptionId: string, status: number): void;
  /** Messages that verified and decrypted, in arrival order. */
  messages: ReceivedPush[];
  /** Messages refused, with why (bad JWT, undecryptable body, missing headers). */
  rejected: Array<{ subscriptionId: string; reason: string }>;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** Starts the push service on 127.0.0.1 with a port of its own. */
export async function startPushEndpoint(): Promise<PushEndpoint> {
  const subs = new Map<string, { secrets: SubscriptionSecrets; status: number }>();
  const messages: ReceivedPush[] = [];
  const rejected: PushEndpoint['rejected'] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const id = /^\/push\/([\w-]+)$/.exec(req.url ?? '')?.[1] ?? '';
      const sub = subs.get(id);
      const refuse = (status: number, reason: string) => {
        rejected.push({ subscriptionId: id, reason });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(reason);
      };
      if (req.method !== 'POST' || !sub) return refuse(404, 'no such subscription');
      if (sub.status >= 300) return res.writeHead(sub.status).end('gone');
      const vapid = verifyVapidAuthorization(req.headers.authorization, endpoint.origin);
      if (typeof vapid === 'string') return refuse(401, vapid);
      if (req.headers['content-encoding'] !== 'aes128gcm') return refuse(415, `content-encoding ${req.headers['content-encoding']}`);
      const ttl = Number(req.headers.ttl);
      if (!Number.isInteger(ttl) || ttl < 0) return refuse(400, 'TTL header missing');
      let payload: string;
      try {
        payload = decryptWebPush(body, sub.secrets).toString('utf8');
      } catch (err) {
        return refuse(400, `cannot decrypt: ${(err as Error).message}`);
      }
      const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : null);
      messages.push({ subscriptionId: id, payload, ttl, urgency: header('urgency'), topic: header('topic'), vapid });
      res.writeHead(201, { location: `${endpoint.origin}/message/${randomUUID()}` }).end();
    })().catch((err: unknown) => res.writeHead(500).end(String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint: PushEndpoint = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    subscribe() {
      const id = randomUUID();
      const { secrets, keys } = createSubscriptionSecrets(randomBytes(16));
      subs.set(id, { secrets, status: 201 });
      return { id, endpoint: `${endpoint.origin}/push/${id}`, keys };
    },
    respondWith(subscriptionId, status) {
      const sub = subs.get(subscriptionId);
      if (!sub) throw new Error(`no subscription ${subscriptionId}`);
      sub.status = status;
    },
    messages,
    rejected,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return endpoint;
}

/** A push service for the test (or the file), closed afterwards. */
export async function usePushEndpoint(scope: Scope = 'test'): Promise<PushEndpoint> {
  const endpoint = await startPushEndpoint();
  register(scope, () => endpoint.close());
  return endpoint;
}
