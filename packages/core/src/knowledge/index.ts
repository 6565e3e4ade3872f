// Folder knowledge: markdown entries on a folder, seen by its subfolders too, searched
// with FTS5 and rendered as one document for an agent; notes on sessions; learnings drawn
// from sessions' logs, proposed for a person to accept or dismiss.
export { createKnowledgeService, type KnowledgeService, type EntrySource } from './service.js';
export { renderKnowledgeDocument, DEFAULT_DOCUMENT_CHARS, type RenderedDocument } from './document.js';
export { createLearningService, WINDOW_BYTES, MAX_PER_TURN, type LearningService, type LearningServiceDeps } from './learn/service.js';
export { extractLearnings, proposalHash, promptOf, type Learning, type PersonInput } from './learn/learnings.js';
export { parseSteps, type Step } from './learn/transcript.js';
