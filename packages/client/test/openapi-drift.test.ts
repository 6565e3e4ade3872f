import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderOpenApiDocument } from '@rdv/api/openapi-document';
import { TYPES_FILE, typesText } from '../scripts/generate.mjs';

describe('generated client types', () => {
  it('match the OpenAPI document of the api route table', async () => {
    const doc = await renderOpenApiDocument();
    expect(Object.keys(doc.paths as object)).toEqual(expect.arrayContaining(['/api/sessions', '/api/worktrees', '/api/orchestrators', '/api/events']));
    const committed = readFileSync(TYPES_FILE, 'utf8');
    expect(committed, 'packages/client/src/generated/api.ts is behind the api routes; rebuild (npx turbo run build) and commit it').toBe(
      await typesText(doc),
    );
  });
});
