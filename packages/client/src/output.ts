// A session's output log through the api: one route answers JSON text pages or raw bytes
// (?format=raw), so its typed answer is either; these say which one a caller gets.
import { AppError } from '@rdv/core/errors';
import type { OutputText } from '@rdv/core/schemas';
import type { RdvClient } from './client.js';

export interface OutputTextQuery {
  /** The last N lines; otherwise from `from` (default the oldest byte kept). */
  tail?: number;
  from?: number;
  /** At most this many bytes. */
  limit?: number;
}

/** A text page of the session's log (escape sequences stripped), with its byte range for the next page. */
export async function readOutputText(client: RdvClient, sessionId: string, query: OutputTextQuery = {}): Promise<OutputText> {
  const page = await client.GET('/api/sessions/{id}/output', { params: { path: { id: sessionId }, query } });
  if (typeof page === 'string') throw new AppError('internal', 'the api answered a text page with raw bytes');
  return page;
}

/**
 * The log's raw bytes from `from` (at most `limit`). The next page starts at `from` plus
 * their length, unless bytes before `from` were rotated away meanwhile (the page then starts
 * later; only output of three log sizes between two reads can do that).
 */
export async function readOutputBytes(client: RdvClient, sessionId: string, query: { from?: number; limit?: number } = {}): Promise<Uint8Array> {
  const data = await client.GET('/api/sessions/{id}/output', {
    params: { path: { id: sessionId }, query: { format: 'raw', ...query } },
    parseAs: 'arrayBuffer',
  });
  return new Uint8Array(data as ArrayBuffer);
}
