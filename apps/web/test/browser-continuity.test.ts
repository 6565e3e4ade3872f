// Continuity in the browser: search across sessions (Ctrl K) opening the place found in a
// closed session's read-only history, a live session's log and back, and the "restored"
// badge after the tmux server is killed under a running session. Chromium against the
// real services.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createTmux } from '@rdv/core/tmux';
import { waitFor } from '@rdv/core/testing';
import { DESKTOP, expectScreen, screenText, shot, useBrowser } from './helpers/browser.js';
import { useStack } from './helpers/stack.js';

// A quick reconcile: a killed tmux server is noticed (and its sessions restored) at once.
const stack = await useStack({ RDV_SESSIONS_RECONCILE_INTERVAL_MS: '300' });
const browser = await useBrowser();
let ctx: BrowserContext;
let page: Page;

interface Session {
  id: string;
  name: string;
}
const create = (name: string) => stack.api<Session>('POST', '/api/sessions', { name, kind: 'shell' });
const exec = (id: string, command: string) => stack.api('POST', `/api/sessions/${id}/exec`, { command });
const searchFinds = async (q: string) =>
  (await stack.api<{ items: { sessionId: string }[] }>('GET', `/api/search?q=${encodeURIComponent(q)}`)).items.map((h) => h.sessionId);
const historyBar = (p: Page) => p.locator('.terminal-slot:not([hidden]) .history-bar');

describe('continuity in the browser', () => {
  it('signs in', async () => {
    ctx = await browser.newContext(DESKTOP);
    page = await ctx.newPage();
    await page.goto(await stack.loginLink());
    await page.getByRole('heading', { name: /Start your first session|Pick a session/ }).waitFor();
  });

  it('finds a line deep in a closed session with Ctrl K and opens its history there, read-only', async () => {
    const printer = await create('printer');
    // 4000 rows with one needle in the middle: the place is far from both ends.
    await exec(printer.id, 'i=0; while [ $i -lt 4000 ]; do [ $i -eq 2000 ] && echo "needle-$((6*7))-found"; echo "row $i"; i=$((i+1)); done; echo "all-$((1+1))-done"');
    await waitFor(async () => (await stack.api<{ text: string }>('GET', `/api/sessions/${printer.id}/output?tail=3`)).text.includes('all-2-done'), 'the rows', 20_000);
    await stack.api('DELETE', `/api/sessions/${printer.id}`);
    await waitFor(async () => (await searchFinds('needle-42-found')).includes(printer.id), 'the indexer', 30_000, 250);

    await page.keyboard.press('Control+KeyK');
    const dialog = page.getByRole('dialog', { name: 'Search all sessions' });
    await dialog.getByLabel('Search the output of all sessions').fill('needle-42-found');
    const match = dialog.getByRole('button', { name: /needle-42-found/ });
    await match.waitFor();
    await expect.poll(() => dialog.getByRole('listitem').filter({ hasText: 'printer' }).innerText()).toMatch(/closed/);
    await shot(page, 'continuity-01-search');
    await match.click();
    await dialog.waitFor({ state: 'detached' });

    await expect.poll(() => historyBar(page).innerText()).toMatch(/Output log of “printer”.*closed.*read only/s);
    // Scrolled to the place: the needle and its neighbours are on screen, the log's ends are not.
    await expectScreen(page, /needle-42-found\s*\n\s*row 2000/);
    const screen = await screenText(page);
    expect(screen).not.toMatch(/all-2-done|^row 0$/m);
    await shot(page, 'continuity-02-history-at-place');
    // Read-only: typing goes nowhere, and Find works in the history.
    await page.locator('.terminal-slot:not([hidden]) .xterm').click();
    await page.keyboard.type('echo typed\n');
    await page.keyboard.press('Alt+Shift+KeyF');
    const find = page.getByRole('textbox', { name: 'Find in terminal' });
    await find.fill('all-2-done');
    await find.press('Enter');
    await expectScreen(page, /all-2-done/);
    expect(await screenText(page)).not.toContain('typed');
    await find.press('Escape');
    await find.waitFor({ state: 'detached' });
    await historyBar(page).getByRole('button', { name: 'Close tab' }).click();
    await historyBar(page).waitFor({ state: 'detached' });
  }, 90_000);

  it("opens a live session's output log from its menu, and goes back to the live terminal", async () => {
    const live = await create('live-one');
    await exec(live.id, 'echo "live-$((3*3))-line"');
    await page.getByRole('treeitem', { name: /live-one/ }).click();
    await expectScreen(page, /^live-9-line$/m);
    await page.getByRole('button', { name: 'live-one actions' }).click();
    await page.getByRole('menuitem', { name: 'Output log' }).click();
    await expect.poll(() => historyBar(page).innerText()).toMatch(/still running/);
    await expectScreen(page, /^live-9-line$/m);
    await historyBar(page).getByRole('button', { name: 'Back to the live terminal' }).click();
    await historyBar(page).waitFor({ state: 'detached' });
    await page.locator('.terminal-slot:not([hidden]) .xterm').click();
    await page.keyboard.type('echo "again-$((2*2))"\n');
    await expectScreen(page, /^again-4$/m);
  }, 60_000);

  it('marks sessions brought back after the tmux server died, and attaches to them again', async () => {
    await createTmux({ socket: stack.tmuxSocket }).killServer();
    const row = page.getByRole('treeitem', { name: /live-one/ });
    await row.locator('.badge.restored').waitFor({ timeout: 30_000 });
    expect(await row.locator('.badge.restored').getAttribute('title')).toMatch(/^Restored .*after a reboot or a lost tmux server$/);
    await shot(page, 'continuity-03-restored-badge');
    await row.click();
    // The restored shell starts afresh in a new tmux session; the terminal attaches to it.
    await expect.poll(() => screenText(page).catch(() => ''), { timeout: 20_000 }).toMatch(/[$#]\s*$/);
    await page.locator('.terminal-slot:not([hidden]) .xterm').click();
    await page.keyboard.type('echo "after-$((5*5))"\n');
    await expectScreen(page, /^after-25$/m);
    await shot(page, 'continuity-04-restored-terminal');
    await ctx.close();
  }, 60_000);
});
