/**
 * npm run bench [-- NAME...]: runs the named benchmarks (all by default), one after another.
 * Figures only: nothing here is asserted.
 */
import { engineBenchmark } from './engine.js';

const benchmarks: Record<string, () => Promise<void>> = {
  engine: engineBenchmark,
  service: async () => (await import('./service.js')).serviceBenchmark(),
  identify: async () => (await import('./identify.js')).identifyBenchmark(),
  load: async () => (await import('./load.js')).loadBenchmark(),
  pdf: async () => (await import('./pdf.js')).pdfBenchmark(),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const name of wanted.length > 0 ? wanted : Object.keys(benchmarks)) {
  const run = benchmarks[name];
  if (!run) throw new Error(`unknown benchmark "${name}": ${Object.keys(benchmarks).join(', ')}`);
  await run();
}
