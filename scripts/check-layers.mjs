#!/usr/bin/env node
// Enforces the dependency direction inside packages/core and between workspaces:
//   schemas/errors/disposable ← config/log/lifecycle/metrics ← db/auth/events ← tmux/pty/worktree/identity ← folder/output/knowledge/hooks/hosts ← session ← notify ← orchestrator ← mcp
// A domain may import its own layer's listed peers or lower layers, never higher ones, and
// another domain only through its index.ts (its own subfolders are its business); core
// never imports apps, services, the cli or the api client (@rdv/client is built on core;
// `rdv mcp` hands core/mcp what it calls); services never import each other. And what the
// browser loads (`@rdv/core/schemas`, `@rdv/core/errors`, `@rdv/core/disposable`, the
// client's browser entry `@rdv/client`, the web UI) reaches no Node-only module.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');
export const LAYERS = {
  schemas: 0, errors: 0, disposable: 0,
  config: 1, log: 1, lifecycle: 1, metrics: 1,
  db: 2, auth: 2, events: 2,
  tmux: 3, pty: 3, worktree: 3, identity: 3,
  folder: 4, output: 4, knowledge: 4, hooks: 4, hosts: 4, session: 5,
  notify: 6,
  orchestrator: 7,
  mcp: 8,
  testing: 9,
};
/** Subpaths the web bundle imports; nothing they reach may need Node. */
export const BROWSER_ENTRIES = ['schemas', 'errors', 'disposable'];
/** Folders of browser code: every file in them is an entry too. */
export const BROWSER_DIRS = ['apps/web/src/ui', 'apps/web/src/app'];
const NODE_ONLY_PACKAGES = ['node-pty', 'better-sqlite3', 'undici', '@rdv/client/node'];
const CLIENT_ENTRY = 'packages/client/src/index.ts';

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name === '.next') continue;
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.(ts|tsx|mts)$/.test(name) && !/\.test\.ts$/.test(name)) yield p;
  }
}

// Static imports and re-exports (a statement never holds ";" before its "from"), bare
// side-effect imports, and dynamic import() with a literal.
const importRe = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The module specifiers a source file imports; `typeOnly` for `import type` / `export type`, which leave nothing at run time. */
export function importsOf(text) {
  return [...text.matchAll(importRe)].map((m) => ({ spec: m[3] ?? m[4] ?? m[5], typeOnly: Boolean(m[2]) }));
}

/** The source file a relative specifier names (`./x.js` is `./x.ts` in src), or null. */
function sourceFile(fromFile, spec) {
  const base = resolve(dirname(fromFile), spec);
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), base, join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

/** Problems with one relative or `@rdv/core/*` import of a core file in `domain`; `where` names the file. */
function coreImportProblems(coreSrc, file, where, domain, spec) {
  let target;
  let rest;
  const sub = /^@rdv\/core\/([^/]+)(\/.*)?$/.exec(spec);
  if (sub) {
    [target, rest] = [sub[1], sub[2] ? sub[2].slice(1) : 'index.js'];
  } else if (spec.startsWith('.')) {
    const path = relative(coreSrc, resolve(dirname(file), spec));
    if (path.startsWith('..')) return [`${where}: imports ${spec}, outside packages/core/src`];
    [target, ...rest] = path.split(sep);
    rest = rest.join('/');
  } else {
    return [];
  }
  if (target === domain) return [];
  const problems = [];
  if (!/^index\.(js|ts)$/.test(rest)) {
    problems.push(`${where}: imports ${spec}, past ${target}'s index.ts; import it from ${target}/index.js (export what is needed there)`);
  }
  const layer = LAYERS[domain];
  const targetLayer = LAYERS[target];
  if (targetLayer !== undefined && targetLayer > layer) problems.push(`${where}: ${domain} (layer ${layer}) imports ${target} (layer ${targetLayer})`);
  return problems;
}

