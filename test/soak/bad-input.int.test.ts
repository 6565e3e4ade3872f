// Malformed input at every door: JSON bodies, headers and request targets as raw bytes to the
// web edge and api.sock, and websocket frames to the terminal through the edge and on
// terminal.sock. No service crashes, every HTTP answer is a 4xx with {error:{code,message}},
// every bad frame is refused, and memory comes back within 10 %: the JS heap after a full
// collection (heap snapshots), measured after a warm-up. Resident size is only reported: the
// allocator keeps pages it has freed, so it says little about what a service holds.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { frameInput, httpInput, type Door, type FrameInput, type Kind } from './inputs.js';
import { SERVICES, rawExchange, report, rssBytes, seeded, signIn, size, useSoakStack } from './harness.js';

const TOTAL = Number(process.env.RDV_SOAK_INPUTS) || size(1000, 10_000);
const WARMUP = size(400, 1000);
const CONCURRENCY = 6;

const stack = await useSoakStack({}, { heapSnapshots: true });
const seed = Number(process.env.RDV_SOAK_SEED ?? 7);

/** Status and JSON body of the first response in raw bytes. */
function parse(raw: Buffer): { status: number; json: unknown } {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? -1);
  const body = end < 0 ? '' : text.slice(end + 4, length >= 0 ? end + 4 + length : undefined);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'latin1').toString('utf8'));
  } catch {
    json = undefined;
  }
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), json };
}
const isErrorBody = (json: unknown) => {
  const e = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return typeof e?.code === 'string' && typeof e.message === 'string';
};

/** Sends one bad frame on a fresh websocket; the refusal seen (an error frame, a close code, or silence then a pong). */
function sendFrame(url: string, headers: Record<string, string>, input: FrameInput): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers, maxPayload: 64 << 20 });
    let settled = false;
    const done = (what: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      resolve(what);
    };
    const timer = setTimeout(() => done('no answer'), 10_000);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = JSON.parse(data.toString()) as { type: string };
      if (frame.type === 'error') done('error frame');
      // The edge drops what is not a protocol frame; the ping sent after it proves the connection still works.
      else if (frame.type === 'pong') done('dropped, still answering');
    });
    ws.on('close', (code) => done(`close ${code}`));
    ws.on('error', () => done('socket error'));
    ws.on('open', () => {
      if (input.type === 'text') ws.send(input.data);
      else if (input.type === 'binary') ws.send(input.data, { binary: true });
      else if (input.type === 'oversized') ws.send(Buffer.alloc(input.bytes, 0x61), { binary: false });
      else if (input.type === 'fragmented') input.parts.forEach((p, i) => ws.send(p, { fin: i === input.parts.length - 1 }));
      else (ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(input.bytes);
      ws.send(JSON.stringify({ type: 'ping' }));
    });
  });
}

describe('bad input', () => {
  it(`refuses ${TOTAL} malformed inputs without a crash, each with a 4xx and the error shape, and memory comes back`, async () => {
    const cookie = await signIn(stack);
    const session = (await stack.api<{ id: string }>('POST', '/api/sessions', { name: 'fuzz', kind: 'shell' })).body.id;
    const auth = { cookie, token: stack.ownerToken, host: `127.0.0.1:${stack.port}` };
    const wsTargets: Array<[string, Record<string, string>]> = [
      [`ws://127.0.0.1:${stack.port}/ws/terminal/${session}`, { cookie }],
      [`ws+unix://${stack.terminalSocket}:/ws/terminal/${session}`, { authorization: `Bearer ${stack.ownerToken}` }],
    ];
    const pids = Object.fromEntries(SERVICES.map((s) => [s, stack.pid(s)]));
    const counts: Record<Kind, number> = { json: 0, header: 0, path: 0, frame: 0 };
    const statuses: Record<string, number> = {};
    const refusals: Record<string, number> = {};
    const failures: string[] = [];

    const one = async (r: ReturnType<typeof seeded>, index: number) => {
      if (r.next() < 0.12) {
        const input = frameInput(r);
        const [url, headers] = wsTargets[index % 2]!;
        const seen = await sendFrame(url, headers, input);
        counts.frame++;
        refusals[seen] = (refusals[seen] ?? 0) + 1;
        if (!/^(error frame|dropped, still answering|close (1002|1007|1009))$/.test(seen)) failures.push(`frame #${index} ${input.type}: ${seen}`);
        return;
      }
      const door: Door = r.next() < 0.5 ? 'edge' : 'api';
      const input = httpInput(r, door, auth);
      const socket = door === 'edge' ? connect(stack.port, '127.0.0.1') : connect(stack.apiSocket);
      const answer = parse(await rawExchange(socket, input.bytes, 15_000));
      counts[input.kind]++;
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      if (answer.status < 400 || answer.status > 499 || !isErrorBody(answer.json)) {
        const head = input.bytes.subarray(0, Math.min(400, input.bytes.indexOf('\r\n\r\n') + 4 || 400)).toString('latin1').replace(/Cookie: .*|Authorization: .*/g, '<credential>');
        failures.push(`${input.kind} #${index} to ${door}: ${answer.status} ${JSON.stringify(answer.json)?.slice(0, 200)} for ${JSON.stringify(head)} (${input.bytes.length} bytes)`);
      }
    };
    const run = async (n: number, seedOffset: number) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, lane) => {
          const r = seeded(seed + seedOffset + lane);
          for (let i = next++; i < n; i = next++) await one(r, i);
        }),
      );
    };

    // Warm up first: caches, compiled code and pools fill once; what the flood then leaves
    // behind is what it leaked.
    await run(WARMUP, 1000);
    const heapBefore: Record<string, number> = {};
    for (const s of SERVICES) heapBefore[s] = await stack.heapBytes(s);
    // Warm-up inputs were refused properly too (failures stay listed); only the counts restart.
    for (const k of Object.keys(counts) as Kind[]) counts[k] = 0;

    await run(TOTAL, 0);
    const sent = Object.values(counts).reduce((a, b) => a + b, 0);

    const heapAfter: Record<string, number> = {};
    for (const s of SERVICES) heapAfter[s] = await stack.heapBytes(s);
    const heapRatio = Object.fromEntries(SERVICES.map((s) => [s, heapAfter[s]! / heapBefore[s]!]));
    const fixed = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.toFixed(3)]));
    report('bad-input', {
      inputs: sent,
      warmup: WARMUP,
      ...counts,
      statuses,
      frame_refusals: refusals,
      failures: failures.length,
      heap_mb: Object.fromEntries(SERVICES.map((s) => [s, `${(heapBefore[s]! / 1e6).toFixed(1)}->${(heapAfter[s]! / 1e6).toFixed(1)}`])),
      heap_ratio: fixed(heapRatio),
      rss_mb: Object.fromEntries(SERVICES.map((s) => [s, (rssBytes(stack.pid(s)) / 1e6).toFixed(1)])),
    });
    expect(failures.slice(0, 10)).toEqual([]);
    expect(sent).toBe(TOTAL);
    for (const s of SERVICES) {
      expect(stack.pid(s), `${s} never restarted`).toBe(pids[s]);
      expect(await stack.serving(s)).toBe(true);
      expect(heapRatio[s], `${s} heap after the flood, against before it`).toBeLessThanOrEqual(1.1);
    }
  }, size(240_000, 1_800_000));
});
