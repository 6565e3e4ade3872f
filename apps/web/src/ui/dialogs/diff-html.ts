'use client';
import DOMPurify from 'dompurify';
import { html } from 'diff2html';
import type { ColorSchemeType } from 'diff2html/lib/types';

// File names and content come from whatever is in the worktree, so they may be hostile.
// diff2html escapes both; the HTML it makes is sanitized as well, keeping only its own
// markup (no scripts, handlers, styles, images or links).
const FORBID_TAGS = ['img', 'picture', 'video', 'audio', 'iframe', 'object', 'embed', 'style', 'form', 'input', 'button', 'textarea', 'select', 'math', 'a'];

/** One file's unified diff (git's text) as diff2html's line-by-line view, coloured for `scheme`. */
export function renderDiffHtml(patch: string, scheme: 'light' | 'dark'): string {
  const made = html(patch, {
    drawFileList: false,
    outputFormat: 'line-by-line',
    matching: 'none',
    // The enum's values are these strings; importing the enum itself would pull in the CommonJS build.
    colorScheme: scheme as ColorSchemeType,
  });
  return DOMPurify.sanitize(made, { USE_PROFILES: { html: true, svg: true }, FORBID_TAGS, FORBID_ATTR: ['style', 'href', 'src'] });
}
