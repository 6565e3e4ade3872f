// Local mode end to end: login link, sessions from the UI, reload, two pages, fast
// output, reconnect, menus, and the phone key bar — in Chromium against the real services.
// Each test starts from an owner with no sessions and no folders, in a browser context of
// its own, so any one of them runs alone.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { DESKTOP, PHONE, expectScreen, screenText, shot, useBrowser } from './helpers/browser.js';
import { useStack } from './helpers/stack.js';

// No grace period: after a rotation only the new service token works, so the edge must re-read it.
const stack = await useStack({ RDV_AUTH_SERVICE_TOKEN_GRACE_SECONDS: '0' });
const browser = await useBrowser();

const LINK = /http:\/\/127\.0\.0\.1:\d+\/login\?code=[A-Za-z0-9_-]+/;
const terminal = (p: Page) => p.locator('.terminal-slot:not([hidden]) .xterm');
const RDV_42 = { command: 'echo rdv-$((40+2))', until: /^rdv-42$/m };

/** A new browser context for this test (closed after it). */
async function freshContext(options: BrowserContextOptions = DESKTOP) {
  const ctx = await browser.newContext(options);
  onTestFinished(() => ctx.close());
  return ctx;
}

/** A page signed in with a fresh login link, showing the empty pane. */
async function signedIn(options: BrowserContextOptions = DESKTOP) {
  const ctx = await freshContext(options);
  const page = await ctx.newPage();
  await page.goto(await stack.loginLink());
  await page.getByRole('heading', { name: /Pick a session|Start your first session/ }).waitFor();
  return { ctx, page };
}

/** A signed-in page showing a session that has printed rdv-42. */
async function onSessionWithOutput(name = 'demo') {
  const session = await stack.shell(name, RDV_42);
  const { ctx, page } = await signedIn();
  await page.goto(`${stack.url}/?s=${session.id}`);
  await expectScreen(page, RDV_42.until);
  return { ctx, page, session };
}

