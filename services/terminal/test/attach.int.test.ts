import { socketRequest } from '@rdv/core/lifecycle';
import { waitFor } from '@rdv/core/testing';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, connect, markCommand, startService, useRig } from './helpers.js';
import { expectNothingLeft } from './leaks.js';

describe('terminal attach', () => {
  afterEach(expectNothingLeft);

  it('answers /health over plain HTTP on a 0600 socket', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    expect(statSync(svc.socketPath).mode & 0o777).toBe(0o600);
    const r = await socketRequest<{ status: string; components: { database: boolean; tmux: boolean } }>(svc.socketPath, '/health');
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('healthy');
    expect(r.body.components).toEqual({ database: true, tmux: true });
    const missing = await socketRequest<{ error: { code: string } }>(svc.socketPath, '/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('echoes typed input back as binary output frames', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const session = await rig.newSession();
    const c = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken) });
    c.type(markCommand('echo1'));
    await c.waitForText('MARKecho1');
    // Binary input frames are input bytes too.
    c.ws.send(Buffer.from(markCommand('bin2')), { binary: true });
    await c.waitForText('MARKbin2');
    expect(c.outputFrames.binary).toBeGreaterThan(0);
    expect(c.outputFrames.json).toBe(0);
  });

  it('sends JSON output frames with ?output=json, whole UTF-8 characters included', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const session = await rig.newSession();
    const c = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken), query: 'output=json' });
    c.type("printf 'h\\303\\251llo w\\303\\266rld \\344\\275\\240\\n'\r");
    await c.waitForText('héllo wörld 你');
    // Every output frame was a JSON text frame: not one binary frame on this connection.
    expect(c.outputFrames.json).toBeGreaterThan(0);
    expect(c.outputFrames.binary).toBe(0);
  });

  it('applies a resize so that tput cols in the session sees it', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const session = await rig.newSession();
    const c = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken), query: 'cols=91&rows=27' });
    // tmux applies a pane's new size to its pty a moment after the window's (it batches
    // resizes), so ask again until the shell sees it.
    const untilSize = async (cols: number, rows: number) => {
      let round = 0;
      const tag = `${cols}x${rows}r`;
      await waitFor(
        () => {
          const seen = new RegExp(`${cols}\\s+${rows}\\s+MARK${tag}${round}`).test(c.text());
          if (!seen) c.type(markCommand(`${tag}${++round}`, 'tput cols; tput lines; '));
          return seen;
        },
        `tput to report ${cols} columns and ${rows} lines`,
        10_000,
        200,
      );
    };
    await untilSize(91, 27);
    c.send({ type: 'resize', cols: 133, rows: 41 });
    await untilSize(133, 41);
    expect((await rig.tmux.listSessions()).find((s) => s.name === session.tmuxName)?.width).toBe(133);
  });

  it('gives the window the size of the client that most recently joined, typed or resized', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const session = await rig.newSession();
    const headers = bearer(rig.cliToken);
    const width = async () => (await rig.tmux.listSessions()).find((s) => s.name === session.tmuxName)?.width;
    const a = await connect(svc.socketPath, session.id, { headers, query: 'cols=100&rows=30' });
    await waitFor(async () => (await width()) === 100, 'a 100-column window');
    const b = await connect(svc.socketPath, session.id, { headers, query: 'cols=120&rows=40' });
    await waitFor(async () => (await width()) === 120, 'the newcomer (120) to win');
    a.type(' ');
    await waitFor(async () => (await width()) === 100, 'the typist (100) to win');
    b.send({ type: 'resize', cols: 110, rows: 35 });
    await waitFor(async () => (await width()) === 110, 'the latest resize (110) to win');
    b.ws.close();
    await waitFor(async () => (await width()) === 100, 'the remaining client (100) once b leaves');
  });

  it('attaches again when its tmux client is detached from outside, without disturbing the client', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const session = await rig.newSession();
    const c = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken) });
    c.type(markCommand('one'));
    await c.waitForText('MARKone');
    await waitFor(async () => (await rig.tmux.listSessions())[0]?.attachedClients === 1, 'one tmux client');
    execFileSync('tmux', rig.tmux.argv(['detach-client', '-s', `=${session.tmuxName}`]), { env: { ...process.env, TMUX: '' } });
    await waitFor(async () => (await rig.tmux.listSessions())[0]?.attachedClients === 1, 'a tmux client again');
    c.type(markCommand('two'));
    await c.waitForText('MARKtwo');
    expect(c.frames.filter((f) => f.type === 'exit')).toEqual([]);
  });

  it('lets two clients share a session: both see output, either types, one leaving leaves the other', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const session = await rig.newSession();
    const a = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken) });
    await a.waitForText('#', 'a prompt');
    const b = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken) });
    a.type(markCommand('froma'));
    await a.waitForText('MARKfroma');
    await b.waitForText('MARKfroma');
    b.type(markCommand('fromb'));
    await a.waitForText('MARKfromb');
    await b.waitForText('MARKfromb');
    expect(svc.terminal.stats().clients).toBe(2);
    a.ws.close();
    expect(await a.closeCode).toBe(1005);
    await waitFor(() => svc.terminal.stats().clients === 1, 'a to be gone');
    b.type(markCommand('after'));
    await b.waitForText('MARKafter');
    expect(await rig.tmux.hasSession(session.tmuxName)).toBe(true);
  });

  it("types only one terminal's answers to tmux's queries into a shared session", async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const session = await rig.newSession();
    const a = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken) });
    await a.waitForText('#', 'a prompt');
    a.type('cat -v\r');
    const b = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken) });
    // b joined last, so the shared tmux client is b's: a's automatic replies are dropped…
    await waitFor(() => svc.terminal.stats().clients === 2, 'both attached');
    a.type('\x1b[>0;276;0c');
    a.type('\x1b]11;rgb:0000/0000/0000\x1b\\');
    // …but what a person types, escape sequences included, still goes through.
    a.type('\x1b[Atyped-by-a\r');
    await b.waitForText('typed-by-a');
    expect(b.text()).toContain('^[[Atyped-by-a');
    expect(b.text()).not.toContain('276;0c');
    expect(b.text()).not.toContain('rgb:0000');
  });

  it('loses no keystroke typed while another client joins', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const session = await rig.newSession();
    const headers = bearer(rig.cliToken);
    const a = await connect(svc.socketPath, session.id, { headers });
    await a.waitForText('#', 'a prompt');
    for (let i = 0; i < 6; i++) {
      // Typed the moment the newcomer is in: the shared tmux client is being replaced right then.
      const joining = connect(svc.socketPath, session.id, { headers });
      await joining;
      a.type(markCommand(`join${i}`));
      await a.waitForText(`MARKjoin${i}`);
    }
  });

  it('shows the current screen to a client that attaches later', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const session = await rig.newSession();
    const a = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken) });
    a.type(markCommand('early'));
    await a.waitForText('MARKearly');
    const b = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken) });
    await b.waitForText('MARKearly', 'the redrawn screen');
  });

  it('sends exit and closes every client when the tmux session is killed', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const session = await rig.newSession();
    const a = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken) });
    const b = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken), query: 'output=json' });
    await a.waitForText('#');
    await b.waitForText('#');
    await rig.tmux.killSession(session.tmuxName);
    for (const c of [a, b]) {
      expect(await c.waitForFrame('exit')).toEqual({ type: 'exit', code: 0 });
      expect(await c.closeCode).toBe(1000);
    }
    await waitFor(() => svc.terminal.stats().sessions === 0, 'the hub to be gone');
  });

  it("sends the shell's own exit status when it exits, 128 + the signal when one ended it", async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    for (const [command, code] of [['exit 7', 7], ['kill -KILL $$', 137]] as const) {
      const session = await rig.newSession();
      const a = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken) });
      const b = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken), query: 'output=json' });
      await a.waitForText('#');
      await b.waitForText('#');
      a.type(`${command}\r`);
      for (const c of [a, b]) {
        expect(await c.waitForFrame('exit')).toEqual({ type: 'exit', code });
        expect(await c.closeCode).toBe(1000);
      }
    }
  });

  it('answers malformed and oversized frames with an error frame and keeps serving', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const session = await rig.newSession();
    const c = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken) });
    const bad = ['not json', '{"type":"nope"}', '{"type":"resize","cols":0,"rows":5}', '{"type":"input"}', '[]', 'null', '{"type":"input","data":"x","extra":1}'];
    for (const frame of bad) c.ws.send(frame);
    c.ws.send(JSON.stringify({ type: 'input', data: 'x'.repeat(70_000) }));
    c.ws.send(Buffer.alloc(70_000, 120), { binary: true });
    c.ws.send('y'.repeat(500_000));
    await waitFor(() => c.frames.filter((f) => f.type === 'error').length === bad.length + 3, 'an error frame for each bad frame');
    expect(c.frames.every((f) => f.type === 'error' && typeof f.message === 'string')).toBe(true);
    c.send({ type: 'ping' });
    await c.waitForFrame('pong');
    c.type(markCommand('stillok'));
    await c.waitForText('MARKstillok');
    // Past the websocket's own limit the socket is closed (1009), the service lives on.
    c.ws.send('z'.repeat(2 * 1024 * 1024));
    expect(await c.closeCode).toBe(1009);
    const again = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken) });
    again.type(markCommand('alive'));
    await again.waitForText('MARKalive');
  });
});
