// Chromium for the browser benches: Debian's /usr/bin/chromium driven by playwright-core,
// launched as the browser tests launch it, signed in to a bench stack's edge.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = () => existsSync(CHROMIUM);

/**
 * One headless Chromium. `gpu: true` leaves out --disable-gpu and asks for SwiftShader, so
 * WebGL2 exists (in software) for the WebGL renderer.
 */
export function launchChromium({ gpu = false } = {}) {
  const args = ['--headless', '--no-sandbox', '--disable-quic', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
  if (gpu) args.push('--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist');
  else args.push('--disable-gpu');
  return chromium.launch({ executablePath: CHROMIUM, args });
}

/** A page of `browser` signed in to the stack's edge with a login link, showing the app. */
export async function signedInPage(browser, stack, path = '/', initScript = null) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  if (initScript) await page.addInitScript(initScript);
  const { code } = await stack.api('POST', '/api/auth/login-links', {});
  await page.goto(`${stack.url}/login?code=${encodeURIComponent(code)}`);
  if (path !== '/') await page.goto(`${stack.url}${path}`);
  await page.locator('[role=tree]').waitFor({ timeout: 60_000 });
  return { context, page };
}
