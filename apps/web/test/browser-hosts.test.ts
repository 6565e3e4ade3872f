// Sessions on another machine in the browser: a second rdv joined over a real sshd on
// loopback, its session in the sidebar with its host, its terminal reached through the
// edge (edge → api → ssh link → the host's terminal service), greyed out while the link is
// down and live again when it returns. Screenshots at desktop and phone width.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { makeSshKey, startService, useRdvEnv, useSshd, useTempDir, waitFor } from '@rdv/core/testing';
import { DESKTOP, PHONE, expectScreen, shot, useBrowser } from './helpers/browser.js';
import { REPO, useStack } from './helpers/stack.js';

const keys = useTempDir('file', 'rdv-keys-');
const key = makeSshKey(keys, 'primary');
const sshd = await useSshd({ authorizedKeys: [key.publicKey] });

// The other machine: its own RDV_HOME, tmux socket and owner; api and terminal only.
const other = useRdvEnv('file', { prefix: 'rdv-box2-' });
for (const name of ['api', 'terminal'] as const) {
  await startService(join(REPO, `services/${name}/dist/main.js`), { env: other.env, cwd: REPO, health: { socket: join(other.home, 'run', `${name}.sock`) }, name: `box2 ${name}`, stopAfter: 'file', timeoutMs: 30_000 });
}

const stack = await useStack({ RDV_HOSTS_RECONNECT_MAX_SECONDS: '2', RDV_HOSTS_PROBE_INTERVAL_SECONDS: '1' });
const browser = await useBrowser();

interface Host {
  id: string;
  state: string;
}
const hostState = async () => (await stack.api<Host>('GET', '/api/hosts/box2')).state;

const row = (p: Page) => p.getByRole('treeitem', { name: /^far away on box2/ });
const machine = (p: Page) => p.getByRole('region', { name: 'Machines' }).locator('.host-row', { hasText: 'box2' });

describe('sessions on another host in the browser', () => {
  let page: Page;

  it('adds the machine from the sidebar and shows the state of its link', async () => {
    const ctx = await browser.newContext(DESKTOP);
    page = await ctx.newPage();
    await page.goto(await stack.loginLink());
    await page.getByRole('button', { name: 'Add a machine' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a machine' });
    await dialog.getByLabel('Name').fill('box2');
    await dialog.getByLabel('SSH destination').fill(`${sshd.user}@127.0.0.1`);
    await dialog.getByLabel('Port').fill(String(sshd.port));
    await dialog.getByLabel('Identity file').fill(key.privateKeyPath);
    await dialog.getByLabel('rdv home there').fill(other.home);
    await dialog.getByLabel('Token').fill(readFileSync(join(other.home, 'cli-token'), 'utf8').trim());
    await shot(page, 'hosts-00-add-machine');
    await dialog.getByRole('button', { name: 'Add machine' }).click();
    await dialog.waitFor({ state: 'detached' });
    // The first contact pins the host key in RDV_HOME/known_hosts (accept-new).
    await waitFor(async () => (await hostState()) === 'connected', 'box2 connected', 30_000);
    await expect.poll(() => machine(page).innerText(), { timeout: 15_000 }).toMatch(/box2\s+connected · \d+ ms · rdv \d/);
    expect(readFileSync(join(stack.home, 'known_hosts'), 'utf8')).toContain(`[127.0.0.1]:${sshd.port}`);
  });

  it('shows the host\'s session beside this machine\'s and attaches to it through the edge', async () => {
    const added = await stack.api<Host>('GET', '/api/hosts/box2');
    await stack.api('POST', '/api/sessions', { name: 'right here', kind: 'shell' });
    await stack.api('POST', `/api/sessions?host=${added.id}`, { name: 'far away', kind: 'shell' });
    await row(page).waitFor();
    await page.getByRole('treeitem', { name: /^right here,/ }).waitFor();
    await row(page).click();
    await expectScreen(page, /[#$]/);
    await page.locator('.terminal-slot:not([hidden]) .xterm').click();
    await page.keyboard.type('echo web-$((2+3))\n');
    await expectScreen(page, /web-5/);
    await shot(page, 'hosts-01-remote-session');

    // The new-session dialog offers the host; a session started there shows up with it.
    await page.getByRole('button', { name: 'New session' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New session' });
    await dialog.getByLabel('Machine').selectOption({ label: 'box2' });
    await expect.poll(() => dialog.getByLabel('Folder').count()).toBe(0);
    await dialog.getByLabel('Name').fill('picked there');
    await shot(page, 'hosts-01b-host-picker');
    await dialog.getByRole('button', { name: 'Start session' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('treeitem', { name: /^picked there on box2,/ }).waitFor();
    const listed = await stack.api<{ items: { name: string; host: { name: string } | null }[] }>('GET', '/api/sessions?host=box2');
    expect(listed.items.map((s) => s.name)).toContain('picked there');
    await row(page).click();
  });

  it('greys the host\'s sessions out while the link is down, and they come back with it', async () => {
    sshd.cutConnections();
    await sshd.stop();
    await waitFor(async () => (await hostState()) === 'unreachable', 'box2 unreachable', 30_000);
    await expect.poll(() => row(page).getAttribute('class'), { timeout: 15_000 }).toMatch(/unreachable/);
    await expect.poll(() => row(page).getAttribute('aria-label')).toMatch(/on box2 \(unreachable\)/);
    await expect.poll(() => machine(page).innerText(), { timeout: 15_000 }).toMatch(/box2\s+unreachable: \S/);
    await shot(page, 'hosts-02-unreachable');

    const phone = await browser.newContext(PHONE);
    const p = await phone.newPage();
    await p.goto(await stack.loginLink());
    await p.locator('.phone-bar').getByRole('button', { name: 'Sessions' }).click();
    await expect.poll(() => row(p).getAttribute('class'), { timeout: 15_000 }).toMatch(/unreachable/);
    await shot(p, 'hosts-03-phone-unreachable');

    await sshd.start();
    await waitFor(async () => (await stack.api<Host>('POST', '/api/hosts/box2/test')).state === 'connected', 'box2 back', 30_000);
    await expect.poll(() => row(page).getAttribute('class'), { timeout: 15_000 }).not.toMatch(/unreachable/);
    // The terminal reconnects by itself through the restored link.
    await page.locator('.terminal-slot:not([hidden]) .xterm').click();
    await page.keyboard.type('echo back-$((5*11))\n');
    await expectScreen(page, /back-55/, 30_000);
    await shot(page, 'hosts-04-back');
    await expect.poll(() => row(p).getAttribute('class'), { timeout: 15_000 }).not.toMatch(/unreachable/);
    await shot(p, 'hosts-05-phone-back');
    await phone.close();
  });
});
