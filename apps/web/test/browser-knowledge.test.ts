// A folder's knowledge panel in Chromium against the real services: inherited entries,
// markdown rendered, hostile HTML in an entry left inert, search with snippets, add and delete.
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { DESKTOP, shot, useBrowser } from './helpers/browser.js';
import { useStack } from './helpers/stack.js';

const stack = await useStack();
const browser = await useBrowser();
afterEach(() => stack.reset());

async function signedInPage(): Promise<Page> {
  const ctx = await browser.newContext(DESKTOP);
  ctx.setDefaultTimeout(15_000);
  const page = await ctx.newPage();
  await page.goto(await stack.loginLink());
  await page.locator('.app').waitFor();
  return page;
}

const HOSTILE = [
  'Run `npm test` with **nice**.',
  '',
  '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>',
  '[click](javascript:window.__pwned=3) <a href="https://example.com/doc" onclick="window.__pwned=4">docs</a>',
].join('\n');

describe('knowledge panel', () => {
  it('shows a folder\'s knowledge and its parent\'s, rendered safely, and adds, searches and deletes', async () => {
    const top = await stack.api<{ id: string }>('POST', '/api/folders', { name: 'Clients' });
    const sub = await stack.api<{ id: string }>('POST', '/api/folders', { name: 'Acme', parentId: top.id });
    await stack.api('POST', `/api/folders/${top.id}/knowledge`, { title: 'House rules', body: HOSTILE, tags: ['ci'] });
    const page = await signedInPage();
    await page.getByRole('treeitem', { name: /Clients/ }).waitFor();
    await page.getByRole('button', { name: 'Acme actions' }).click();
    await page.getByRole('menuitem', { name: 'Knowledge…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Knowledge: Acme' });
    await dialog.waitFor();

    const rules = dialog.getByRole('article', { name: 'House rules' });
    await rules.waitFor();
    await expect.poll(() => rules.textContent()).toMatch(/from Clients/);
    expect(await rules.locator('strong').textContent()).toBe('nice');
    expect(await rules.locator('code').textContent()).toBe('npm test');
    expect(await rules.locator('img, script').count()).toBe(0);
    const links = rules.locator('a');
    expect(await links.count()).toBe(2);
    expect(await links.nth(0).getAttribute('href')).toBeNull();
    expect(await links.nth(1).getAttribute('href')).toBe('https://example.com/doc');
    expect(await links.nth(1).getAttribute('onclick')).toBeNull();
    expect(await links.nth(1).getAttribute('rel')).toBe('noopener noreferrer');
    // An inherited entry is changed in its own folder, not here.
    expect(await rules.getByRole('button', { name: /Delete/ }).count()).toBe(0);
    await shot(page, 'knowledge-01-inherited');

    await dialog.getByLabel('Title').fill('Staging');
    await dialog.getByLabel('Body (markdown)').fill('Deploy with `make staging`; the *migration* runs first.');
    await dialog.getByLabel('Tags').fill('deploy');
    await dialog.getByRole('button', { name: 'Add' }).click();
    const staging = dialog.getByRole('article', { name: 'Staging' });
    await staging.waitFor();
    expect(await staging.locator('em').textContent()).toBe('migration');
    const saved = await stack.api<{ items: { title: string; folderId: string }[] }>('GET', `/api/folders/${sub.id}/knowledge?own=true`);
    expect(saved.items.map((e) => e.title)).toEqual(['Staging']);

    await dialog.getByLabel('Search').fill('migration');
    await expect.poll(() => dialog.getByRole('article').count()).toBe(1);
    expect(await dialog.getByRole('article').locator('strong').textContent()).toBe('migration');
    await shot(page, 'knowledge-02-search');
    await dialog.getByLabel('Search').fill('');
    await expect.poll(() => dialog.getByRole('article').count()).toBe(2);

    await staging.getByRole('button', { name: 'Delete Staging' }).click();
    await staging.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.context().close();
  });
});
