// The CLI with no services running: bad usage exits 2, everything that needs the api exits 3
// with the same one-line advice; help, version, completion work offline.
import { describe, expect, it } from 'vitest';
import { useRdvHome } from './helpers.js';

// Many CLI processes per test: generous on a busy machine (a cap, not a timed assertion).
const SLOW = { timeout: 120_000 };

const h = useRdvHome();
const NOT_RUNNING = /^rdv is not running; start it with `rdv up` \(or `npm start`\)\n$/;

describe('rdv without services', SLOW, () => {
  it.each([
    [['session', 'list']],
    [['session', 'create', 'x']],
    [['session', 'exec', 'x', 'ls']],
    [['folder', 'list']],
    [['worktree', 'list']],
    [['orchestrator', 'status']],
    [['token', 'list']],
    [['login-link']],
    [['session', 'list', '--json']],
  ])('%j says rdv is not running (exit 3)', async (args) => {
    const r = await h.rdv(args);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(NOT_RUNNING);
    expect(r.stdout).toBe('');
  });

  it.each([
    [['nope'], /unknown command 'nope'/],
    [['session', 'lis'], /unknown command 'lis'.*Did you mean/],
    [['session', 'create'], /missing required argument 'name'/],
    [['session', 'create', 'a/b'], /<name>: must start with a letter or digit/],
    [['session', 'create', 'x', '--agent', 'robot'], /--agent: Invalid option/],
    [['session', 'create', 'x', '--branch', 'b'], /--branch needs --repo/],
    [['session', 'list', '--status', 'weird'], /--status: must be one of open, all/],
    [['session', 'scrollback', 'x', '-n', 'lots'], /--lines: must be a number/],
    [['session', 'list', '--bogus'], /unknown option '--bogus'/],
    [['attach', 'x', '--detach-key', 'ctrl-c'], /--detach-key: .*needed for typing/],
    [['token', 'create', 'k', '--expires-in-days', '0'], /--expires-in-days: /],
    [['logs', 'nope'], /must be one of api, terminal, web, supervisor/],
    [['completion', 'fish'], /shell: must be bash or zsh/],
    [['orchestrator', 'inject', 'x'], /give text to type and\/or --key/],
    [['worktree', 'create', '--repo', '.'], /required option '--branch/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await h.rdv(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it('without a command prints help and exits 2; --help teaches with examples and exits 0', async () => {
    const bare = await h.rdv([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/Usage: rdv/);
    const help = await h.rdv(['session', 'create', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:\n {2}rdv session create/);
    expect(help.stdout).toMatch(/--json/);
    expect((await h.rdv(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+/);
    expect(await h.rdv(['help', 'session'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/Usage: rdv session/) });
    expect((await h.rdv(['session'])).code).toBe(2);
  });

  it('status, down and doctor report a stopped rdv without failing on it', async () => {
    const status = await h.rdv(['status']);
    expect(status.code).toBe(3);
    expect(status.stdout).toMatch(/rdv is not running/);
    const statusJson = await h.rdv(['status', '--json']);
    expect(JSON.parse(statusJson.stdout)).toMatchObject({ running: false, tmux: { socket: h.tmuxSocket, running: false } });
    const down = await h.rdv(['down']);
    expect(down).toMatchObject({ code: 0, stdout: 'rdv is not running; nothing to stop.\n' });
    const doctor = await h.rdv(['doctor', '--json']);
    const report = JSON.parse(doctor.stdout);
    expect(report.checks.find((c: any) => c.name === 'tmux')).toMatchObject({ status: 'ok' });
    expect(report.checks.find((c: any) => c.name === 'git')).toMatchObject({ status: 'ok' });
    expect(report.checks.find((c: any) => c.name === 'openssh')).toMatchObject({ status: 'ok' });
  });

  it('prints completion scripts that call back into rdv', async () => {
    const bash = await h.rdv(['completion', 'bash']);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toMatch(/complete -F _rdv_complete rdv/);
    expect((await h.rdv(['completion', 'zsh'])).stdout).toMatch(/compdef _rdv rdv/);
    const words = async (...w: string[]) => (await h.rdv(['__complete', '--', ...w])).stdout.split('\n').filter(Boolean);
    expect(await words('')).toEqual(expect.arrayContaining(['up', 'down', 'session', 'attach', 'mcp']));
    expect(await words('session', 'sc')).toEqual(['scrollback']);
    expect(await words('session', 'create', 'x', '--agent', 'c')).toEqual(['claude', 'codex', 'custom']);
    expect(await words('session', 'list', '--st')).toEqual(['--status']);
    expect(await words('logs', '')).toEqual(['api', 'terminal', 'web', 'supervisor']);
  });

  it('rdv mcp keeps stdout for the protocol even when rdv is down', async () => {
    const r = await h.rdv(['mcp']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });
});
