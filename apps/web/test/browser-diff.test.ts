// The changes of a worktree session in Chromium against the real services: the file list
// with counts, a coloured unified diff (diff2html), hostile names and content left inert,
// a "too large" note, refresh, the empty state, and the phone layout.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { useRepo } from '@rdv/core/testing';
import { DESKTOP, PHONE, shot, useBrowser } from './helpers/browser.js';
import { useStack } from './helpers/stack.js';

const stack = await useStack();
const browser = await useBrowser();
afterEach(() => stack.reset());

const HOSTILE_NAME = '<img src=x onerror=alert(1)>.txt';

async function signedInPage(options: BrowserContextOptions = DESKTOP): Promise<Page> {
  const ctx = await browser.newContext(options);
  ctx.setDefaultTimeout(15_000);
  const page = await ctx.newPage();
  // Any alert() from hostile markup would show up here.
  page.on('dialog', (d) => {
    void page.evaluate(() => ((window as unknown as { __pwned?: string }).__pwned = 'dialog'));
    void d.dismiss();
  });
  await page.goto(await stack.loginLink());
  await page.locator('.app').waitFor();
  return page;
}

/** A session in a new worktree with a commit, an uncommitted change, untracked files (one hostile) and one too large to show. */
async function worktreeSession(name: string, work = true) {
  const repo = useRepo('file');
  repo.commit('app.js', 'const a = 1;\nconst b = 2;\n');
  repo.git('push', '-q', 'origin', 'main');
  const session = await stack.api<{ id: string; cwd: string }>('POST', '/api/sessions', { name, kind: 'shell', worktree: { repoPath: repo.path, branch: `${name}-branch` } });
  const wt = session.cwd;
  if (work) {
    writeFileSync(join(wt, 'committed.txt'), 'one\ntwo\n');
    repo.git('-C', wt, 'add', '--', 'committed.txt');
    repo.git('-C', wt, 'commit', '-q', '-m', 'add committed');
    writeFileSync(join(wt, 'app.js'), 'const a = 1;\nconst b = 3;\n');
    writeFileSync(join(wt, 'untracked.txt'), 'brand new\n');
    writeFileSync(join(wt, HOSTILE_NAME), '<script>window.__pwned = "script"</script>\n<img src=x onerror="window.__pwned=\'img\'">\n');
    writeFileSync(join(wt, 'zz-big.txt'), `${'a long line of generated text '.repeat(4)}\n`.repeat(3000));
  }
  return { session, wt };
}

async function openChanges(page: Page, name: string) {
  await page.getByRole('button', { name: `${name} actions` }).click();
  await page.getByRole('menuitem', { name: 'Changes…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Changes' });
  await dialog.waitFor();
  return dialog;
}

