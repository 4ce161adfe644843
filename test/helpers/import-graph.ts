import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One import of one source file: a file of the tree (relative to the root) or a package. */
export interface ImportEdge {
  from: string;
  /** `src/store/index.ts` for a file of the tree; the package name (`pg`, `node:fs`) otherwise. */
  to: string;
  typeOnly: boolean;
}

const importPattern = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;
const dynamicPattern = /import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(root: string, dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const file = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(root, file, out);
    else if (/\.(ts|mts|mjs)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) out.push(file);
  }
  return out;
}

function resolve(from: string, specifier: string): string {
  if (!specifier.startsWith('.'))
    return specifier.startsWith('node:')
      ? specifier
      : specifier
          .split('/')
          .slice(0, specifier.startsWith('@') ? 2 : 1)
          .join('/');
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier)).replace(/\.js$/, '.ts');
}

/** Every import (static, re-export and dynamic) of the non-test source files under the given folders. */
export function importGraph(root: string, folders: string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of folders.flatMap((folder) => sourceFiles(root, folder))) {
    const text = readFileSync(path.join(root, file), 'utf8');
    for (const match of text.matchAll(importPattern)) edges.push({ from: file, to: resolve(file, match[3]), typeOnly: Boolean(match[2]) });
    for (const match of text.matchAll(dynamicPattern)) edges.push({ from: file, to: resolve(file, match[1]), typeOnly: false });
  }
  return edges;
}

/** The layer a file belongs to: `src/<folder>` for files under src/ (`src/config.ts` is its own), the top folder otherwise. */
export function layerOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'src') return parts.length > 2 ? parts[1] : parts[1].replace(/\.ts$/, '');
  return parts[0];
}

export interface LayerRules {
  /** For each layer, the layers of the tree it may import (itself always). */
  mayImport: Record<string, string[]>;
  /** Packages a layer must not import (I/O, frameworks). */
  forbiddenPackages?: Record<string, RegExp>;
}

/** Imports that break the rules, as `from -> to` lines. */
export function ruleViolations(edges: ImportEdge[], rules: LayerRules): string[] {
  const problems: string[] = [];
  for (const edge of edges) {
    const from = layerOf(edge.from);
    const isFile = edge.to.includes('/') && /\.(ts|mts|mjs)$/.test(edge.to);
    if (isFile) {
      const to = layerOf(edge.to);
      const allowed = rules.mayImport[from];
      if (to !== from && !allowed?.includes(to)) problems.push(`${edge.from} -> ${edge.to} (${from} may not import ${to})`);
    } else if (rules.forbiddenPackages?.[from]?.test(edge.to)) {
      problems.push(`${edge.from} -> ${edge.to} (${from} may not import the package ${edge.to})`);
    }
  }
  return problems;
}

/** Cycles between layers (each as `a -> b -> a`), found over the layer graph the imports make. */
export function layerCycles(edges: ImportEdge[]): string[] {
  const graph = new Map<string, Set<string>>();
  for (const edge of edges) {
    if (!/\.(ts|mts|mjs)$/.test(edge.to)) continue;
    const from = layerOf(edge.from);
    const to = layerOf(edge.to);
    if (from === to) continue;
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from)!.add(to);
  }
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}
