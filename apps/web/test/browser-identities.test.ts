// The Git identities page in Chromium against the real services: generate, import, copy the
// public key, make default, delete; at desktop and phone width.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSshKey, useRepo, useTempDir } from '@rdv/core/testing';
import { DESKTOP, PHONE, screenText, shot, useBrowser } from './helpers/browser.js';
import { useStack } from './helpers/stack.js';

const stack = await useStack();
const browser = await useBrowser();
afterEach(() => stack.reset());

/** A signed-in page for `fn`, closed afterwards even when `fn` fails (the stack's reset waits for no page to watch a session). */
async function withPage(options: BrowserContextOptions, fn: (page: Page) => Promise<void>): Promise<void> {
  const ctx = await browser.newContext({ ...options, permissions: ['clipboard-read', 'clipboard-write'] });
  try {
    ctx.setDefaultTimeout(15_000);
    const page = await ctx.newPage();
    await page.goto(await stack.loginLink());
    await page.locator('.app').waitFor();
    await fn(page);
  } finally {
    await ctx.close();
  }
}

interface IdentityBody {
  id: string;
  name: string;
  publicKey: string;
  isDefault: boolean;
}

describe('git identities page', () => {
  it('generates and imports identities, copies a public key and sets the default', async () => {
    await withPage(DESKTOP, async (page) => {
      await page.getByRole('button', { name: 'Git identities' }).click();
      const dialog = page.getByRole('dialog', { name: 'Git identities' });
      await dialog.waitFor();
      await dialog.getByText('No identities yet.').waitFor();

      await dialog.getByLabel('Name').fill('Ada Lovelace');
      await dialog.getByLabel('Email').fill('ada@example.com');
      await dialog.getByRole('button', { name: 'Generate' }).click();
      const ada = dialog.getByRole('article', { name: 'Ada Lovelace <ada@example.com>' });
      await ada.waitFor();
      expect(await ada.textContent()).toMatch(/default/);

      const key = makeSshKey(useTempDir(), 'work');
      await dialog.getByLabel('Name').fill('Ada at Work');
      await dialog.getByLabel('Email').fill('ada@work.example');
      await dialog.getByRole('radio', { name: 'Import a key' }).click();
      await dialog.getByLabel('Private key (without a passphrase)').fill(key.privateKey);
      await dialog.getByRole('button', { name: 'Import', exact: true }).click();
      const work = dialog.getByRole('article', { name: 'Ada at Work <ada@work.example>' });
      await work.waitFor();
      const shown = await work.getByLabel('Public key of Ada at Work').inputValue();
      expect(shown.split(' ')[1]).toBe(key.publicKey.split(' ')[1]);
      // The private key is gone from the form and from the page.
      expect(await page.content()).not.toContain('PRIVATE KEY-----\n');
      await shot(page, 'identities-01-desktop');

      await work.getByRole('button', { name: 'Copy public key' }).click();
      await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(shown);
      await work.getByRole('button', { name: 'Make default' }).click();
      await expect.poll(async () => (await stack.api<{ items: IdentityBody[] }>('GET', '/api/identities')).items.find((i) => i.isDefault)?.name).toBe('Ada at Work');

      // A passphrase-protected key is refused with a clear message.
      const locked = join(useTempDir(), 'locked');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'pw', '-f', locked]);
      await dialog.getByLabel('Name').fill('Locked');
      await dialog.getByLabel('Email').fill('locked@example.com');
      await dialog.getByLabel('Private key (without a passphrase)').fill(readFileSync(locked, 'utf8'));
      await dialog.getByRole('button', { name: 'Import', exact: true }).click();
      await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/passphrase/);

      await ada.getByRole('button', { name: 'Delete Ada Lovelace' }).click();
      await ada.getByRole('button', { name: 'Really delete Ada Lovelace' }).click();
      await ada.waitFor({ state: 'detached' });
      expect((await stack.api<{ items: IdentityBody[] }>('GET', '/api/identities')).items.map((i) => i.name)).toEqual(['Ada at Work']);
    });
  });

  it('clones a repository and starts a worktree session from it as the default identity', async () => {
    const me = await stack.api<IdentityBody>('POST', '/api/identities', { name: 'Linus', email: 'linus@example.com', generate: true, makeDefault: true });
    const origin = useRepo();
    await withPage(DESKTOP, async (page) => {
      await page.getByRole('button', { name: 'Git identities' }).click();
      const dialog = page.getByRole('dialog', { name: 'Git identities' });
      const clone = dialog.getByRole('form', { name: 'Clone a repository' });
      await clone.getByLabel('Clone URL').fill(origin.remote);
      await clone.getByRole('button', { name: 'Clone' }).click();
      const row = dialog.getByRole('listitem', { name: origin.remote });
      await expect.poll(() => row.textContent(), { timeout: 15_000 }).toMatch(/ready/);
      // A hostile URL is refused with the reason.
      await clone.getByLabel('Clone URL').fill('ext::sh');
      await clone.getByRole('button', { name: 'Clone' }).click();
      await expect.poll(() => clone.getByRole('alert').textContent()).toMatch(/remote helpers/);
      await shot(page, 'identities-03-repositories');
      await dialog.getByRole('button', { name: 'Close' }).last().click();

      await page.getByRole('button', { name: 'New session' }).first().click();
      const create = page.getByRole('dialog', { name: 'New session' });
      await create.getByLabel('Name').fill('from-clone');
      await create.getByLabel('Work in its own git worktree').check();
      await create.getByLabel('Repository').fill(origin.remote);
      await create.getByLabel('Branch').fill('ui-branch');
      await create.getByRole('button', { name: 'Start session' }).click();
      await create.waitFor({ state: 'detached' });
      // The new session opens in a tab: its terminal attaches before the page may close.
      await expect.poll(() => screenText(page).catch(() => ''), { timeout: 15_000 }).toMatch(/\S/);
      const sessions = await stack.api<{ items: { name: string; worktreeId: string | null; identityId: string | null }[] }>('GET', '/api/sessions');
      const made = sessions.items.find((x) => x.name === 'from-clone')!;
      expect(made.identityId).toBe(me.id);
      const worktrees = await stack.api<{ items: { id: string; repoPath: string; branch: string }[] }>('GET', '/api/worktrees');
      const [repo] = (await stack.api<{ items: { id: string; path: string }[] }>('GET', '/api/repositories')).items;
      expect(worktrees.items.find((w) => w.id === made.worktreeId)).toMatchObject({ branch: 'ui-branch', repoPath: repo!.path });
    });
  });

  it("sets a folder's identity, which its subfolders inherit", async () => {
    const ada = await stack.api<IdentityBody>('POST', '/api/identities', { name: 'Ada Folder', email: 'ada-folder@example.com', generate: true });
    const top = await stack.api<{ id: string }>('POST', '/api/folders', { name: 'Clients' });
    const sub = await stack.api<{ id: string }>('POST', '/api/folders', { name: 'Acme', parentId: top.id });
    await withPage(DESKTOP, async (page) => {
      await page.getByRole('treeitem', { name: /Clients/ }).waitFor();
      await page.getByRole('button', { name: 'Clients actions' }).click();
      await page.getByRole('menuitem', { name: 'Git identity…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Git identity for “Clients”' });
      await dialog.getByLabel('Identity').selectOption({ label: 'Ada Folder <ada-folder@example.com>' });
      await expect
        .poll(async () => (await stack.api<{ source: string | null; identity: IdentityBody | null }>('GET', `/api/identities/default?folderId=${sub.id}`)).source)
        .toBe(top.id);
      await shot(page, 'identities-04-folder');
      await dialog.getByRole('button', { name: 'Done' }).click();

      await page.getByRole('button', { name: 'Acme actions' }).click();
      await page.getByRole('menuitem', { name: 'Git identity…' }).click();
      const child = page.getByRole('dialog', { name: 'Git identity for “Acme”' });
      await expect.poll(() => child.getByLabel('Identity').locator('option').first().textContent()).toBe('As the parent (Ada Folder <ada-folder@example.com>)');
      expect((await stack.api<{ identity: IdentityBody }>('GET', `/api/identities/default?folderId=${sub.id}`)).identity.id).toBe(ada.id);
    });
  });

  it('fits a phone', async () => {
    await stack.api('POST', '/api/identities', { name: 'Grace Hopper', email: 'grace@example.com', generate: true, makeDefault: true });
    await withPage(PHONE, async (page) => {
      await page.locator('.phone-bar').getByRole('button', { name: 'Sessions' }).tap();
      await page.getByRole('button', { name: 'Git identities' }).tap();
      const dialog = page.getByRole('dialog', { name: 'Git identities' });
      await dialog.getByRole('article', { name: 'Grace Hopper <grace@example.com>' }).waitFor();
      const box = await dialog.boundingBox();
      expect(box!.width).toBeLessThanOrEqual(390);
      const keyBox = await dialog.getByLabel('Public key of Grace Hopper').boundingBox();
      expect(keyBox!.x + keyBox!.width).toBeLessThanOrEqual(390);
      await shot(page, 'identities-02-phone');
    });
  });
});
