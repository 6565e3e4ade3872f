// Many links at once: one host added several times (each its own ssh link) with its sessions
// listed through all of them, merged and marked. With RDV_MEASURE=1 it prints what the
// README's limits come from (sizes from HOSTS and SESSIONS): time per list, memory per link.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { makeSshKey, useSshd, useTempDir, waitFor } from '@rdv/core/testing';
import { useApi } from './helpers.js';
import { startRemoteRdv } from './host-helpers.js';

const keys = useTempDir('file', 'rdv-keys-');
const key = makeSshKey(keys, 'primary');
const sshd = await useSshd({ authorizedKeys: [key.publicKey] });
writeFileSync(join(keys, 'kh'), `${sshd.knownHostsLine()}\n`);
const remote = await startRemoteRdv();
const api = await useApi({ RDV_HOSTS_PROBE_INTERVAL_SECONDS: '10' });

const measure = process.env.RDV_MEASURE === '1';
const report = (...what: unknown[]) => measure && report(...what);

/** Processes with their parent, name and resident memory, from /proc. */
function procs() {
  const out: { pid: number; ppid: number; comm: string; rssKb: number }[] = [];
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const stat = readFileSync(`/proc/${n}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${n}/status`, 'utf8'));
      out.push({ pid: Number(n), ppid, comm, rssKb: rss ? Number(rss[1]) : 0 });
    } catch {
      // The process ended while it was read.
    }
  }
  return out;
}
const sshChildren = () => procs().filter((p) => p.ppid === process.pid && p.comm === 'ssh');
const time = async (fn: () => Promise<unknown>, n = 10) => {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return { median: t[Math.floor(n / 2)]!.toFixed(1), max: t[n - 1]!.toFixed(1) };
};
const body = (name: string) => ({ name, destination: `${sshd.user}@127.0.0.1`, port: sshd.port, identityFile: key.privateKeyPath, knownHostsFile: join(keys, 'kh'), remoteHome: remote.home, token: remote.ownerToken });

it('keeps a link per host and lists every host\'s sessions through them, merged and marked', async () => {
  const N = Number(measure ? (process.env.SESSIONS ?? 100) : 20);
  const H = Number(measure ? (process.env.HOSTS ?? 20) : 6);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await remote.call('POST', '/api/sessions', { name: `s${i}`, kind: 'shell' });
  report(`created ${N} sessions on the host in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await api.call('POST', '/api/hosts', body('h0'));
  await waitFor(async () => (await api.call('GET', '/api/hosts/h0')).body.state === 'connected', 'h0', 30_000);
  report('direct list', await time(() => remote.call('GET', '/api/sessions')));
  report('1 host, all', await time(() => api.call('GET', '/api/sessions?host=all')));
  const rssBefore = process.memoryUsage().rss;
  const sshdBefore = procs().filter((p) => p.comm.startsWith('sshd')).reduce((a, p) => a + p.rssKb, 0);
  for (let i = 1; i < H; i++) await api.call('POST', '/api/hosts', body(`h${i}`));
  const t1 = performance.now();
  await waitFor(async () => (await api.call('GET', '/api/hosts')).body.items.every((h: any) => h.state === 'connected'), 'all', 120_000, 100);
  report(`${H} links up in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  const ssh = sshChildren();
  report(`ssh processes ${ssh.length}, RSS total ${ssh.reduce((a, p) => a + p.rssKb, 0)} kB, per link ${(ssh.reduce((a, p) => a + p.rssKb, 0) / ssh.length).toFixed(0)} kB`);
  const sshdAfter = procs().filter((p) => p.comm.startsWith('sshd')).reduce((a, p) => a + p.rssKb, 0);
  report(`sshd side RSS grew ${sshdAfter - sshdBefore} kB for ${H - 1} links`);
  report(`primary RSS grew ${((process.memoryUsage().rss - rssBefore) / 1024).toFixed(0)} kB`);
  const all = await api.call('GET', '/api/sessions?host=all');
  expect(ssh.length).toBe(H);
  expect(all.body.items.length).toBe(N * H);
  const perHost = new Map<string, number>();
  for (const s of all.body.items) perHost.set(s.host.name, (perHost.get(s.host.name) ?? 0) + 1);
  expect([...perHost.values()]).toEqual(Array.from({ length: H }, () => N));
  report(`items ${all.body.items.length}`, H, 'hosts, all', await time(() => api.call('GET', '/api/sessions?host=all'), 5));
  report('latency', (await api.call('GET', '/api/hosts')).body.items.map((h: any) => h.latencyMs).join(','));
}, 300_000);
