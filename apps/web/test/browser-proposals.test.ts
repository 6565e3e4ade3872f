// The Proposed part of a folder's knowledge panel in Chromium against the real services:
// proposals drawn from a real session's log, hostile content left inert, accept (as is and
// edited) and dismiss, live updates from the event stream, desktop and phone widths.
import { fileURLToPath } from 'node:url';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, shot, useBrowser } from './helpers/browser.js';
import { useStack } from './helpers/stack.js';

const stack = await useStack();
const browser = await useBrowser();
afterEach(() => stack.reset());

const TRANSCRIPT = fileURLToPath(new URL('../../../packages/core/src/knowledge/learn/fixtures/shell-session.log', import.meta.url));
const HOSTILE_BODY = 'Run `make` first.\n\n<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>[x](javascript:window.__pwned=3)';
const HOSTILE_EVIDENCE = '$ make\n<img src=x onerror="window.__pwned=4"></pre><script>window.__pwned=5</script>';

async function signedInPage(options: BrowserContextOptions): Promise<Page> {
  const ctx = await browser.newContext(options);
  ctx.setDefaultTimeout(15_000);
  const page = await ctx.newPage();
  await page.goto(await stack.loginLink());
  await page.locator('.app').waitFor();
  return page;
}

async function openKnowledge(page: Page, folder: string) {
  await page.getByRole('button', { name: `${folder} actions` }).click();
  await page.getByRole('menuitem', { name: 'Knowledge…' }).click();
  const dialog = page.getByRole('dialog', { name: `Knowledge: ${folder}` });
  await dialog.waitFor();
  return dialog;
}

type Items<T> = { items: T[] };

describe('proposed knowledge', () => {
  it('shows proposals from a session log with their evidence, safely; accepts, edits, dismisses, and follows the event stream', async () => {
    const folder = await stack.api<{ id: string }>('POST', '/api/folders', { name: 'Learning' });
    const s = await stack.api<{ id: string }>('POST', '/api/sessions', { name: 'learner', kind: 'shell', folderId: folder.id });
    await stack.api('POST', `/api/sessions/${s.id}/exec`, { command: `cat ${TRANSCRIPT}` });
    await expect
      .poll(async () => (await stack.api<{ proposed: unknown[]; alreadyProposed: number }>('POST', `/api/sessions/${s.id}/proposals/extract`)).alreadyProposed, { timeout: 15_000 })
      .toBe(3);
    await stack.api('POST', `/api/folders/${folder.id}/knowledge/proposals`, { title: 'Build with make', body: HOSTILE_BODY, evidence: HOSTILE_EVIDENCE });

    const page = await signedInPage(DESKTOP);
    await page.getByRole('treeitem', { name: /Learning/ }).waitFor();
    const dialog = await openKnowledge(page, 'Learning');
    const proposed = dialog.getByRole('region', { name: 'Proposed' });
    await expect.poll(() => proposed.getByLabel('4 proposed').count()).toBe(1);
    const npm = proposed.getByRole('article', { name: 'npm rebuild better-sqlite3 works where npm test failed' });
    await npm.waitFor();
    expect(await npm.locator('code').first().textContent()).toBe('npm test');
    await npm.getByText('Evidence').click();
    expect(await npm.locator('pre').last().textContent()).toContain("Error: Cannot find module 'better-sqlite3'");

    const hostile = proposed.getByRole('article', { name: 'Build with make' });
    await hostile.getByText('Evidence').click();
    expect(await hostile.locator('.kb-evidence pre').textContent()).toBe(HOSTILE_EVIDENCE);
    expect(await hostile.locator('img, script').count()).toBe(0);
    expect(await hostile.locator('a').getAttribute('href')).toBeNull();
    await shot(page, 'proposals-01-desktop');

    // Accepted as it is: it moves from Proposed to the entries, written by the person.
    await npm.getByRole('button', { name: /^Accept npm rebuild/ }).click();
    await npm.waitFor({ state: 'detached' });
    const entries = dialog.getByRole('list', { name: 'Knowledge entries' });
    const entry = entries.getByRole('article', { name: 'npm rebuild better-sqlite3 works where npm test failed' });
    await entry.waitFor();
    await expect.poll(() => entry.textContent()).toMatch(/accepted from session learner/);

    // Accepted edited.
    const python = proposed.getByRole('article', { name: /^python3 manage.py migrate/ });
    await python.getByRole('button', { name: /^Edit and accept/ }).click();
    const form = python.getByRole('form');
    await form.getByLabel('Title').fill('Use python3 on this box');
    await form.getByLabel('Tags').fill('python');
    await form.getByRole('button', { name: 'Accept edited' }).click();
    await entries.getByRole('article', { name: 'Use python3 on this box' }).waitFor();

    // Dismissed: gone from the panel, never knowledge.
    await proposed.getByRole('button', { name: 'Dismiss git pull --rebase works where git push failed' }).click();
    await expect.poll(() => proposed.getByLabel('1 proposed').count()).toBe(1);
    const kept = await stack.api<Items<{ title: string; tags: string[] }>>('GET', `/api/folders/${folder.id}/knowledge`);
    expect(kept.items.map((e) => e.title).sort()).toEqual(['Use python3 on this box', 'npm rebuild better-sqlite3 works where npm test failed']);
    expect(kept.items.find((e) => e.title.startsWith('Use'))!.tags).toEqual(['python']);

    // A proposal made elsewhere shows up while the panel is open.
    await stack.api('POST', `/api/folders/${folder.id}/knowledge/proposals`, { title: 'Proposed while you watched', body: 'live' });
    await proposed.getByRole('article', { name: 'Proposed while you watched' }).waitFor();
    await expect.poll(() => proposed.getByLabel('2 proposed').count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await shot(page, 'proposals-02-decided');
    await page.context().close();
  }, 60_000);

  it('shows an empty state, and fits a phone', async () => {
    const folder = await stack.api<{ id: string }>('POST', '/api/folders', { name: 'Quiet' });
    const page = await signedInPage(DESKTOP);
    const dialog = await openKnowledge(page, 'Quiet');
    await dialog.getByText(/Nothing proposed/).waitFor();
    expect(await dialog.getByLabel('0 proposed').count()).toBe(1);
    await page.context().close();

    await stack.api('POST', `/api/folders/${folder.id}/knowledge/proposals`, { title: 'Restart the dev server after changing .env', body: 'It reads `.env` once at start.', evidence: '$ npm run dev\nError: PORT is not set' });
    const phone = await signedInPage(PHONE);
    await phone.getByRole('button', { name: 'Sessions' }).tap();
    await phone.getByRole('navigation').waitFor();
    const onPhone = await openKnowledge(phone, 'Quiet');
    const p = onPhone.getByRole('article', { name: 'Restart the dev server after changing .env' });
    await p.waitFor();
    const box = await p.getByRole('button', { name: /^Dismiss/ }).boundingBox();
    expect(box && box.x + box.width).toBeLessThanOrEqual(390);
    await shot(phone, 'proposals-03-phone');
    await phone.context().close();
  }, 60_000);
});
