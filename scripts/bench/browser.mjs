#!/usr/bin/env node
// In Chromium with the real UI (signed in through the edge), for the DOM renderer and the
// WebGL one (SwiftShader where there is no GPU; skipped when the browser has no WebGL2):
//   keystroke → glyph   a CDP key event until xterm.js has the glyph in its buffer and has
//                       rendered it (its onRender), `--keys` (200) keystrokes; against the
//                       terminal.sock echo measured from node in the same run;
//   open                a click on a session in the sidebar until its screen shows;
//   stream              `--mb` (20) MB of coloured text rendered: MB/s against the same
//                       stream over terminal.sock to node; long tasks (> 50 ms) meanwhile;
//                       a click every 250 ms and how long until its handler ran.
// Goals: keystroke p50 <= echo p50 + 16.7 ms; no task over 100 ms while streaming; clicks answered.
import { join } from 'node:path';
import WebSocket from 'ws';
import { nextRun, throughput, waitForBytes, writeColouredFile } from '../../services/terminal/bench/lib.mjs';
import { hasChromium, launchChromium, signedInPage } from './chromium.mjs';
import { fmt, log, machine, now, numberArg, out, percentile, sleep, verdict, withStack } from './stack.mjs';

const KEYS = numberArg('keys', 'BENCH_KEYS', 200);
const MB = numberArg('mb', 'BENCH_MB', 20);
const FRAME_MS = 16.7;

function wsDirect(stack, session, cols = 120, rows = 32) {
  const ws = new WebSocket(`ws+unix://${stack.sockets.terminal}:/ws/terminal/${session.id}?cols=${cols}&rows=${rows}`, { headers: { authorization: `Bearer ${stack.token()}` }, perMessageDeflate: false });
  const listeners = new Set();
  ws.on('message', (data, binary) => binary && listeners.forEach((l) => l(data)));
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => resolve({ write: (t) => ws.send(JSON.stringify({ type: 'input', data: t })), onData: (l) => (listeners.add(l), () => listeners.delete(l)), close: () => ws.close() }));
  });
}

/** Echo round trips over terminal.sock from node: the floor the browser's figure is held to. */
async function directEcho(stack, session, count) {
  const term = await wsDirect(stack, session);
  const run = nextRun();
  const ready = waitForBytes(term, `READY${run}`, 30_000);
  term.write(`clear; printf 'READ%s\\n' Y${run}\r`);
  await ready;
  const times = [];
  for (let i = 0; i < count; i++) {
    const ch = String.fromCharCode(97 + (i % 26));
    const seen = waitForBytes(term, ch, 5000);
    const t = process.hrtime.bigint();
    term.write(ch);
    times.push(Number((await seen) - t) / 1e6);
    if (i % 40 === 39) (term.write('\x15'), await sleep(30));
  }
  term.write('\x15');
  term.close();
  return times;
}

/** Before the app loads: when each websocket message arrived, to split a keystroke's time into network and drawing. */
function stampMessages() {
  const desc = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
  Object.defineProperty(WebSocket.prototype, 'onmessage', {
    configurable: true,
    get: desc.get,
    set(fn) {
      desc.set.call(this, (ev) => {
        window.__wsAt = performance.now();
        return fn.call(this, ev);
      });
    },
  });
}

/** In the page: the visible terminal (its element carries the xterm.js Terminal). */
const VISIBLE = '.terminal-slot:not([hidden]) .terminal-host';

