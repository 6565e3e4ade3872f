import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir, useTmux, waitFor } from '../testing/index.js';
import { parseSessionList, sanitizedEnv } from './index.js';

describe('parseSessionList', () => {
  it('parses rows and skips what does not fit', () => {
    const out = 'rdv-a|~|1700000000|~|1|~|1700000005|~|80|~|24|~|123|~|0|~|ba|~|sh\nweird name|~|1|~|0|~|1|~|80|~|24|~|1|~|0|~|sh\ngarbage\n';
    const rows = parseSessionList(out);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: 'rdv-a', attachedClients: 1, width: 80, height: 24, panePid: 123, paneCommand: 'ba|~|sh', paneDead: false });
    expect(rows[0]!.lastActivityAt.getTime()).toBe(1_700_000_005_000);
  });
});

describe('sanitizedEnv', () => {
  it('drops TMUX, rdv settings and npm noise', () => {
    const env = sanitizedEnv({ TMUX: '/x', TMUX_PANE: '%1', RDV_TOKEN: 's', npm_config_x: '1', PATH: '/bin', ANTHROPIC_API_KEY: 'k' });
    expect(env).toEqual({ PATH: '/bin', ANTHROPIC_API_KEY: 'k', LANG: 'C.UTF-8' });
    expect(sanitizedEnv({ LANG: 'de_DE.UTF-8' })).toEqual({ LANG: 'de_DE.UTF-8' });
  });
});

describe('tmux wrapper (real tmux)', () => {
  it('creates a session right after the last one ended, while its server is still going away', async () => {
    const tmux = useTmux();
    for (let i = 0; i < 30; i++) {
      await tmux.newSession({ name: `rdv-last${i}`, cwd: '/', command: ['sleep', '600'] });
      expect(await tmux.killSession(`rdv-last${i}`)).toBe(true);
    }
    await tmux.newSession({ name: 'rdv-after', cwd: '/', command: ['sleep', '600'] });
    expect((await tmux.listSessions()).map((s) => s.name)).toEqual(['rdv-after']);
  });

  it('creates, lists, types, captures, resizes and kills', async () => {
    const tmux = useTmux();
    const cwd = useTempDir();
    expect(await tmux.listSessions()).toEqual([]);
    await tmux.newSession({ name: 'rdv-t1', cwd, cols: 100, rows: 30, env: { GREETING: 'hi there' }, command: ['/bin/sh'] });
    expect(await tmux.hasSession('rdv-t1')).toBe(true);
    expect(await tmux.hasSession('rdv-t')).toBe(false);
    const [info] = await tmux.listSessions();
    expect(info).toMatchObject({ name: 'rdv-t1', width: 100, height: 30 });
    expect(await tmux.showOption('rdv-t1', 'status')).toBe('off');
    await tmux.setOption('rdv-t1', '@rdv-note', 'hello');
    expect(await tmux.showOption('rdv-t1', '@rdv-note')).toBe('hello');

    await tmux.sendLiteral('rdv-t1', 'echo "$GREETING from $(pwd)"');
    await tmux.sendKeys('rdv-t1', ['Enter']);
    await waitFor(async () => (await tmux.capturePane('rdv-t1')).includes(`hi there from ${cwd}`), 'echo output');

    // Literal text is typed, never interpreted by tmux or a shell of ours.
    await tmux.sendLiteral('rdv-t1', '-l ; kill-server \\; $(touch nope)');
    await waitFor(async () => (await tmux.capturePane('rdv-t1')).includes('-l ; kill-server'), 'hostile text typed');
    expect(await tmux.hasSession('rdv-t1')).toBe(true);
    await tmux.sendKeys('rdv-t1', ['C-c']);
    // A trailing ";" would be taken by tmux as a command separator; it must arrive as typed.
    await tmux.sendLiteral('rdv-t1', 'echo semi;');
    await tmux.sendKeys('rdv-t1', ['Enter']);
    await tmux.sendLiteral('rdv-t1', "printf '%s\\n' back\\;");
    await tmux.sendKeys('rdv-t1', ['Enter']);
    await waitFor(async () => (await tmux.capturePane('rdv-t1')).includes('back;\n'), 'semicolons typed as given');
    expect(await tmux.capturePane('rdv-t1')).toMatch(/[#$] echo semi;\n/);
    // Text and keys after it in one tmux call: the text still arrives as typed, the keys as keys.
    await tmux.sendLiteral('rdv-t1', "printf '%s\\n' chained\\;", { thenKeys: ['Enter'] });
    await waitFor(async () => (await tmux.capturePane('rdv-t1')).includes('chained;\n'), 'text and Enter in one call');
    await expect(tmux.sendLiteral('rdv-t1', 'x', { thenKeys: ['Enter; kill-server'] })).rejects.toThrow(/unknown key name/);

    await tmux.resize('rdv-t1', 120, 40);
    await waitFor(async () => (await tmux.listSessions())[0]?.width === 120, 'resize');

    await expect(tmux.sendKeys('rdv-t1', ['Enter; rm -rf /'])).rejects.toThrow(/unknown key name/);
    await expect(tmux.capturePane('../etc')).rejects.toThrow(/invalid tmux session name/);
    await expect(tmux.capturePane('rdv-missing')).rejects.toMatchObject({ code: 'not_found' });

    expect(await tmux.killSession('rdv-t1')).toBe(true);
    expect(await tmux.killSession('rdv-t1')).toBe(false);
    expect(await tmux.hasSession('rdv-t1')).toBe(false);
  });

  it('kills its own server and leaves no socket file behind', async () => {
    const tmux = useTmux();
    await tmux.newSession({ name: 'rdv-k', cwd: useTempDir(), command: ['/bin/sh'] });
    const socketFile = join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, tmux.socket);
    expect(existsSync(socketFile)).toBe(true);
    await tmux.killServer();
    expect(await tmux.serverRunning()).toBe(false);
    expect(existsSync(socketFile)).toBe(false);
  });

  it('captures history beyond the visible screen', async () => {
    const tmux = useTmux();
    await tmux.newSession({ name: 'rdv-hist', cwd: useTempDir(), cols: 80, rows: 10, command: ['/bin/sh'] });
    await tmux.sendLiteral('rdv-hist', 'for i in $(seq 1 200); do echo line-$i; done');
    await tmux.sendKeys('rdv-hist', ['Enter']);
    await waitFor(async () => (await tmux.capturePane('rdv-hist')).includes('line-200'), 'loop done');
    const screen = await tmux.capturePane('rdv-hist');
    expect(screen).not.toContain('line-150\n');
    const history = await tmux.capturePane('rdv-hist', { historyLines: 300 });
    expect(history).toContain('line-1\n');
    expect(history).toContain('line-150\n');
  });
});
