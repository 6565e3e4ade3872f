import { appendFileSync, mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { schema } from '../db/index.js';
import { useDb, useTempDir, useTmux, waitFor } from '../testing/index.js';
import { createOutputLocator, moveOutputToTrash, outputDir } from './files.js';
import { startOutputLog } from './writer.js';
import { createOutputIndexer } from './indexer.js';
import { readOutput } from './read.js';
import { createOutputSearch } from './search.js';

function useSearch(options: { batchBytes?: number; settleMs?: number; now?: () => number } = {}) {
  const handle = useDb();
  const home = useTempDir();
  const sessionsDir = join(home, 'sessions');
  const locate = createOutputLocator({ db: handle.db, sessionsDir, home });
  const indexer = createOutputIndexer({ db: handle, locate, settleMs: 0, ...options });
  const search = createOutputSearch({ db: handle, locate });
  onTestFinished(async () => {
    search.dispose();
    await indexer.dispose();
  });
  const addUser = () => {
    const id = randomUUID();
    handle.db.insert(schema.users).values({ id, email: `${id}@example.com` }).run();
    return id;
  };
  const addSession = (userId: string, name: string, folderId: string | null = null) => {
    const id = randomUUID();
    handle.db.insert(schema.sessions).values({ id, userId, name, folderId, tmuxName: `rdv-${id}`, kind: 'shell', cwd: home }).run();
    mkdirSync(outputDir(sessionsDir, id), { recursive: true });
    return id;
  };
  const write = (sessionId: string, text: string, file = 'output.log') => appendFileSync(join(outputDir(sessionsDir, sessionId), file), text);
  return { handle, home, sessionsDir, locate, indexer, search, addUser, addSession, write };
}

const noise = (n: number, seed = 1) => {
  let x = seed;
  const words = ['build', 'compiled', 'module', 'watching', 'files', 'test', 'passed', 'bundle', 'route', 'cache'];
  return Array.from({ length: n }, (_, i) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return `\x1b[2m[${i}]\x1b[0m ${words[x % 10]} ${words[(x >> 4) % 10]} ${(x >> 8) % 1000}ms\r\n`;
  }).join('');
};

