import type { KnowledgeEntry } from '../schemas/index.js';

/** The default cap on a knowledge document (characters), what a session is started with. */
export const DEFAULT_DOCUMENT_CHARS = 16_000;

export interface RenderedDocument {
  markdown: string;
  truncated: boolean;
}

const entryText = (e: KnowledgeEntry): string => {
  const tags = e.tags.length ? `\n\nTags: ${e.tags.join(', ')}` : '';
  const by = e.author.kind === 'session' ? `session ${e.author.name}` : e.author.name;
  return `### ${e.title}\n\n_${by}, ${e.updatedAt.slice(0, 10)}_\n\n${e.body.trim()}${tags}\n`;
};

/**
 * A folder chain's knowledge as one markdown document: a section per folder, root first,
 * so what is nearer the work comes last and wins where they disagree. Past `maxChars`,
 * whole entries are left out (the nearest folder's first, newest entries kept) and a note
 * at the end says how many and how to read them all.
 */
export function renderKnowledgeDocument(
  chain: readonly { id: string; name: string }[],
  entries: readonly KnowledgeEntry[],
  maxChars = DEFAULT_DOCUMENT_CHARS,
): RenderedDocument {
  const head = `# Folder knowledge: ${chain.map((f) => f.name).join(' / ')}\n\nNotes kept in rdv for this folder and the folders above it. Add what you learn with the knowledge_add tool.\n`;
  if (entries.length === 0) return { markdown: `${head}\n_No entries yet._\n`, truncated: false };
  // Nearest folder first, newest first: these are kept when the cap bites.
  const depth = new Map(chain.map((f, i) => [f.id, i]));
  const byPriority = [...entries].sort(
    (a, b) => (depth.get(b.folderId) ?? 0) - (depth.get(a.folderId) ?? 0) || b.updatedAt.localeCompare(a.updatedAt),
  );
  const NOTE_ROOM = 240;
  let used = head.length + NOTE_ROOM;
  const kept = new Set<string>();
  for (const e of byPriority) {
    const size = entryText(e).length + 80;
    if (used + size > maxChars) continue;
    used += size;
    kept.add(e.id);
  }
  const sections: string[] = [head];
  for (const folder of chain) {
    const mine = entries.filter((e) => e.folderId === folder.id && kept.has(e.id));
    if (mine.length) sections.push(`## ${folder.name}\n\n${mine.map(entryText).join('\n')}`);
  }
  const left = entries.length - kept.size;
  if (left > 0) {
    sections.push(
      `---\n_Cut to ${maxChars} characters: ${left} of ${entries.length} entries left out. Search them with knowledge_search, or read them all with \`rdv knowledge list\`._\n`,
    );
  }
  return { markdown: sections.join('\n'), truncated: left > 0 };
}