async function newSession(p: Page, name: string, open: () => Promise<void>): Promise<void> {
  await open();
  const dialog = p.getByRole('dialog', { name: 'New session' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByRole('button', { name: 'Start session' }).click();
  await dialog.waitFor({ state: 'detached' });
  await expect.poll(() => screenText(p).catch(() => ''), { timeout: 15_000 }).toMatch(/\S/);
}

beforeEach(() => stack.reset());

describe('local mode', () => {
  it('prints a login link at start and refuses a browser without one', async () => {
    // Printed once the edge listens; the pipe may deliver it after the first health check answers.
    await expect.poll(() => stack.webOutput()).toMatch(LINK);
    const ctx = await freshContext();
    const page = await ctx.newPage();
    const res = await page.goto(stack.url);
    expect(res?.status()).toBe(401);
    await page.getByRole('heading', { name: 'Sign in to rdv' }).waitFor();
    await shot(page, 'local-01-not-signed-in');
  });

  it('signs in with the link once; the cookie is HttpOnly and SameSite=Strict', async () => {
    await expect.poll(() => stack.webOutput()).toMatch(LINK);
    const link = LINK.exec(stack.webOutput())![0];
    const ctx = await freshContext();
    const page = await ctx.newPage();
    await page.goto(link);
    expect(page.url()).toBe(`${stack.url}/`);
    await page.getByRole('heading', { name: 'Start your first session' }).waitFor();
    const cookie = (await ctx.cookies()).find((c) => c.name === 'rdv_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    await shot(page, 'local-02-first-run');

    const other = await freshContext();
    const p2 = await other.newPage();
    expect((await p2.goto(link))?.status()).toBe(401);
    await p2.getByRole('heading', { name: 'This login link no longer works' }).waitFor();
    await shot(p2, 'local-03-used-link');
  });

  it('creates a session from the UI, runs echo and shows the output', async () => {
    const { page } = await signedIn();
    await page.locator('.empty-card').getByRole('button', { name: 'New session' }).click();
    const dialog = page.getByRole('dialog', { name: 'New session' });
    await dialog.getByLabel('Name').fill('demo');
    await shot(page, 'local-04-new-session-dialog');
    await dialog.getByRole('button', { name: 'Start session' }).click();
    await expect.poll(() => screenText(page).catch(() => ''), { timeout: 15_000 }).toMatch(/\S/);
    await terminal(page).click();
    await page.keyboard.type('echo rdv-$((40+2))\n');
    await expectScreen(page, /^rdv-42$/m);
    await page.getByRole('tab', { name: /demo/ }).waitFor();
    await shot(page, 'local-05-echo');
  });

  it('shows the same screen after a reload', async () => {
    const session = await stack.shell('demo', RDV_42);
    const { page } = await signedIn();
    await page.getByRole('treeitem', { name: /demo/ }).click();
    await expectScreen(page, /^rdv-42$/m);
    await page.reload();
    await expectScreen(page, /^rdv-42$/m);
    expect(new URL(page.url()).searchParams.get('s')).toMatch(/^[0-9a-f-]{36}$/);
    expect(new URL(page.url()).searchParams.get('s')).toBe(session.id);
    await shot(page, 'local-06-after-reload');
  });

  it('keeps working after the service token rotates', async () => {
    const { page } = await onSessionWithOutput();
    const before = stack.serviceToken();
    const status = await page.evaluate(async () => (await fetch('/api/tokens/service/rotate', { method: 'POST' })).status);
    expect(status).toBe(200);
    expect(stack.serviceToken()).not.toBe(before);
    await page.reload();
    await expectScreen(page, /^rdv-42$/m);
    await terminal(page).click();
    await page.keyboard.type('echo after-rotation\n');
    await expectScreen(page, /^after-rotation$/m);
    await shot(page, 'local-06b-after-rotation');
  });

  it('a second page on the same session sees the same output, and either may type', async () => {
    const { ctx, page } = await onSessionWithOutput();
    const second = await ctx.newPage();
    await second.goto(page.url());
    await expectScreen(second, /^rdv-42$/m);
    await terminal(second).click();
    await second.keyboard.type('echo from-second-page\n');
    await expectScreen(second, /^from-second-page$/m);
    await expectScreen(page, /^from-second-page$/m);
    await shot(second, 'local-07-second-page');
    await second.close();
  });

  it('keeps up with a fast stream while typing', async () => {
    const { page } = await onSessionWithOutput();
    await terminal(page).click();
    await page.keyboard.type('seq 1 200000; echo stream-done\n');
    await page.keyboard.type('echo typed-while-streaming\n', { delay: 15 });
    await expectScreen(page, /^typed-while-streaming$/m, 60_000);
    const text = await screenText(page);
    // Keys typed during the stream are echoed by the tty in between the numbers, as in any terminal.
    expect(text).toMatch(/stream-done$/m);
    expect(text).toMatch(/200000/);
    await shot(page, 'local-08-fast-stream');
  }, 90_000);

  it('shows "reconnecting" while the terminal service is down and comes back by itself', async () => {
    const { page } = await onSessionWithOutput();
    // Whatever happens below, the next test finds the terminal service running.
    onTestFinished(() => stack.start('terminal'));
    await stack.stop('terminal');
    const banner = page.getByRole('status').filter({ hasText: 'Reconnecting' });
    await banner.waitFor();
    await shot(page, 'local-09-reconnecting');
    await stack.start('terminal');
    // No click on "Retry now": the backoff brings it back (at most 15 s between tries).
    await banner.waitFor({ state: 'detached', timeout: 25_000 });
    await terminal(page).click();
    await page.keyboard.type('echo back-again\n');
    await expectScreen(page, /^back-again$/m);
    await shot(page, 'local-10-reconnected');
  }, 60_000);

  it('organises sessions: folders, rename, move, suspend, resume and close', async () => {
    const session = await stack.shell('demo', { command: 'echo back-again', until: /^back-again$/m });
    const { page } = await signedIn();
    await page.goto(`${stack.url}/?s=${session.id}`);
    await expectScreen(page, /back-again/);
    await page.getByRole('button', { name: 'New folder' }).click();
    await page.getByRole('dialog', { name: 'New folder' }).getByLabel('Name').fill('Work');
    await page.getByRole('dialog', { name: 'New folder' }).getByRole('button', { name: 'Create' }).click();
    await page.getByRole('treeitem', { name: /Work/ }).waitFor();

    await page.getByRole('button', { name: 'demo actions' }).click();
    await shot(page, 'local-11-session-menu');
    await page.getByRole('menuitem', { name: 'Rename…' }).click();
    await page.getByRole('dialog', { name: 'Rename session' }).getByLabel('Name').fill('api server');
    await page.getByRole('dialog', { name: 'Rename session' }).getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('treeitem', { name: /api server/ }).waitFor();

    await page.getByRole('button', { name: 'api server actions' }).click();
    await page.getByRole('menuitem', { name: 'Move to folder…' }).click();
    await page.getByRole('dialog', { name: /Move/ }).getByText('Work').click();
    await page.getByRole('dialog', { name: /Move/ }).getByRole('button', { name: 'Move' }).click();
    await expect.poll(() => page.getByRole('group').filter({ hasText: 'api server' }).count()).toBeGreaterThan(0);
    await shot(page, 'local-12-in-folder');

    await page.getByRole('button', { name: 'api server actions' }).click();
    await page.getByRole('menuitem', { name: 'Suspend' }).click();
    await page.getByRole('heading', { name: /is suspended/ }).waitFor();
    await shot(page, 'local-13-suspended');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('heading', { name: /is suspended/ }).waitFor({ state: 'detached' });
    await expectScreen(page, /back-again/);

    await page.getByRole('button', { name: 'api server actions' }).click();
    await page.getByRole('menuitem', { name: 'Close session…' }).click();
    await shot(page, 'local-14-confirm-close');
    await page.getByRole('dialog').getByRole('button', { name: 'Close session' }).click();
    await page.getByRole('treeitem', { name: /api server/ }).waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'Start your first session' }).waitFor();
  }, 60_000);

  it('drag to a folder, find in the terminal, dark theme and the shortcuts sheet', async () => {
    await stack.api('POST', '/api/folders', { name: 'Work' });
    const { page } = await signedIn();
    await page.getByRole('treeitem', { name: /Work/ }).waitFor();
    await newSession(page, 'claude-ish', () => page.keyboard.press('Alt+Shift+KeyN'));
    await terminal(page).click();
    await page.keyboard.type('printf "\\033[32mgreen\\033[0m \\033[1mbold\\033[0m \\033[34mblue\\033[0m\\n"\n');
    await expectScreen(page, /^green bold blue$/m);
    await page.getByRole('treeitem', { name: /claude-ish/ }).dragTo(page.getByRole('treeitem', { name: /Work/ }));
    await expect.poll(() => page.getByRole('group').filter({ hasText: 'claude-ish' }).count()).toBeGreaterThan(0);
    await page.keyboard.press('Alt+Shift+KeyF');
    await page.getByRole('textbox', { name: 'Find in terminal' }).fill('bold');
    await page.keyboard.press('Enter');
    const themeButton = page.getByRole('button', { name: /^Theme:/ });
    while (!/dark/.test((await themeButton.getAttribute('aria-label')) ?? '')) await themeButton.click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await shot(page, 'local-15-dark-search-drag');
    await page.getByRole('button', { name: 'Close search' }).click();
    await page.keyboard.press('Alt+Shift+Slash');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await shot(page, 'local-16-shortcuts');
    await page.keyboard.press('Escape');
    await themeButton.click();
  });

  it('lists an agent waiting for a person and answers it from the attention list', async () => {
    const { page } = await signedIn();
    // Master Control watches every session from the first start.
    const orch = await stack.api<{ id: string; monitoring: boolean }>('POST', '/api/orchestrators', { kind: 'master' });
    expect(orch.monitoring).toBe(true);
    onTestFinished(() => stack.api('POST', `/api/orchestrators/${orch.id}/monitoring/stop`));
    const script = join(stack.home, 'deploy-bot.sh');
    writeFileSync(script, 'echo "Found an existing config.json."; printf "Overwrite config.json? [y/N] "; read ans; echo "answer=$ans"; sleep 600\n');
    await page.keyboard.press('Alt+Shift+KeyN');
    const dialog = page.getByRole('dialog', { name: 'New session' });
    await dialog.getByRole('radio', { name: 'Agent' }).click();
    await dialog.getByLabel('Agent').selectOption('custom');
    await dialog.getByLabel('Command').fill(`sh ${script}`);
    await dialog.getByLabel('Name').fill('deploy bot');
    await dialog.getByRole('button', { name: 'Start session' }).click();
    await expectScreen(page, /Overwrite config\.json\? \[y\/N\]/);

    const attention = page.getByRole('region', { name: 'Needs your attention' });
    await attention.getByText('deploy bot', { exact: true }).waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByRole('treeitem', { name: /deploy bot, Waiting for input/ }).count()).toBe(1);
    await shot(page, 'local-17-attention');
    await attention.getByRole('button', { name: 'Answer yes' }).click();
    await expectScreen(page, /^answer=y$/m);
    await attention.getByText('Nothing needs you right now.').waitFor({ timeout: 20_000 });
    // Turned off, the list says nothing is watching instead of "nothing needs you".
    await stack.api('POST', `/api/orchestrators/${orch.id}/monitoring/stop`);
    await attention.getByText(/Monitoring is off/).waitFor({ timeout: 20_000 });
    await attention.getByRole('button', { name: 'Turn it on' }).click();
    await attention.getByText('Nothing needs you right now.').waitFor({ timeout: 20_000 });
    expect((await stack.api<{ monitoring: boolean }>('GET', `/api/orchestrators/${orch.id}`)).monitoring).toBe(true);
    await stack.api('POST', `/api/orchestrators/${orch.id}/monitoring/stop`);
  }, 60_000);

  it('phone layout: the terminal fills the screen and the key bar sends Esc, arrows and Ctrl', async () => {
    const phone = await freshContext(PHONE);
    const p = await phone.newPage();
    await p.goto(await stack.loginLink());
    await p.getByRole('heading', { name: /Pick a session|Start your first session/ }).waitFor();
    await shot(p, 'phone-01-empty');
    await newSession(p, 'phone', () => p.locator('.phone-bar').getByRole('button', { name: 'New session' }).click());
    await terminal(p).tap();
    await p.keyboard.type('cat -v\n');
    const keys = p.getByRole('toolbar', { name: 'Terminal keys' });
    await keys.getByRole('button', { name: 'Escape' }).tap();
    await keys.getByRole('button', { name: 'Up arrow' }).tap();
    await keys.getByRole('button', { name: 'Right arrow' }).tap();
    await p.keyboard.type('x\n');
    await expectScreen(p, /\^\[\^\[\[A\^\[\[Cx/);
    await keys.getByRole('button', { name: 'Control' }).tap();
    await p.keyboard.type('c');
    await expectScreen(p, /\^C/);
    await shot(p, 'phone-02-key-bar');
    await p.getByRole('button', { name: 'Sessions' }).tap();
    await p.getByRole('navigation').waitFor();
    await shot(p, 'phone-03-drawer');
  }, 60_000);
});
