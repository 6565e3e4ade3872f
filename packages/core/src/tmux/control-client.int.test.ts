import { describe, expect, it } from 'vitest';
import { testLogger, useTmux, waitFor } from '../testing/index.js';
import { openControlClient } from './control-client.js';
import { createTmuxReader, paneFormat, parsePanes } from './tmux-reader.js';

describe('tmux control-mode client (real tmux)', () => {
  it('runs commands, survives pane output that looks like protocol, and ends with its session', async () => {
    const tmux = useTmux();
    await tmux.newSession({ name: 'host', cwd: '/', command: ['sh', '-c', 'printf "%%end 1 2 1\\n%%error 3 4 1\\nstill here ❯\\n"; sleep 600'] });
    await tmux.newSession({ name: 'other', cwd: '/', command: ['sleep', '600'] });
    const client = await openControlClient({ tmux, session: 'host', log: testLogger() });
    try {
      const panes = parsePanes(await client.run(['list-panes', '-a', '-F', paneFormat(true)]));
      expect([...panes.keys()].sort()).toEqual(['host', 'other']);
      expect(panes.get('other')).toMatchObject({ command: 'sleep', dead: false });
      const paneId = panes.get('host')!.paneId;
      const screen = await waitFor(async () => {
        const lines = await client.run(['capture-pane', '-p', '-t', paneId]);
        return lines.includes('still here ❯') ? lines : null;
      }, 'screen with fake protocol lines');
      expect(screen.slice(0, 3)).toEqual(['%end 1 2 1', '%error 3 4 1', 'still here ❯']);
      await expect(client.run(['capture-pane', '-p', '-t', '%999'])).rejects.toThrow(/can't find pane/);
      await expect(client.run(["display-message 'x'; kill-server"])).rejects.toThrow(/not allowed/);
      expect(client.alive).toBe(true);
      // It neither resized the session nor typed into it.
      expect((await tmux.listSessions()).find((s) => s.name === 'host')).toMatchObject({ width: 120, height: 32 });
      await tmux.killSession('host');
      await waitFor(() => !client.alive, 'client gone with its session');
      await expect(client.run(['list-sessions'])).rejects.toThrow();
    } finally {
      client.dispose();
      client.dispose();
    }
  });

  it('reads through the control client when it can and by spawning tmux when it cannot', async () => {
    const tmux = useTmux();
    const reader = createTmuxReader({ tmux, log: testLogger() });
    try {
      expect(await reader.listPanes([])).toEqual(new Map());
      await tmux.newSession({ name: 'a', cwd: '/', command: ['sh', '-c', 'echo hello-from-a; sleep 600'] });
      await reader.listPanes(['a']);
      expect(reader.method).toBe('exec');
      const panes = await waitFor(async () => {
        const p = await reader.listPanes(['a']);
        return reader.method === 'control-mode' ? p : null;
      }, 'control client attached');
      expect(panes.get('a')?.command).toBeUndefined();
      await waitFor(async () => (await reader.capture(panes.get('a')!.paneId)).includes('hello-from-a'), 'capture');
      await tmux.killSession('a');
      await tmux.newSession({ name: 'b', cwd: '/', command: ['sleep', '600'] });
      expect([...(await reader.listPanes(['b'])).keys()]).toEqual(['b']);
    } finally {
      reader.dispose();
      reader.dispose();
    }
  });
});
