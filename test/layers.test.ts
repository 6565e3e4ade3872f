import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '@rdv/core/testing';
// @ts-expect-error plain ESM script without types
import { checkLayers } from '../scripts/check-layers.mjs';

describe('layering', () => {
  it('the repository follows the dependency direction', () => {
    expect(checkLayers()).toEqual([]);
  });

  it('catches a lower layer importing a higher one', () => {
    const root = useTempDir();
    mkdirSync(join(root, 'packages/core/src/tmux'), { recursive: true });
    writeFileSync(join(root, 'packages/core/src/tmux/index.ts'), "import { x } from '../session/index.js';\n");
    expect(checkLayers(root)).toEqual([expect.stringMatching(/tmux \(layer 3\) imports session \(layer 5\)/)]);
  });
});
