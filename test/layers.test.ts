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

  it('catches core importing the api client, and Node-only code on the browser side', () => {
    const root = useTempDir();
    mkdirSync(join(root, 'packages/core/src/mcp'), { recursive: true });
    mkdirSync(join(root, 'packages/client/src'), { recursive: true });
    mkdirSync(join(root, 'apps/web/src/ui'), { recursive: true });
    writeFileSync(join(root, 'packages/core/src/mcp/server.ts'), "import type { RdvClient } from '@rdv/client';\n");
    writeFileSync(join(root, 'packages/client/src/events.ts'), "import { Agent } from 'undici';\n");
    writeFileSync(join(root, 'packages/client/src/node.ts'), "import { Agent } from 'undici';\n");
    writeFileSync(join(root, 'apps/web/src/ui/sync.ts'), "import { createSocketClient } from '@rdv/client/node';\n");
    expect(checkLayers(root).sort()).toEqual([
      'apps/web/src/ui/sync.ts: browser-side code imports @rdv/client/node',
      'packages/client/src/events.ts: browser-side code imports undici',
      'packages/core/src/mcp/server.ts: core imports @rdv/client',
    ]);
  });
});
