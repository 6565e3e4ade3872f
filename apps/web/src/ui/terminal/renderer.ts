'use client';
import type { Terminal } from '@xterm/xterm';
import { toDisposable, type Disposable } from '@rdv/core/disposable';

/** How a terminal draws: `auto` is WebGL where the browser has hardware-accelerated WebGL2, else the DOM renderer. */
export type RendererChoice = 'auto' | 'webgl' | 'dom';

/** `?renderer=dom|webgl` in the page's address wins (benches, comparisons); then the stored setting `rdv.renderer`; else auto. */
export function rendererChoice(): RendererChoice {
  const pick = (v: string | null | undefined): RendererChoice | null => (v === 'auto' || v === 'webgl' || v === 'dom' ? v : null);
  try {
    return pick(new URLSearchParams(window.location.search).get('renderer')) ?? pick(localStorage.getItem('rdv.renderer')) ?? 'auto';
  } catch {
    // Storage refused (private mode): the default.
    return 'auto';
  }
}

/** Renderers that draw WebGL on the CPU: slower than the DOM renderer, so `auto` keeps to the DOM there. */
const SOFTWARE_GL = /swiftshader|llvmpipe|softpipe|software/i;

/** WebGL2 in this browser; unless `software` is enough, only where a GPU does the work. */
const hasWebGl2 = (software: boolean): boolean => {
  try {
    const gl = document.createElement('canvas').getContext('webgl2', { failIfMajorPerformanceCaveat: !software });
    if (!gl) return false;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
    // The probe's context is let go at once: browsers cap how many a page may hold.
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return software || !SOFTWARE_GL.test(name);
  } catch {
    return false;
  }
};

/**
 * Loads the WebGL renderer on an opened terminal unless the choice is `dom` or the browser
 * has no WebGL2 (for `auto`: none on a GPU). When the GPU context is lost (a driver reset, too many contexts) the addon
 * is disposed and xterm.js draws with its DOM renderer again.
 * `onChange` is told which renderer draws, now and after a fallback.
 */
export async function loadRenderer(term: Terminal, choice: RendererChoice, onChange: (renderer: 'webgl' | 'dom') => void): Promise<Disposable> {
  if (choice === 'dom' || !hasWebGl2(choice === 'webgl')) {
    onChange('dom');
    return toDisposable(() => {});
  }
  try {
    const { WebglAddon } = await import('@xterm/addon-webgl');
    const webgl = new WebglAddon();
    let disposed = false;
    const drop = () => {
      if (disposed) return;
      disposed = true;
      webgl.dispose();
      onChange('dom');
    };
    webgl.onContextLoss(drop);
    term.loadAddon(webgl);
    onChange('webgl');
    return toDisposable(drop);
  } catch {
    // WebGL2 was there but the renderer could not start (blocklisted GPU): the DOM renderer stays.
    onChange('dom');
    return toDisposable(() => {});
  }
}
