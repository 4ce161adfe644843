import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ImportEdge, importGraph, type LayerRules, layerCycles, ruleViolations } from '../helpers/import-graph.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Lower layers first; ARCHITECTURE.md explains each. `errors`, `config` and `csv` (src/*.ts) sit below them all. */
const rules: LayerRules = {
  mayImport: {
    errors: [],
    csv: ['errors', 'domain'],
    config: ['domain'],
    domain: ['errors'],
    images: ['errors', 'domain'],
    engine: ['errors', 'domain', 'images'],
    'registry-folder': ['errors', 'domain', 'images'],
    runtime: ['errors', 'config'],
    store: ['errors', 'config', 'domain'],
    queues: ['errors', 'config', 'domain', 'runtime'],
    services: ['errors', 'config', 'domain', 'images', 'engine', 'store', 'queues', 'runtime'],
    api: ['errors', 'config', 'domain', 'images', 'runtime', 'services', 'report'],
    report: ['errors', 'domain', 'images'],
    cli: ['errors', 'csv', 'config', 'domain', 'images', 'engine', 'registry-folder', 'runtime', 'store', 'services', 'report'],
    evaluation: ['errors', 'csv', 'config', 'domain', 'images', 'engine', 'registry-folder', 'runtime', 'report', 'cli'],
    workers: ['errors', 'config', 'engine', 'runtime', 'store', 'queues', 'services'],
    bench: [
      // The benchmarks empty their database with the tests' own helper.
      'test',
      'errors',
      'config',
      'domain',
      'images',
      'engine',
      'registry-folder',
      'runtime',
      'store',
      'queues',
      'services',
      'api',
      'report',
      'cli',
      'evaluation',
    ],
  },
  forbiddenPackages: {
    // The verdict rules are pure: no file, network, database, queue, image or HTTP library.
    domain:
      /^(node:(fs|fs\/promises|net|http|https|child_process|worker_threads|dns)|fs|pg|ioredis|bullmq|sharp|express|multer|@tensorflow\/.*|@vladmandic\/.*|onnxruntime-node)$/,
    api: /^(pg|ioredis|bullmq)$/,
  },
};

describe('the layers of the source tree', () => {
  const edges = importGraph(root, ['src', 'workers', 'bench']);

  it('reads the imports of the tree (the check below is not vacuous)', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({ from: 'src/domain/evaluate.ts', to: 'src/domain/claims.ts', typeOnly: false });
  });

  it('keeps the verdict rules pure and every layer importing only the layers below it', () => {
    expect(ruleViolations(edges, rules)).toEqual([]);
  });

  it('has no cycle between folders', () => {
    expect(layerCycles(edges)).toEqual([]);
  });

  it('keeps the process entry points in workers/ to wiring: no function or class of their own', () => {
    const entries = [...new Set(edges.filter((edge) => edge.from.startsWith('workers/')).map((edge) => edge.from))];
    expect(entries.length).toBeGreaterThanOrEqual(3);
    for (const file of entries) {
      const text = readFileSync(`${root}/${file}`, 'utf8');
      expect({ file, declarations: text.match(/^(export\s+)?(async\s+)?(function|class)\s+\w+/gm) ?? [] }).toEqual({
        file,
        declarations: [],
      });
    }
  });
});

describe('the layer check itself', () => {
  const edge = (from: string, to: string): ImportEdge => ({ from, to, typeOnly: false });

  it('reports a route that reaches into the store, even for a type', () => {
    const problems = ruleViolations([{ from: 'src/api/routes/people.ts', to: 'src/store/people.ts', typeOnly: true }], rules);
    expect(problems).toEqual(['src/api/routes/people.ts -> src/store/people.ts (api may not import store)']);
  });

  it('reports domain code that opens a file or a database', () => {
    expect(ruleViolations([edge('src/domain/names.ts', 'node:fs'), edge('src/domain/claims.ts', 'pg')], rules)).toHaveLength(2);
    expect(ruleViolations([edge('src/domain/names.ts', 'node:crypto')], rules)).toEqual([]);
  });

  it('reports a cycle between two folders', () => {
    expect(
      layerCycles([edge('src/cli/check.ts', 'src/report/html.ts'), edge('src/report/report.ts', 'src/cli/reference-photos.ts')]),
    ).toEqual(['cli -> report -> cli']);
  });
});
