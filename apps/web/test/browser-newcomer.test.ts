// What someone new to rdv meets first: the new-session dialog takes a typed name at once,
// and a terminal whose service dies keeps its screen and the keys typed meanwhile.
// Chromium against the real services; each test signs in and makes its own session.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, expectScreen, screenText, shot, useBrowser } from './helpers/browser.js';
import { useStack } from './helpers/stack.js';

const stack = await useStack();
const browser = await useBrowser();

const slot = (p: Page) => p.locator('.terminal-slot:not([hidden])');

async function signedInPage(): Promise<Page> {
  const ctx = await browser.newContext(DESKTOP);
  // A step that hangs fails on its own line, well inside the test's time.
  ctx.setDefaultTimeout(15_000);
  const page = await ctx.newPage();
  await page.goto(await stack.loginLink());
  await page.locator('.app').waitFor();
  return page;
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

describe('newcomer', () => {
  it('typing right after the new-session dialog opens names the session', async () => {
    const page = await signedInPage();
    await page.getByRole('button', { name: 'New session' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New session' });
    await dialog.waitFor();
    const name = dialog.getByLabel('Name');
    // No click into the field: the suggested name is selected, so typing replaces it.
    await page.keyboard.type('first-try');
    expect(await name.inputValue()).toBe('first-try');
    await shot(page, 'newcomer-01-typed-name');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: /first-try/ }).waitFor();
    await page.context().close();
  });

  it('keeps the screen, dimmed, while the terminal service is down, and sends what was typed when it is back', async () => {
    const session = await stack.api<{ id: string }>('POST', '/api/sessions', { name: 'outage' });
    const page = await signedInPage();
    await page.goto(`${stack.url}/?s=${session.id}`);
    await expect.poll(() => screenText(page).catch(() => ''), { timeout: 15_000 }).toMatch(/\S/);
    await slot(page).locator('.xterm').click();
    await page.keyboard.type('echo before-$((6*7))\n');
    await expectScreen(page, /^before-42$/m);

    const pid = Number.parseInt(readFileSync(join(stack.home, 'server', 'terminal.pid'), 'utf8'), 10);
    process.kill(pid, 'SIGKILL');
    const banner = page.getByRole('status').filter({ hasText: 'Reconnecting' });
    await banner.waitFor({ timeout: 15_000 });
    await expect.poll(() => banner.innerText()).toContain('What you type is sent when it is back');
    // The last screen stays, dimmed, instead of going blank.
    expect(await screenText(page)).toMatch(/^before-42$/m);
    expect(await slot(page).getAttribute('class')).toContain('stale');
    const opacity = () => slot(page).locator('.terminal-host').evaluate((el) => Number(getComputedStyle(el).opacity));
    await expect.poll(opacity).toBeLessThan(0.6);

    // Typed during the outage: held, and the banner says how much.
    await slot(page).locator('.xterm').click();
    const typed = 'echo during-$((6*7))\n';
    await page.keyboard.type(typed);
    await expect.poll(() => banner.innerText()).toContain(`${typed.length} typed characters will be sent when it is back`);
    // Past the limit nothing more is kept, and the banner says input is paused.
    await page.keyboard.insertText('x'.repeat(5000));
    await expect.poll(() => banner.innerText()).toContain(`Input paused: ${typed.length} typed characters will be sent when it is back; more is not kept`);
    // A retry the edge refused (the service is still down) does not clear the screen either.
    await expect.poll(() => banner.innerText(), { timeout: 10_000 }).toContain('the terminal service is not running');
    expect(await screenText(page)).toMatch(/^before-42$/m);
    expect(await screenText(page)).not.toMatch(/during/);
    await shot(page, 'newcomer-02-outage');

    await expect.poll(() => processGone(pid), { timeout: 10_000 }).toBe(true);
    await stack.start('terminal');
    await banner.waitFor({ state: 'detached', timeout: 25_000 });
    await expectScreen(page, /^during-42$/m);
    expect(await screenText(page)).toMatch(/^before-42$/m);
    expect(await screenText(page)).not.toMatch(/xxxxxxxxxx/);
    expect(await slot(page).getAttribute('class')).not.toContain('stale');
    await expect.poll(opacity).toBe(1);
    await shot(page, 'newcomer-03-back');
    await page.context().close();
  }, 90_000);
});
