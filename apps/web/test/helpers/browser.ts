// Debian's Chromium driven by playwright-core, with screenshots under test-output/web/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, expect } from 'vitest';
import { REPO } from './stack.js';

export const SHOTS = join(REPO, 'test-output', 'web');
export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' };
export const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 780 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, reducedMotion: 'reduce' };

/** One Chromium for the test file, closed afterwards. */
export async function useBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  afterAll(() => browser.close());
  return browser;
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), animations: 'disabled' });
}

/** The text of the visible terminal. */
export const screenText = (page: Page) => page.locator('.terminal-slot:not([hidden]) .xterm-rows').innerText();

/** Waits until the visible terminal shows `pattern`. */
export async function expectScreen(page: Page, pattern: RegExp, timeoutMs = 15_000): Promise<void> {
  await expect.poll(() => screenText(page).catch(() => ''), { timeout: timeoutMs, interval: 100 }).toMatch(pattern);
}
