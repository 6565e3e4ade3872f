import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '@rdv/core/testing';
// @ts-expect-error plain ESM script without types
import { checkBrowserSafe, checkLayers } from '../scripts/check-layers.mjs';

/** A temp repository root holding `files` (path → source). */
function tree(files: Record<string, string>): string {
  const root = useTempDir();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

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

  it("catches an import that reaches past another domain's index.ts, wherever it is written from", () => {
    const root = tree({
      'packages/core/src/session/index.ts': "export { EXIT_WRAPPER_NAME } from './exit-status.js';\n",
      'packages/core/src/session/exit-status.ts': "export const EXIT_WRAPPER_NAME = 'w';\n",
      'packages/core/src/orchestrator/detect/proc.ts': "import { EXIT_WRAPPER_NAME } from '../../session/exit-status.js';\n",
      'packages/core/src/orchestrator/detect/ok.ts': "import { EXIT_WRAPPER_NAME } from '../../session/index.js';\nimport { p } from '../act/rules.js';\n",
      'packages/core/src/orchestrator/act/rules.ts': "export const p = 1;\n",
      'packages/core/src/orchestrator/service.ts': "import { p } from './act/rules.js';\nimport type { T } from '@rdv/core/tmux/tmux';\n",
    });
    expect(checkLayers(root).sort()).toEqual([
      "packages/core/src/orchestrator/detect/proc.ts: imports ../../session/exit-status.js, past session's index.ts; import it from session/index.js (export what is needed there)",
      "packages/core/src/orchestrator/service.ts: imports @rdv/core/tmux/tmux, past tmux's index.ts; import it from tmux/index.js (export what is needed there)",
    ]);
  });

  it('catches core importing the api client, even for its types', () => {
    const root = tree({ 'packages/core/src/mcp/server.ts': "import type { RdvClient } from '@rdv/client';\n" });
    expect(checkLayers(root)).toEqual(['packages/core/src/mcp/server.ts: core imports @rdv/client']);
  });
});

describe('what the browser loads', () => {
  it('nothing reachable from @rdv/core/schemas or @rdv/core/errors needs Node, node-pty or better-sqlite3', () => {
    expect(checkBrowserSafe()).toEqual([]);
  });

  it('follows relative imports and @rdv/core subpaths to a Node-only import', () => {
    const root = tree({
      'packages/core/src/schemas/index.ts': "export { A } from './common.js';\nimport type { Stats } from 'node:fs';\nimport { z } from 'zod';\n",
      'packages/core/src/schemas/common.ts': "import { l } from '@rdv/core/log';\nexport const A = l;\n",
      'packages/core/src/log/index.ts': "import { hostname } from 'os';\nimport './db.js';\nexport const l = hostname();\n",
      'packages/core/src/log/db.ts': "import Database from 'better-sqlite3';\nexport const open = () => import('node:path');\n",
      'packages/core/src/errors/index.ts': "export class AppError extends Error {}\n",
      'packages/core/src/disposable/index.ts': "export class DisposableStore {}\n",
    });
    const s = 'packages/core/src/schemas/index.ts';
    const common = 'packages/core/src/schemas/common.ts';
    const log = 'packages/core/src/log/index.ts';
    expect(checkBrowserSafe(root)).toEqual([
      `${s} → ${common} → ${log}: imports os, which the browser cannot load`,
      `${s} → ${common} → ${log} → packages/core/src/log/db.ts: imports better-sqlite3, which the browser cannot load`,
      `${s} → ${common} → ${log} → packages/core/src/log/db.ts: imports node:path, which the browser cannot load`,
    ]);
  });

  it("follows the web UI's imports into the client's browser entry, where undici and @rdv/client/node are Node-only", () => {
    const root = tree({
      'packages/core/src/schemas/index.ts': "import { z } from 'zod';\n",
      'packages/core/src/errors/index.ts': 'export class AppError extends Error {}\n',
      'packages/core/src/disposable/index.ts': 'export class DisposableStore {}\n',
      'packages/client/src/index.ts': "export { followEvents } from './events.js';\n",
      'packages/client/src/events.ts': "import { Agent } from 'undici';\nimport openapi from 'openapi-fetch';\n",
      'packages/client/src/node.ts': "import { Agent } from 'undici';\n",
      'apps/web/src/ui/state/sync.ts': "import { followEvents } from '@rdv/client';\nimport { createSocketClient } from '@rdv/client/node';\n",
    });
    expect(checkBrowserSafe(root).sort()).toEqual([
      'apps/web/src/ui/state/sync.ts: imports @rdv/client/node, which the browser cannot load',
      'packages/client/src/index.ts → packages/client/src/events.ts: imports undici, which the browser cannot load',
    ]);
  });
});