async function openSession(page, name) {
  await page.evaluate(() => (window.__open = { clicked: 0 }));
  await page.evaluate((sel) => {
    document.addEventListener('click', () => (window.__open.clicked = performance.now()), { capture: true, once: true });
    const tick = () => {
      const term = document.querySelector(sel)?.terminal;
      const shows = term && Array.from({ length: term.rows }, (_, y) => term.buffer.active.getLine(y)?.translateToString(true) ?? '').some((l) => l.trim());
      if (shows && window.__open.clicked) requestAnimationFrame(() => (window.__open.shown = performance.now()));
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }, VISIBLE);
  await page.getByRole('treeitem', { name: new RegExp(`^${name},`) }).click();
  await page.waitForFunction(() => window.__open.shown !== undefined, null, { timeout: 30_000 });
  return page.evaluate(() => window.__open.shown - window.__open.clicked);
}

/** Keystrokes through CDP; each timed in the page from its keydown until xterm.js rendered the glyph. */
async function keystrokes(page, cdp, count) {
  await page.evaluate((sel) => {
    const term = document.querySelector(sel).terminal;
    const st = (window.__keys = { typed: '', t0: 0, times: [], net: [] });
    document.addEventListener('keydown', () => (st.t0 = performance.now()), { capture: true });
    term.onRender(() => {
      if (!st.t0 || !st.typed) return;
      const line = (term.buffer.active.getLine(term.buffer.active.cursorY + term.buffer.active.baseY)?.translateToString(true) ?? '').trimEnd();
      if (line.endsWith(st.typed)) {
        st.times.push(performance.now() - st.t0);
        st.net.push((window.__wsAt ?? st.t0) - st.t0);
        st.resolve?.();
        st.t0 = 0;
      }
    });
  }, VISIBLE);
  await page.locator(VISIBLE).click();
  for (let i = 0; i < count; i++) {
    const ch = String.fromCharCode(97 + (i % 26));
    const before = await page.evaluate((c) => ((window.__keys.typed += c), window.__keys.times.length), ch);
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', text: ch, key: ch, unmodifiedText: ch });
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: ch });
    // Told by the page itself, not polled: polling every frame would keep the renderer busy and slow what it measures.
    const seen = page.evaluate((n) => window.__keys.times.length > n || new Promise((resolve) => (window.__keys.resolve = resolve)), before);
    await Promise.race([seen, sleep(10_000).then(() => Promise.reject(new Error('no glyph within 10 s')))]).catch(async (err) => {
      const line = await page.evaluate((sel) => {
        const b = document.querySelector(sel).terminal.buffer.active;
        return JSON.stringify({ line: b.getLine(b.cursorY + b.baseY)?.translateToString(true), typed: window.__keys.typed, focus: document.activeElement?.className });
      }, VISIBLE);
      throw new Error(`${err.message}; the terminal shows ${line}`);
    });
    // A typist's pace (about 12 keys a second), not back to back with the last frame.
    await sleep(80);
    if (i % 40 === 39) {
      await page.keyboard.press('Control+u');
      await page.evaluate(() => (window.__keys.typed = ''));
      await sleep(50);
    }
  }
  await page.keyboard.press('Control+u');
  return page.evaluate(() => ({ times: window.__keys.times, net: window.__keys.net }));
}

/** `cat` of the file in the visible terminal until its marker is in xterm.js's buffer and rendered; long tasks and click delays meanwhile. */
async function stream(page, cdp, file, bytes) {
  const run = nextRun();
  const marker = `BENCHDONE${run}`;
  await page.evaluate(
    ({ sel, marker }) => {
      const term = document.querySelector(sel).terminal;
      const st = (window.__stream = { longTasks: [], clicks: [], done: 0, started: 0 });
      new PerformanceObserver((list) => list.getEntries().forEach((e) => st.started && !st.done && st.longTasks.push(e.duration))).observe({ type: 'longtask' });
      document.addEventListener('click', (e) => st.started && !st.done && st.clicks.push(performance.now() - e.timeStamp), { capture: true });
      term.onRender(() => {
        if (st.done || !st.started) return;
        const b = term.buffer.active;
        for (let y = Math.max(0, b.cursorY - 3); y <= b.cursorY; y++) {
          if ((b.getLine(b.baseY + y)?.translateToString(true) ?? '').includes(marker)) st.done = performance.now();
        }
      });
    },
    { sel: VISIBLE, marker },
  );
  const box = await page.locator(VISIBLE).boundingBox();
  await page.evaluate(() => (window.__stream.started = performance.now()));
  await page.keyboard.type(`cat ${file}; printf 'BENCH%s\\n' DONE${run}\n`);
  for (;;) {
    if (await page.evaluate(() => window.__stream.done !== 0)) break;
    const at = { x: box.x + box.width / 2, y: box.y + box.height / 2, button: 'left', clickCount: 1 };
    await cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...at });
    await cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...at });
    await sleep(250);
  }
  const r = await page.evaluate(() => window.__stream);
  return { seconds: (r.done - r.started) / 1000, rate: bytes / 1048576 / ((r.done - r.started) / 1000), longTasks: r.longTasks, clicks: r.clicks };
}

