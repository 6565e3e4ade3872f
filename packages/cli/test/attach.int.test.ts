// `rdv attach` driven as a person would: inside a real tmux pane (its own tmux server),
// against the real terminal service. Typing, resize, detach, and the terminal restored
// however the attach ends.
import { execFileSync, spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@rdv/core/testing';
import { CLI_MAIN, useRdvHome, useScreen, useServices } from './helpers.js';

// Many CLI processes per test: generous on a busy machine (a cap, not a timed assertion).
const SLOW = { timeout: 120_000 };

const h = useRdvHome();
const screen = useScreen(h.env);
const services = useServices(h);
const RDV = `node ${CLI_MAIN}`;

beforeAll(async () => {
  await services.start();
  await screen.waitFor(/^[$#]/m, 'the shell prompt');
}, 60_000);

/** The terminal modes of the pane's tty (canonical input and echo are on unless something left it raw). */
const ttyModes = async () => {
  screen.run('stty -a | tr " " "\\n" | grep -E "^-?(icanon|echo)$" | tr "\\n" " "; echo END');
  return waitFor(() => /(-?icanon -?echo|-?echo -?icanon) END/.exec(screen.capture())?.[0], 'stty output');
};

const clients = (session: string) =>
  execFileSync('tmux', ['-L', h.tmuxSocket, 'list-clients', '-t', `=rdv-${session}`, '-F', '#{client_width}x#{client_height}'], { encoding: 'utf8' });

describe('rdv attach', SLOW, () => {
  it('shows the session, types into it, follows resizes and detaches with Ctrl-], restoring the terminal', async () => {
    const s = await h.json(['session', 'create', 'pane']);
    await h.json(['session', 'exec', 'pane', '--', 'echo', 'marker-$((40+2))']);
    screen.run(`${RDV} attach pane; echo "EXIT=$?"`);
    await screen.waitFor(/marker-42/, 'the session screen');

    screen.type('echo typed-$((7*6))0');
    await screen.waitFor(/typed-420/, 'typed text echoed');
    await waitFor(async () => /typed-420/.test((await h.rdv(['session', 'scrollback', 'pane'])).stdout), 'typed text in the session');

    screen.resize(72, 21);
    await waitFor(() => clients(s.id).includes('72x21'), 'the session follows the resize');

    screen.keys('C-]');
    const after = await screen.waitFor(/EXIT=0/, 'attach to end with exit 0');
    expect(after).toMatch(/\[detached from pane; `rdv attach pane` to return\]/);
    expect(await ttyModes()).toMatch(/^icanon echo|^echo icanon/);
    expect(spawnSync('tmux', ['-L', h.tmuxSocket, 'has-session', '-t', `=rdv-${s.id}`]).status).toBe(0);
  });

  it('ends with the session: exit 0 and a note when the shell exits', async () => {
    await h.json(['session', 'create', 'ending']);
    await h.json(['session', 'exec', 'ending', '--', 'echo', 'ready-$((1+1))']);
    screen.run(`${RDV} attach ending; echo "EXIT=$?"`);
    await screen.waitFor(/ready-2/, 'the session screen');
    screen.type('exit');
    const out = await screen.waitFor(/EXIT=\d+/, 'attach to end');
    expect(out).toMatch(/\[session ending ended/);
    expect(out).toMatch(/EXIT=0/);
    expect(await ttyModes()).toMatch(/^icanon echo|^echo icanon/);
  });

  it('restores the terminal when killed (SIGTERM) and honours --detach-key', async () => {
    await h.json(['session', 'create', 'victim']);
    await h.json(['session', 'exec', 'victim', '--', 'echo', 'ready-$((2+1))']);
    screen.run(`${RDV} attach victim --detach-key ctrl-q; echo "EXIT=$?"`);
    await screen.waitFor(/ready-3/, 'attached');
    const shell = screen.panePid();
    const pid = await waitFor(() => {
      const r = spawnSync('pgrep', ['-P', String(shell), '-f', 'main.js attach victim'], { encoding: 'utf8' });
      return Number(r.stdout.trim().split('\n')[0]) || null;
    }, 'the attach process');
    process.kill(pid, 'SIGTERM');
    const out = await screen.waitFor(/EXIT=\d+/, 'attach to end');
    expect(out).toMatch(/EXIT=143/);
    expect(await ttyModes()).toMatch(/^icanon echo|^echo icanon/);

    screen.run(`${RDV} attach victim --detach-key ctrl-q; echo "EXIT=$?"`);
    await screen.waitFor(/ready-3/, 'attached again');
    screen.keys('C-q');
    expect(await screen.waitFor(/EXIT=\d+/, 'detached')).toMatch(/\[detached from victim[\s\S]*EXIT=0/);
  });

  it('explains refusals: unknown session (1), no terminal (2), terminal service down (3)', async () => {
    screen.run(`${RDV} attach nobody; echo "EXIT=$?"`);
    expect(await screen.waitFor(/EXIT=\d+/, 'refusal')).toMatch(/session nobody not found[\s\S]*EXIT=1/);

    const noTty = await h.rdv(['attach', 'pane']);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/needs an interactive terminal/);

    await h.json(['session', 'create', 'orphan']);
    await h.json(['session', 'exec', 'orphan', '--', 'echo', 'ready-$((3+1))']);
    screen.run(`${RDV} attach orphan; echo "EXIT=$?"`);
    await screen.waitFor(/ready-4/, 'attached to orphan');
    await services.stop('terminal');
    const out = await screen.waitFor(/EXIT=\d+/, 'attach to notice the service going away');
    expect(out).toMatch(/the terminal service stopped[\s\S]*EXIT=1/);
    expect(await ttyModes()).toMatch(/^icanon echo|^echo icanon/);

    screen.run(`${RDV} attach orphan; echo "EXIT=$?"`);
    expect(await screen.waitFor(/EXIT=\d+/, 'refusal')).toMatch(/terminal service is not running[\s\S]*EXIT=3/);
  });
});
