'use client';
import DOMPurify from 'dompurify';
import { marked } from 'marked';

// Knowledge is written by people and by agents: whatever HTML it carries is dropped or
// sanitized, and nothing in it loads from elsewhere (no images, frames, forms or styles).
const FORBID_TAGS = ['img', 'picture', 'video', 'audio', 'iframe', 'object', 'embed', 'style', 'form', 'input', 'button', 'textarea', 'select', 'svg', 'math'];
let hooked = false;

/** Markdown as sanitized HTML: links open in a new tab without the opener. */
export function renderMarkdown(md: string): string {
  if (!hooked) {
    hooked = true;
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A') {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      }
    });
  }
  const html = marked.parse(md, { async: false, gfm: true });
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS, FORBID_ATTR: ['style', 'class', 'id'] });
}