describe('output search (real SQLite FTS5 over real log files)', () => {
  it('indexes incrementally and finds words with snippets, highlights and positions', async () => {
    const s = useSearch();
    const user = s.addUser();
    const a = s.addSession(user, 'api');
    const b = s.addSession(user, 'web');
    s.write(a, noise(300) + '\x1b[31mError: connect ECONNREFUSED 127.0.0.1:5432\x1b[0m\r\n' + noise(300, 2));
    s.write(b, noise(500, 3));
    const first = await s.indexer.catchUp();
    expect(first).toBeGreaterThan(10_000);

    const [hit, ...others] = s.search.search({ userId: user, q: 'econnrefused' });
    expect(others).toEqual([]);
    expect(hit).toMatchObject({ sessionId: a, name: 'api', status: 'active', folderId: null });
    const m = hit!.matches[0]!;
    expect(m.snippet).toBe('Error: connect ECONNREFUSED 127.0.0.1:5432');
    expect(m.highlights.map(([x, y]) => m.snippet.slice(x, y))).toEqual(['ECONNREFUSED']);
    // The position is the matching line's byte offset: reading from it shows that line.
    const page = readOutput(s.locate(a)!, { from: m.offset, limitBytes: 200 });
    expect(page.format === 'text' && page.text.split('\n')[0]).toBe('Error: connect ECONNREFUSED 127.0.0.1:5432');

    // Only what was appended is read again.
    const more = 'later: ECONNREFUSED again\r\n';
    s.write(a, more);
    expect(await s.indexer.catchUp()).toBe(more.length);
    expect(await s.indexer.catchUp()).toBe(0);
    expect(s.search.search({ userId: user, q: 'ECONNREFUSED' })[0]!.matches).toHaveLength(2);
    expect(s.search.search({ userId: user, q: 'econnref*' })[0]!.matches).toHaveLength(2);
  });

  it('checks phrases exactly and ranks the best session first', async () => {
    const s = useSearch();
    const user = s.addUser();
    const dense = s.addSession(user, 'dense');
    const apart = s.addSession(user, 'apart');
    const sparse = s.addSession(user, 'sparse');
    s.write(dense, 'psql: connection refused\r\nretry: connection refused\r\n');
    s.write(apart, 'connection established\r\n' + noise(20) + 'request refused by policy\r\n');
    s.write(sparse, noise(60) + 'curl: connection refused\r\n' + noise(60, 9));
    await s.indexer.catchUp();
    const phrase = s.search.search({ userId: user, q: '"connection refused"' });
    expect(phrase.map((h) => h.name)).toEqual(['dense', 'sparse']);
    expect(phrase[0]!.score).toBeLessThan(phrase[1]!.score);
    const words = s.search.search({ userId: user, q: 'connection refused' });
    expect(words.map((h) => h.name).sort()).toEqual(['apart', 'dense', 'sparse']);
    expect(words[0]!.name).toBe('dense');
    expect(words[0]!.score).toBeLessThanOrEqual(words[1]!.score);
    expect(() => s.search.search({ userId: user, q: '""' })).toThrow(/no words/);
  });

  it('filters by user, session, folder and time', async () => {
    const s = useSearch();
    const [me, you] = [s.addUser(), s.addUser()];
    const folder = randomUUID();
    const inFolder = s.addSession(me, 'in-folder', folder);
    const loose = s.addSession(me, 'loose');
    const theirs = s.addSession(you, 'theirs');
    for (const id of [inFolder, loose, theirs]) s.write(id, 'deploy finished: zebra-7\r\n');
    // Output written long ago (the log's mtime says when).
    s.write(loose, 'ancient zebra-7\r\n', 'output.log.1');
    const old = new Date('2020-01-01T00:00:00Z');
    utimesSync(join(s.locate(loose)!, 'output.log.1'), old, old);
    await s.indexer.catchUp();

    const names = (input: Partial<Parameters<typeof s.search.search>[0]>) =>
      s.search.search({ userId: me, q: 'zebra', ...input }).map((h) => h.name).sort();
    expect(names({})).toEqual(['in-folder', 'loose']);
    expect(names({ userId: you })).toEqual(['theirs']);
    expect(names({ sessionId: loose })).toEqual(['loose']);
    expect(names({ sessionId: theirs })).toEqual([]);
    expect(names({ folderIds: [folder] })).toEqual(['in-folder']);
    const recent = s.search.search({ userId: me, q: 'zebra', sessionId: loose, since: new Date('2021-01-01') });
    expect(recent[0]!.matches.map((m) => m.snippet)).toEqual(['deploy finished: zebra-7']);
    expect(s.search.search({ userId: me, q: 'ancient', since: new Date('2021-01-01') })).toEqual([]);
    expect(s.search.search({ userId: me, q: 'ancient' })[0]!.matches[0]!.writtenAt).toBe(old.toISOString());
  });

  it('follows rotation: rotated-away bytes leave the index, offsets stay absolute', async () => {
    const s = useSearch();
    const user = s.addUser();
    const id = s.addSession(user, 'rotating');
    const dir = s.locate(id)!;
    const first = 'first-era walrus\r\n' + noise(50);
    s.write(id, first);
    await s.indexer.catchUp();
    expect(s.search.search({ userId: user, q: 'walrus' })).toHaveLength(1);

    // Two rotations, as the writer does them: the first era ends up dropped.
    renameSync(join(dir, 'output.log'), join(dir, 'output.log.1'));
    s.write(id, 'second-era narwhal\r\n');
    renameSync(join(dir, 'output.log.1'), join(dir, 'output.log.2'));
    renameSync(join(dir, 'output.log'), join(dir, 'output.log.1'));
    s.write(id, 'third-era beluga\r\n');
    rmSync(join(dir, 'output.log.2'));
    writeFileSync(join(dir, 'output.log.base'), `${first.length}\n`);
    renameSync(join(dir, 'output.log.1'), join(dir, 'output.log.2'));
    writeFileSync(join(dir, 'output.log.1'), '');
    await s.indexer.catchUp();

    expect(s.search.search({ userId: user, q: 'walrus' })).toEqual([]);
    const rows = s.handle.sqlite.prepare("SELECT rowid FROM output_fts WHERE output_fts MATCH 'walrus'").all();
    expect(rows).toEqual([]);
    const [hit] = s.search.search({ userId: user, q: 'beluga' });
    expect(hit!.matches[0]!.offset).toBe(first.length + 'second-era narwhal\r\n'.length);
    const page = readOutput(dir, { from: hit!.matches[0]!.offset });
    expect(page.format === 'text' && page.text).toBe('third-era beluga\n');
  });

  it('keeps a trashed session findable and forgets a deleted one', async () => {
    const s = useSearch();
    const user = s.addUser();
    const id = s.addSession(user, 'kept');
    s.write(id, 'the octopus result\r\n');
    await s.indexer.catchUp();
    const trashId = randomUUID();
    const entry = join(s.home, 'trash', trashId);
    moveOutputToTrash(s.sessionsDir, id, entry);
    s.handle.db.insert(schema.trash).values({ id: trashId, userId: user, sessionId: id, trashedAt: new Date(), expiresAt: new Date(Date.now() + 1e9) }).run();
    expect(s.search.search({ userId: user, q: 'octopus' })[0]!.matches[0]!.snippet).toBe('the octopus result');

    s.handle.db.delete(schema.sessions).where(eq(schema.sessions.id, id)).run();
    expect(s.handle.sqlite.prepare('SELECT count(*) AS n FROM output_chunks').get()).toEqual({ n: 0 });
    expect(s.handle.sqlite.prepare("SELECT rowid FROM output_fts WHERE output_fts MATCH 'octopus'").all()).toEqual([]);
  });

  it('indexes in bounded batches of whole lines, and a line still being written once the log is quiet', async () => {
    let now = Date.now();
    const s = useSearch({ batchBytes: 4096, settleMs: 10_000, now: () => now });
    const user = s.addUser();
    const id = s.addSession(user, 'batches');
    s.write(id, noise(400) + 'prompt$ typing-platypus');
    const sizes: number[] = [];
    for (let n = s.indexer.indexBatch(id); n > 0; n = s.indexer.indexBatch(id)) sizes.push(n);
    expect(sizes.length).toBeGreaterThan(3);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4096);
    expect(s.search.search({ userId: user, q: 'platypus' })).toEqual([]);
    now += 60_000;
    expect(s.indexer.indexBatch(id)).toBe('prompt$ typing-platypus'.length);
    expect(s.search.search({ userId: user, q: 'platypus' })).toHaveLength(1);
    // One line longer than a batch is cut rather than stalling the index.
    s.write(id, '\r\n' + 'x'.repeat(10_000) + ' capybara\r\n');
    await s.indexer.catchUp();
    const [long] = s.search.search({ userId: user, q: 'capybara' });
    // A long line's snippet is cut around the match.
    const m = long!.matches[0]!;
    expect(m.snippet).toMatch(/^…x+ capybara$/);
    expect(m.snippet.length).toBeLessThanOrEqual(202);
    expect(m.highlights.map(([a, b]) => m.snippet.slice(a, b))).toEqual(['capybara']);
  });

  it('searches many sessions with an index well under 30% of the text', async () => {
    const s = useSearch({ batchBytes: 1 << 20 });
    const user = s.addUser();
    const words = 'the quick brown fox jumps over lazy dog while compiler emits warnings about unused imports in module graph resolution'.split(' ');
    let x = 7;
    const rnd = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const ids: string[] = [];
    let raw = 0;
    for (let n = 0; n < 60; n++) {
      const id = s.addSession(user, `s${n}`);
      ids.push(id);
      const lines: string[] = [];
      let size = 0;
      const push = (line: string) => {
        lines.push(line);
        size += line.length;
      };
      while (size < 64 * 1024) {
        const r = rnd();
        if (r < 0.3) push(`\x1b[32m[${new Date(1.7e12 + lines.length * 997).toISOString()}]\x1b[0m INFO compiled src/mod${Math.floor(rnd() * 300)}.ts in ${Math.floor(rnd() * 900)}ms\r\n`);
        else if (r < 0.4) push(`commit ${Math.floor(rnd() * 2 ** 48).toString(16)}${Math.floor(rnd() * 2 ** 48).toString(16)}\r\n`);
        else if (r < 0.5) push(`    at Object.<anonymous> (/home/u/proj/src/file${Math.floor(rnd() * 50)}.js:${Math.floor(rnd() * 400)}:${Math.floor(rnd() * 80)})\r\n`);
        else push(Array.from({ length: 6 + Math.floor(rnd() * 10) }, () => words[Math.floor(rnd() * words.length)]).join(' ') + '\r\n');
      }
      if (n % 7 === 0) lines.splice(Math.floor(lines.length / 2), 0, `panic: kraken overflow in worker ${n}\r\n`);
      const text = lines.join('');
      raw += text.length;
      s.write(id, text);
    }
    const t0 = Date.now();
    await s.indexer.catchUp();
    const indexMs = Date.now() - t0;
    const pages = (sql: string) => (s.handle.sqlite.prepare(sql).get() as { n: number }).n;
    const indexBytes = pages("SELECT sum(pgsize) AS n FROM dbstat WHERE name LIKE 'output_fts%' OR name LIKE 'output_chunks%'");
    const textBytes = ids.reduce((sum, id) => {
      const page = readOutput(s.locate(id)!, { limitBytes: 16 << 20 });
      return sum + (page.format === 'text' ? Buffer.byteLength(page.text) : 0);
    }, 0);
    const ratio = indexBytes / textBytes;
    process.stdout.write(
      `output index: ${(raw / 1e6).toFixed(2)} MB raw, ${(textBytes / 1e6).toFixed(2)} MB text, index ${(indexBytes / 1e6).toFixed(3)} MB = ${(ratio * 100).toFixed(1)}% of the text (indexed in ${indexMs} ms)\n`,
    );
    expect(textBytes).toBeGreaterThan(3e6);
    expect(ratio).toBeLessThan(0.3);

    const t1 = Date.now();
    const hits = s.search.search({ userId: user, q: 'kraken overflow', limit: 100 });
    const searchMs = Date.now() - t1;
    process.stdout.write(`output search: ${hits.length} sessions in ${searchMs} ms\n`);
    expect(hits.map((h) => h.name).sort()).toEqual(['s0', 's14', 's21', 's28', 's35', 's42', 's49', 's56', 's7'].sort());
    for (const h of hits) expect(h.matches[0]!.snippet).toMatch(/^panic: kraken overflow in worker \d+$/);
    expect(s.search.search({ userId: user, q: 'compiler', limit: 5 })).toHaveLength(5);
  });

  it('finds older sessions too when a busy one printed the word a thousand times since', async () => {
    const s = useSearch();
    const user = s.addUser();
    const quiet = s.addSession(user, 'quiet');
    s.write(quiet, 'once upon a time: marmot sighted\r\n');
    await s.indexer.catchUp();
    const busy = s.addSession(user, 'busy');
    // About 250 chunks of 8 KiB, each holding the word: more than a search takes as candidates.
    s.write(busy, Array.from({ length: 25_000 }, (_, i) => `marmot line ${i} ${'x'.repeat(60)}\r\n`).join(''));
    await s.indexer.catchUp();
    const hits = s.search.search({ userId: user, q: 'marmot' });
    expect(hits.map((h) => h.name).sort()).toEqual(['busy', 'quiet']);
    expect(hits.find((h) => h.name === 'quiet')!.matches.map((m) => m.snippet)).toEqual(['once upon a time: marmot sighted']);
    expect(hits.find((h) => h.name === 'busy')!.matches).toHaveLength(3);
  });

  it('finds what a tmux session printed, after the session and its tmux server are gone', async () => {
    const s = useSearch();
    const tmux = useTmux();
    const user = s.addUser();
    const id = s.addSession(user, 'live');
    const name = `rdv-${id}`;
    await tmux.newSession({ name, cwd: s.home, command: ['/bin/sh'] });
    await startOutputLog(tmux, { name, dir: outputDir(s.sessionsDir, id), maxBytes: 1 << 20 });
    await tmux.sendLiteral(name, 'echo "flamingo-$((40+2)) ready"');
    await tmux.sendKeys(name, ['Enter']);
    await waitFor(() => {
      const page = readOutput(s.locate(id)!);
      return page.format === 'text' && page.text.includes('flamingo-42 ready');
    }, 'the output in the log');
    await tmux.killServer();
    await s.indexer.catchUp();

    // The typed command and its output both hold the word; the phrase is only in the output.
    const [words] = s.search.search({ userId: user, q: 'flamingo ready' });
    expect(words!.matches.map((m) => m.snippet)).toEqual([expect.stringContaining('echo "flamingo-$((40+2)) ready"'), 'flamingo-42 ready']);
    const [phrase] = s.search.search({ userId: user, q: '"flamingo 42 ready"' });
    expect(phrase!.matches.map((m) => m.snippet)).toEqual(['flamingo-42 ready']);
    const page = readOutput(s.locate(id)!, { from: phrase!.matches[0]!.offset });
    expect(page.format === 'text' && page.text.startsWith('flamingo-42 ready\n')).toBe(true);
  });
});