/** The background colour of the first element matching `selector`, as [r, g, b]. */
const background = (page: Page, selector: string) =>
  page.evaluate((sel) => {
    const el = document.querySelector(sel);
    const m = el ? /rgba?\((\d+), (\d+), (\d+)/.exec(getComputedStyle(el).backgroundColor) : null;
    return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
  }, selector);

describe('changes of a worktree session', () => {
  it('lists the commit, the uncommitted change and the untracked files with counts, in colour, safely', async () => {
    const { wt } = await worktreeSession('review');
    const page = await signedInPage();
    await page.getByRole('treeitem', { name: /review/ }).waitFor();
    const dialog = await openChanges(page, 'review');
    const files = dialog.getByRole('list', { name: 'Changed files' });
    await expect.poll(() => files.getByRole('listitem').count()).toBe(5);
    const row = (path: string) => files.getByRole('listitem').filter({ has: page.getByText(path, { exact: true }) });
    expect(await row('committed.txt').innerText()).toMatch(/added\s+committed\.txt\s+\+2 −0/);
    expect(await row('app.js').innerText()).toMatch(/modified\s+app\.js\s+\+1 −1/);
    expect(await row('untracked.txt').innerText()).toMatch(/untracked\s+untracked\.txt\s+\+1 −0/);
    expect(await row(HOSTILE_NAME).count()).toBe(1);
    expect(await dialog.locator('.diff-summary').innerText()).toMatch(/review-branch against origin\/main · 5 files · \+3006 −1/);

    // diff2html's coloured view: added lines green, removed lines red.
    const body = dialog.locator('.diff-body');
    await expect.poll(() => body.count()).toBe(4);
    const appDiff = dialog.getByRole('region', { name: 'app.js' });
    expect(await appDiff.locator('.d2h-del .d2h-code-line-ctn').innerText()).toBe('const b = 2;');
    expect(await appDiff.locator('.d2h-ins .d2h-code-line-ctn').innerText()).toBe('const b = 3;');
    const ins = await background(page, '.diff-body td.d2h-ins');
    const del = await background(page, '.diff-body td.d2h-del');
    expect(ins && ins[1]! > ins[0]!).toBe(true);
    expect(del && del[0]! > del[1]!).toBe(true);

    // The hostile file's name and content are text, not markup.
    const hostile = dialog.getByRole('region', { name: HOSTILE_NAME });
    expect(await hostile.locator('.d2h-file-name').innerText()).toBe(HOSTILE_NAME);
    expect(await hostile.innerText()).toContain('<script>window.__pwned = "script"</script>');
    expect(await dialog.locator('script, img, iframe').count()).toBe(0);

    const big = dialog.getByRole('region', { name: 'zz-big.txt' });
    expect(await big.getByRole('note').innerText()).toMatch(/too large to show: \d+ bytes of diff/);
    await shot(page, 'diff-01-desktop');

    writeFileSync(join(wt, 'after-refresh.txt'), 'later\n');
    await dialog.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => files.getByRole('listitem').count()).toBe(6);
    expect(await row('after-refresh.txt').innerText()).toMatch(/\+1 −0/);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    await page.context().close();
  }, 90_000);

  it('says there are no changes, and works at phone width', async () => {
    await worktreeSession('clean', false);
    const page = await signedInPage();
    await page.getByRole('treeitem', { name: /clean/ }).waitFor();
    const empty = await openChanges(page, 'clean');
    await empty.getByText('No changes against origin/main.').waitFor();
    expect(await page.getByRole('menuitem', { name: 'Changes…' }).count()).toBe(0);
    await page.context().close();

    await worktreeSession('phone');
    // In the dark theme too (it follows the system here): diff2html gets its dark scheme.
    const phone = await signedInPage({ ...PHONE, colorScheme: 'dark' });
    await phone.getByRole('button', { name: 'Sessions' }).tap();
    await phone.getByRole('treeitem', { name: /phone/ }).waitFor();
    const dialog = await openChanges(phone, 'phone');
    await expect.poll(() => dialog.getByRole('list', { name: 'Changed files' }).getByRole('listitem').count()).toBe(5);
    const box = await dialog.boundingBox();
    expect(box && box.width <= 390).toBe(true);
    // The page itself does not scroll sideways; a long line scrolls inside its file.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(await dialog.locator('.d2h-wrapper.d2h-dark-color-scheme').count()).toBe(4);
    // Both line numbers of a context line sit in its own row.
    const context = dialog.getByRole('region', { name: 'app.js' }).locator('tr').filter({ hasText: 'const a = 1;' });
    expect((await context.locator('.d2h-code-linenumber').innerText()).replace(/\s+/g, ' ').trim()).toBe('1 1');
    const numbers = await context.locator('.line-num1, .line-num2').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
    expect(new Set(numbers).size).toBe(1);
    await shot(phone, 'diff-02-phone');
    await dialog.getByRole('region', { name: 'zz-big.txt' }).scrollIntoViewIfNeeded();
    await shot(phone, 'diff-03-phone-file');
    await phone.context().close();
  }, 90_000);
});
