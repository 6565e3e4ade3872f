// A folder's notification switches in Chromium against the real services: each kind follows
// the parent unless set on the folder, and "As the parent" hands it back.
import { afterEach, describe, expect, it } from 'vitest';
import { DESKTOP, shot, useBrowser } from './helpers/browser.js';
import { useStack } from './helpers/stack.js';

const stack = await useStack();
const browser = await useBrowser();
afterEach(() => stack.reset());

type FolderNotify = { notifications: Record<string, boolean> };

describe('folder notifications', () => {
  it('sets and clears what notifies for one folder, leaving the others to inherit', async () => {
    const folder = await stack.api<{ id: string }>('POST', '/api/folders', { name: 'Night builds' });
    const ctx = await browser.newContext(DESKTOP);
    ctx.setDefaultTimeout(15_000);
    const page = await ctx.newPage();
    await page.goto(await stack.loginLink());
    await page.locator('.app').waitFor();
    await page.getByRole('button', { name: 'Night builds actions' }).click();
    await page.getByRole('menuitem', { name: 'Notifications…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Notifications for “Night builds”' });
    await dialog.waitFor();
    // Nothing set yet: every kind follows the parent.
    expect(await dialog.getByLabel('Turn finished').inputValue()).toBe('inherit');

    await dialog.getByLabel('Turn finished').selectOption('off');
    await dialog.getByLabel('A question').selectOption('on');
    await expect
      .poll(async () => (await stack.api<FolderNotify>('GET', `/api/folders/${folder.id}`)).notifications)
      .toEqual({ turn_finished: false, question: true });
    await shot(page, 'folder-notifications-01-set');

    await dialog.getByLabel('Turn finished').selectOption('inherit');
    await expect
      .poll(async () => (await stack.api<FolderNotify>('GET', `/api/folders/${folder.id}`)).notifications)
      .toEqual({ question: true });
    // Reopened, the dialog shows what is stored.
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Night builds actions' }).click();
    await page.getByRole('menuitem', { name: 'Notifications…' }).click();
    expect(await dialog.getByLabel('A question').inputValue()).toBe('on');
    expect(await dialog.getByLabel('Turn finished').inputValue()).toBe('inherit');
    await ctx.close();
  });
});
