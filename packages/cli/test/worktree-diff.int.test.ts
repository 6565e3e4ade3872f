// `rdv worktree diff` through the built binary against a real api process.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useRepo } from '@rdv/core/testing';
import { CLI_MAIN, useRdvHome, useScreen, useServices } from './helpers.js';

const SLOW = { timeout: 120_000 };
const h = useRdvHome();
const services = useServices(h, ['api']);
// At the top of the file: it stops its tmux server after all the tests.
const screen = useScreen(h.env, 120, 40);
beforeAll(() => services.start(), 60_000);

/** A session `name` in a worktree with a commit, an uncommitted change and an untracked file. */
async function sessionWithWork(name: string) {
  const repo = useRepo();
  repo.commit('app.js', 'const a = 1;\nconst b = 2;\n');
  repo.git('push', '-q', 'origin', 'main');
  const session = await h.json(['session', 'create', name, '--repo', repo.path, '--branch', `${name}-branch`]);
  const wt = session.cwd as string;
  writeFileSync(join(wt, 'committed.txt'), 'one\ntwo\n');
  repo.git('-C', wt, 'add', '--', 'committed.txt');
  repo.git('-C', wt, 'commit', '-q', '-m', 'add committed');
  writeFileSync(join(wt, 'app.js'), 'const a = 1;\nconst b = 3;\n');
  // Content that would retitle a terminal if it were printed as it is.
  writeFileSync(join(wt, 'untracked.txt'), 'new \u001b]0;pwned\u0007 line\n');
  return { repo, session, wt };
}

const ESC = '\u001b';

describe('rdv worktree diff', SLOW, () => {
  it('prints the plain unified diff when piped, a stat table, JSON, and the summary on stderr', async () => {
    const { session, wt } = await sessionWithWork('review');
    const plain = await h.rdv(['worktree', 'diff', 'review']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain(`${ESC}[`);
    expect(plain.stdout).toContain('diff --git a/committed.txt b/committed.txt\nnew file mode 100644');
    expect(plain.stdout).toContain('-const b = 2;\n+const b = 3;\n');
    expect(plain.stdout).toContain('diff --git a/untracked.txt b/untracked.txt');
    // Piped output is the bytes as they are (for git apply and friends).
    expect(plain.stdout).toContain(`+new ${ESC}]0;pwned\u0007 line`);
    expect(plain.stderr).toMatch(/3 file\(s\) changed, \+4 -1 against origin\/main/);

    const stat = await h.rdv(['worktree', 'diff', session.id, '--stat']);
    expect(stat.stdout).toMatch(/^STATUS\s+CHANGES\s+FILE\n/);
    expect(stat.stdout).toMatch(/modified\s+\+1 -1\s+app\.js/);
    expect(stat.stdout).toMatch(/added\s+\+2 -0\s+committed\.txt/);
    expect(stat.stdout).toMatch(/untracked\s+\+1 -0\s+untracked\.txt/);

    const json = await h.json(['worktree', 'diff', 'review', '--base', 'HEAD']);
    expect(json.files.map((f: any) => f.path).sort()).toEqual(['app.js', 'untracked.txt']);
    const byPath = await h.json(['worktree', 'diff', wt, '--max-bytes', '1024', '--max-file-bytes', '2048']);
    expect(byPath).toMatchObject({ path: wt, maxBytes: 1024, maxFileBytes: 2048 });
  });

  it('colours the diff on a terminal and shows control characters instead of obeying them', async () => {
    await sessionWithWork('coloured');
    screen.run(`node ${CLI_MAIN} worktree diff coloured --base HEAD; echo done-$((6*7))`);
    await screen.waitFor(/done-42/, 'the diff printed');
    const shown = execFileSync('tmux', ['-L', screen.socket, 'capture-pane', '-p', '-e', '-t', 'ui'], { encoding: 'utf8' });
    expect(shown).toMatch(/\u001b\[32m\+const b = 3;/);
    expect(shown).toMatch(/\u001b\[31m-const b = 2;/);
    expect(shown).toContain('\\x1b]0;pwned\\x07');
  });

  it('says when there is nothing to show, and refuses bad input with usage or lookup errors', async () => {
    const repo = useRepo();
    await h.json(['session', 'create', 'clean', '--repo', repo.path, '--branch', 'clean-branch']);
    const empty = await h.rdv(['worktree', 'diff', 'clean']);
    expect(empty).toMatchObject({ code: 0, stdout: '' });
    expect(empty.stderr).toMatch(/no changes against origin\/main/);
    const dash = await h.rdv(['worktree', 'diff', 'clean', '--base=-x']);
    expect(dash.code).toBe(2);
    expect(dash.stderr).toMatch(/--base: must not start with -/);
    const missing = await h.rdv(['worktree', 'diff', 'no-such-session']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/session no-such-session not found/);
    const plain = await h.rdv(['session', 'create', 'no-worktree']);
    expect(plain.code).toBe(0);
    const noWt = await h.rdv(['worktree', 'diff', 'no-worktree']);
    expect(noWt.code).toBe(1);
    expect(noWt.stderr).toMatch(/has no worktree/);
    const help = await h.rdv(['worktree', 'diff', '--help']);
    expect(help.stdout).toMatch(/Examples:\n\s+rdv worktree diff fix-42/);
  });
});
