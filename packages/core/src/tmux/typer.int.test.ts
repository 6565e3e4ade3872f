import { describe, expect, it } from 'vitest';
import { testLogger, useTmux, waitFor } from '../testing/index.js';
import { createKeyTyper } from './typer.js';

describe('key typer over a tmux control client (real tmux)', () => {
  it('types text and keys as given, falls back for what the channel cannot quote, and outlives the session it sat on', async () => {
    const tmux = useTmux();
    for (const name of ['rdv-a', 'rdv-b']) await tmux.newSession({ name, cwd: '/', command: ['/bin/sh'] });
    const typer = createKeyTyper({ tmux, log: testLogger() });
    try {
      // tmux syntax inside the text stays text: no second command, no variable, no format.
      await typer.type('rdv-a', 'echo "one;two" $HOME #{pane_id} ; kill-server', ['Enter']);
      await waitFor(async () => (await tmux.capturePane('rdv-a')).includes('one;two /'), 'typed over the channel');
      expect(await tmux.hasSession('rdv-a')).toBe(true);
      expect(await tmux.capturePane('rdv-a')).toContain('#{pane_id} ; kill-server');
      // Quotes and backslashes go by a spawned tmux, typed all the same.
      await typer.type('rdv-a', "printf '%s-%s\\n' 'quo\\ted' $((1+1))", ['Enter']);
      await waitFor(async () => (await tmux.capturePane('rdv-a')).includes('quo\\ted-2'), 'typed by the fallback');
      await expect(typer.type('rdv-a', 'x', ['Enter; kill-server'])).rejects.toThrow(/unknown key name/);
      await expect(typer.type('rdv-gone', 'x', ['Enter'])).rejects.toMatchObject({ code: 'not_found' });
      // The channel sat on rdv-a; with it gone, typing into rdv-b still works.
      await tmux.killSession('rdv-a');
      await typer.type('rdv-b', 'echo after-$((20+1))', ['Enter']);
      await waitFor(async () => (await tmux.capturePane('rdv-b')).includes('after-21'), 'typed after the channel session ended');
    } finally {
      typer.dispose();
    }
  });
});
