// Folder knowledge: markdown entries on a folder, seen by its subfolders too, searched
// with FTS5 and rendered as one document for an agent; notes on sessions.
export { createKnowledgeService, type KnowledgeService } from './service.js';
export { renderKnowledgeDocument, DEFAULT_DOCUMENT_CHARS, type RenderedDocument } from './document.js';