if (!hasChromium()) {
  out('browser bench: skipped (no Chromium; set BENCH_CHROMIUM to its path)');
  process.exit(0);
}
await withStack({ prefix: 'rdvbb-' }, async (stack) => {
  out(`browser bench: ${KEYS} keystrokes, ${MB} MB stream, Chromium headless; ${machine()}`);
  await stack.start('api');
  await stack.start('terminal');
  await stack.start('web');
  const file = join(stack.home, 'coloured.txt');
  const bytes = writeColouredFile(file, MB);
  const echoSession = await stack.shell('echo');
  const echo = await directEcho(stack, echoSession, KEYS);
  const streamSession = await stack.shell('stream-direct');
  const direct = (await throughput(null, streamSession, (_e, s, c, r) => wsDirect(stack, s, c, r), 1, file, bytes, 160, 40))[0];
  const results = [];
  for (const renderer of ['dom', 'webgl']) {
    const browser = await launchChromium({ gpu: renderer === 'webgl' });
    try {
      const { page } = await signedInPage(browser, stack, `/?renderer=${renderer}`, stampMessages);
      const cdp = await page.context().newCDPSession(page);
      const name = `${renderer}-view`;
      await stack.shell(name);
      await page.getByRole('treeitem', { name: new RegExp(`^${name},`) }).waitFor().catch(async (err) => {
        await page.screenshot({ path: join(stack.home, '..', `rdv-bench-${renderer}.png`) });
        throw err;
      });
      const opens = [];
      opens.push(await openSession(page, name));
      const drawn = await page.locator(VISIBLE).getAttribute('data-renderer');
      if (drawn !== renderer) {
        out(`  ${renderer}: not available in this Chromium (it drew with ${drawn}); skipped`);
        continue;
      }
      log(`${renderer}: keystrokes…`);
      const { times: keys, net } = await keystrokes(page, cdp, KEYS);
      log(`${renderer}: stream…`);
      const s = await stream(page, cdp, file, bytes);
      results.push({ renderer, opens, keys, net, s });
    } finally {
      await browser.close();
    }
  }
  const p50 = (xs) => percentile(xs, 50);
  out();
  out(`terminal.sock from node (baseline): echo p50 ${fmt(p50(echo), 2)} ms p99 ${fmt(percentile(echo, 99), 2)}; ${MB} MB at ${fmt(direct.rate, 1)} MB/s`);
  for (const { renderer, opens, keys, net, s } of results) {
    const worst = Math.max(0, ...s.longTasks);
    out(`${renderer} renderer`);
    out(`  keystroke → glyph rendered   p50 ${fmt(p50(keys), 1)} ms  p99 ${fmt(percentile(keys, 99), 1)}  (echo + ${fmt(p50(keys) - p50(echo), 1)})  goal <= echo + ${FRAME_MS}  ${verdict(p50(keys) <= p50(echo) + FRAME_MS)}`);
    out(`    of which key → echo arrives p50 ${fmt(p50(net), 1)} ms, echo → glyph drawn p50 ${fmt(p50(keys.map((k, i) => k - net[i])), 1)} ms`);
    out(`  open a session → screen      ${fmt(opens[0], 0)} ms`);
    out(`  ${MB} MB stream rendered        ${fmt(s.rate, 1)} MB/s  (${fmt(s.rate / direct.rate, 2)}x terminal.sock to node)`);
    out(`  long tasks while streaming   ${s.longTasks.length} over 50 ms, longest ${fmt(worst, 0)} ms  goal none over 100  ${verdict(worst <= 100)}`);
    out(`  click → handler meanwhile    ${s.clicks.length} clicks, p50 ${fmt(p50(s.clicks), 1)} ms  max ${fmt(Math.max(0, ...s.clicks), 1)} ms  ${verdict(s.clicks.length > 0 && Math.max(...s.clicks) <= 100)}`);
  }
  out(`  (${machine()})`);
});
