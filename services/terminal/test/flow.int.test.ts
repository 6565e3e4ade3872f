import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@rdv/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, connect, markCommand, startService, useRig } from './helpers.js';
import { expectNothingLeft } from './leaks.js';

const KB = 1024;

/** About 2 MB of coloured UTF-8 lines. */
function colouredFile(dir: string): string {
  const path = join(dir, 'coloured.txt');
  const words = ['rdv', 'héllo', 'wörld', '你好', 'λ', '─│┌┐', 'tmux', 'agent'];
  const lines: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    lines.push(words.map((w, j) => `\x1b[${31 + ((i + j) % 7)}m${w}\x1b[0m`).join(' ') + ` ${i}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('terminal flow control and keep-alive', () => {
  afterEach(expectNothingLeft);

  it('keeps a non-reading client bounded while the other keeps flowing, and brings it back', async () => {
    const rig = await useRig();
    const limits = { stallBytes: 64 * KB, watermarks: { highBytes: 64 * KB, lowBytes: 16 * KB } };
    const svc = await startService(rig, limits);
    const session = await rig.newSession();
    const headers = bearer(rig.cliToken);
    // A big screen: tmux forwards output while its queue for a client stays under about
    // 8 bytes per cell, and skips to periodic redraws past that.
    const query = 'cols=200&rows=60';
    // The loop ends when this file appears (a Ctrl-C alone may land between two cats, where
    // some shells keep looping).
    const stopFile = join(rig.home, 'stop-flood');
    const slow = await connect(svc.socketPath, session.id, { headers, query });
    const fast = await connect(svc.socketPath, session.id, { headers, query });
    await slow.waitForText('#', 'a prompt');
    slow.ws.pause(); // stops reading its socket: the kernel buffer fills, then the service's queue

    let maxBacklog = 0;
    const sampler = setInterval(() => {
      maxBacklog = Math.max(maxBacklog, svc.terminal.stats().maxBacklogBytes);
    }, 10);
    try {
      // Coloured text keeps tmux busy parsing, so it forwards nearly every byte instead of
      // skipping to periodic redraws as it does for a flood of plain text.
      fast.type(`while [ ! -e ${stopFile} ]; do cat ${colouredFile(rig.home)}; done\r`);
      await waitFor(() => {
        const hub = svc.terminal.stats().hubs[0];
        return hub && (hub.stalled === 1 || hub.pausedPtys === 1);
      }, 'the slow client to be taken off the shared stream');
      const before = fast.bytes();
      // How much more depends on the machine's load (a busy tmux skips to redraws), not on the slow client.
      await waitFor(() => fast.bytes() > before + 512 * KB, 'the fast client to receive 512 KB more', 20_000);
      const hub = svc.terminal.stats().hubs[0]!;
      expect(hub.shared).toBe(1);
      expect(hub.stalled + hub.own).toBe(1);
    } finally {
      clearInterval(sampler);
    }
    // Bounded: the stall mark plus at most one pty read (64 KiB) and a repaint.
    expect(maxBacklog).toBeLessThan(limits.stallBytes + 256 * KB);

    writeFileSync(stopFile, '');
    fast.type('\x03');
    slow.ws.resume();
    fast.type(markCommand('back'));
    await fast.waitForText('MARKback', 'the fast client to see the prompt again', 20_000);
    await slow.waitForText('MARKback', 'the slow client to catch up (tmux repaints it)', 20_000);
    slow.type(markCommand('typed'));
    await fast.waitForText('MARKtyped', 'input from the recovered client');
    await slow.waitForText('MARKtyped');
  });

  it('drops a client that stops answering pings and keeps the others', async () => {
    const rig = await useRig();
    const svc = await startService(rig, { keepAliveIntervalMs: 100, keepAliveTimeoutMs: 400 });
    const session = await rig.newSession();
    const headers = bearer(rig.cliToken);
    const dead = await connect(svc.socketPath, session.id, { headers, autoPong: false });
    const live = await connect(svc.socketPath, session.id, { headers });
    expect(await dead.closeCode).toBe(1006);
    await waitFor(() => svc.terminal.stats().clients === 1, 'one client left');
    live.type(markCommand('live'));
    await live.waitForText('MARKlive');
    expect(await rig.tmux.hasSession(session.tmuxName)).toBe(true);
  });

  it('answers application pings with pong', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const session = await rig.newSession();
    const c = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken) });
    c.send({ type: 'ping' });
    expect(await c.waitForFrame('pong')).toEqual({ type: 'pong' });
  });
});
