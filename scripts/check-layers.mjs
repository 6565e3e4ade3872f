#!/usr/bin/env node
// Enforces the dependency direction inside packages/core and between workspaces:
//   schemas/errors ← config/log/lifecycle/client ← db/auth/events ← tmux/pty/worktree ← folder/output ← session ← orchestrator ← mcp
// A domain may import its own layer's listed peers or lower layers, never higher ones;
// core never imports apps, services or the cli; services never import each other.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');
export const LAYERS = {
  schemas: 0, errors: 0,
  config: 1, log: 1, lifecycle: 1, client: 1,
  db: 2, auth: 2, events: 2,
  tmux: 3, pty: 3, worktree: 3,
  folder: 4, output: 4, session: 5,
  orchestrator: 6,
  mcp: 7,
  testing: 9,
};

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name === '.next') continue;
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.(ts|tsx|mts)$/.test(name) && !/\.test\.ts$/.test(name)) yield p;
  }
}

const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export function checkLayers(root = ROOT) {
  const problems = [];
  const coreSrc = join(root, 'packages/core/src');
  for (const file of files(coreSrc)) {
    const domain = relative(coreSrc, file).split('/')[0];
    const layer = LAYERS[domain];
    if (layer === undefined) {
      problems.push(`${relative(root, file)}: domain "${domain}" has no layer in scripts/check-layers.mjs`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2];
      if (/^@rdv\/(api|terminal|web|cli)/.test(spec)) problems.push(`${relative(root, file)}: core imports ${spec}`);
      if (!spec.startsWith('../')) continue;
      const target = spec.split('/')[1];
      const targetLayer = LAYERS[target];
      if (targetLayer === undefined) continue;
      if (targetLayer > layer) problems.push(`${relative(root, file)}: ${domain} (layer ${layer}) imports ${target} (layer ${targetLayer})`);
    }
  }
  for (const svc of ['services/api', 'services/terminal', 'packages/cli', 'apps/web']) {
    let dirFiles = [];
    try {
      dirFiles = [...files(join(root, svc, 'src'))];
    } catch {
      continue;
    }
    for (const file of dirFiles) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(importRe)) {
        const spec = m[1] ?? m[2];
        if (/^@rdv\/(api|terminal|web|cli)(\/|$)/.test(spec)) problems.push(`${relative(root, file)}: imports another service (${spec})`);
        if (/^@rdv\/core$/.test(spec)) problems.push(`${relative(root, file)}: imports the @rdv/core root; use a subpath`);
      }
    }
  }
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const problems = checkLayers();
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.stdout.write(problems.length ? `${problems.length} layering problem(s)\n` : 'layers ok\n');
  process.exit(problems.length ? 1 : 0);
}