export function checkLayers(root = ROOT) {
  const problems = [];
  const coreSrc = join(root, 'packages/core/src');
  for (const file of files(coreSrc)) {
    const domain = relative(coreSrc, file).split(sep)[0];
    if (LAYERS[domain] === undefined) {
      problems.push(`${relative(root, file)}: domain "${domain}" has no layer in scripts/check-layers.mjs`);
      continue;
    }
    for (const { spec } of importsOf(readFileSync(file, 'utf8'))) {
      if (/^@rdv\/(api|terminal|web|cli|client)/.test(spec)) problems.push(`${relative(root, file)}: core imports ${spec}`);
      problems.push(...coreImportProblems(coreSrc, file, relative(root, file), domain, spec));
    }
  }
  for (const svc of ['services/api', 'services/terminal', 'packages/cli', 'packages/client', 'apps/web']) {
    let dirFiles = [];
    try {
      dirFiles = [...files(join(root, svc, 'src'))];
    } catch {
      continue;
    }
    for (const file of dirFiles) {
      for (const { spec } of importsOf(readFileSync(file, 'utf8'))) {
        if (/^@rdv\/(api|terminal|web|cli)(\/|$)/.test(spec)) problems.push(`${relative(root, file)}: imports another service (${spec})`);
        if (/^@rdv\/core$/.test(spec)) problems.push(`${relative(root, file)}: imports the @rdv/core root; use a subpath`);
      }
    }
  }
  return problems;
}

const isNodeOnly = (spec) =>
  spec.startsWith('node:') ||
  builtinModules.includes(spec) ||
  builtinModules.includes(spec.split('/')[0]) ||
  NODE_ONLY_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`));

/**
 * Follows every run-time import (relative ones, `@rdv/core/*` subpaths and `@rdv/client`,
 * transitively) from the browser entries, the client's browser entry and every file of
 * the browser folders, and reports each Node built-in, node-pty, better-sqlite3, undici
 * or `@rdv/client/node` import on the way, with the chain of files that leads to it.
 */
export function checkBrowserSafe(root = ROOT, entries = BROWSER_ENTRIES, dirs = BROWSER_DIRS) {
  const coreSrc = join(root, 'packages/core/src');
  const problems = [];
  const via = new Map();
  const queue = [];
  const visit = (file, from) => {
    if (!file || via.has(file)) return;
    via.set(file, from);
    queue.push(file);
  };
  for (const entry of entries) visit(join(coreSrc, entry, 'index.ts'), null);
  if (existsSync(join(root, CLIENT_ENTRY))) visit(join(root, CLIENT_ENTRY), null);
  for (const dir of dirs) {
    if (!existsSync(join(root, dir))) continue;
    for (const file of files(join(root, dir))) visit(file, null);
  }
  const chain = (file) => {
    const out = [];
    for (let f = file; f; f = via.get(f)) out.unshift(relative(root, f));
    return out.join(' → ');
  };
  while (queue.length) {
    const file = queue.shift();
    if (!existsSync(file)) {
      problems.push(`${chain(file)}: missing`);
      continue;
    }
    for (const { spec, typeOnly } of importsOf(readFileSync(file, 'utf8'))) {
      if (typeOnly) continue;
      if (isNodeOnly(spec)) problems.push(`${chain(file)}: imports ${spec}, which the browser cannot load`);
      else if (spec.startsWith('.')) visit(sourceFile(file, spec), file);
      else if (/^@rdv\/core\/[^/]+$/.test(spec)) visit(join(coreSrc, spec.slice('@rdv/core/'.length), 'index.ts'), file);
      else if (spec === '@rdv/client') visit(join(root, CLIENT_ENTRY), file);
    }
  }
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const problems = [...checkLayers(), ...checkBrowserSafe()];
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.stdout.write(problems.length ? `${problems.length} layering problem(s)\n` : 'layers ok\n');
  process.exit(problems.length ? 1 : 0);
}
