/**
 * The handout benchmark (issue 9): composes printed lists and web photos with known swaps from
 * the shared LFW photos, checks them with the offline checker's own logic, and scores the answers.
 *
 *   npm run eval:handouts -- [--half report|calibration|both] [--seed N] [--json] [--per-face]
 *                            [--faces DIR] [--work DIR] [--rebuild] [--threads N]
 *                            [--people N] [--lists N] [--singles N] [--portraits N] [--strangers N]
 *
 * --faces: the labelled photos (default shared/data/faces in the nearest folder above the
 * repository, i.e. ../shared for a clone in the shared work folder). The drafts,
 * registry folders, claims.csv and truth.json of each half go to --work (default
 * .cache/handouts/<seed>) and are reused while the settings are the same (--rebuild composes them
 * again). Every analysis is cached there, so a re-run after a change of verdict rules computes
 * nothing. Tune thresholds on the calibration half; quote the report half. With --json, one JSON
 * object on standard output; --per-face adds one record per face (scores, verdict, kind, size).
 * Each half's folder can also be checked by hand:
 *   npx photo-verify check --registry DIR/report/registry --cache DIR/report/.registry-cache.json \
 *       --claims DIR/report/claims.csv --html report.html
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { thresholdsFor } from '../domain/thresholds.js';
import { UsageError, wholeNumber } from './arguments.js';
import { defaultFacesDir, repositoryRoot as repository } from './faces-dir.js';
import { type Half, halves } from './handouts/cast.js';
import { type ComposeSettings, composeBenchmark, defaultComposeSettings, isComposed } from './handouts/compose.js';
import { lazyEngine, runHalf } from './handouts/run.js';
import { type HandoutFigures, scoreDrafts } from './handouts/score.js';

const { values } = parseArgs({
  options: {
    faces: { type: 'string', default: defaultFacesDir() },
    work: { type: 'string' },
    seed: { type: 'string', default: '1' },
    half: { type: 'string', default: 'report' },
    rebuild: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'per-face': { type: 'boolean', default: false },
    threads: { type: 'string', default: '2' },
    people: { type: 'string', default: String(defaultComposeSettings.people) },
    lists: { type: 'string', default: String(defaultComposeSettings.lists) },
    singles: { type: 'string', default: String(defaultComposeSettings.singles) },
    portraits: { type: 'string', default: String(defaultComposeSettings.portraitsPerList) },
    strangers: { type: 'string', default: String(defaultComposeSettings.strangerPool) },
  },
});

async function main(): Promise<void> {
  const settings: ComposeSettings = {
    seed: wholeNumber('seed', values.seed!, 0),
    people: wholeNumber('people', values.people!, 1),
    lists: wholeNumber('lists', values.lists!, 0),
    singles: wholeNumber('singles', values.singles!, 0),
    portraitsPerList: wholeNumber('portraits', values.portraits!, 1),
    strangerPool: wholeNumber('strangers', values.strangers!, 0),
  };
  const threads = wholeNumber('threads', values.threads!, 1);
  const chosen: Half[] = values.half === 'both' ? [...halves] : halves.includes(values.half as Half) ? [values.half as Half] : [];
  if (chosen.length === 0) throw new UsageError(`--half must be calibration, report or both, not "${values.half}"`);
  const facesDir = path.resolve(values.faces!);
  const workDir = path.resolve(values.work ?? path.join(repository, '.cache/handouts', String(settings.seed)));
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const config = loadConfig();
  const engine = lazyEngine({
    threads,
    maxPixels: config.MAX_IMAGE_PIXELS,
    backend: config.TF_BACKEND,
    log,
    descriptor: config.DESCRIPTOR,
  });
  try {
    if (values.rebuild || !(await isComposed(workDir, settings))) {
      if (!existsSync(facesDir)) {
        throw new UsageError(
          `the labelled photos are missing: ${facesDir} does not exist (expected shared/data/faces in a folder above the repository; pass --faces DIR)`,
        );
      }
      log(`composing the benchmark (seed ${settings.seed}) from ${facesDir} into ${workDir}`);
      await composeBenchmark(facesDir, workDir, settings, engine, log);
    } else log(`reusing the benchmark composed in ${workDir}`);

    const result: Record<string, unknown> = {
      seed: settings.seed,
      model: engine.model,
      thresholds: thresholdsFor(config.DESCRIPTOR),
      work: workDir,
      halves: {},
    };
    const records: Record<string, unknown> = {};
    for (const half of chosen) {
      const run = await runHalf(workDir, half, engine);
      const { figures, records: faces } = scoreDrafts(run.drafts);
      (result.halves as Record<string, unknown>)[half] = {
        registry: {
          people: run.registry.people,
          prisonersOfWar: run.truth.registry.prisonersOfWar,
          referencePhotosUsed: run.registry.referencePhotos.used,
          referencePhotosSkipped: run.registry.referencePhotos.skipped.length,
          referencePhotosComputed: run.registry.referencePhotos.computed,
          peopleWithoutPhotos: run.registry.peopleWithoutPhotos.length,
        },
        strangers: run.truth.strangers,
        drafts: run.drafts.length,
        analyses: run.analyses,
        ...figures,
      };
      records[half] = faces;
      log(`${half}: ${run.drafts.length} drafts checked (${run.analyses.computed} analysed, ${run.analyses.fromCache} from cache)`);
    }
    if (values['per-face']) result.faces = records;
    process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : describe(result));
  } finally {
    await engine.close();
  }
}

const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);
const verdicts = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([verdict, count]) => `${verdict} ${count}`)
    .join(', ') || 'none';

function describe(result: Record<string, unknown>): string {
  const lines = [`handout benchmark, seed ${result.seed}, model ${result.model}`, `thresholds ${JSON.stringify(result.thresholds)}`];
  for (const [half, figures] of Object.entries(
    result.halves as Record<string, HandoutFigures & { registry: Record<string, number>; drafts: number }>,
  )) {
    const { genuineFaces: g, swaps, categoryFindings: c, images, misspeltNames: m } = figures;
    lines.push(
      '',
      `${half}: ${figures.drafts} drafts; registry ${figures.registry.people} people (${figures.registry.prisonersOfWar} prisoners of war), ${figures.registry.referencePhotosUsed} reference photos in use, ${figures.registry.referencePhotosSkipped} skipped`,
      `  genuine faces ${g.count}: confirmed ${g.confirmed.count} (${percent(g.confirmed.rate)}), MISMATCH ${g.mismatch}, uncertain ${g.uncertain}, low_quality ${g.low_quality}, other ${verdicts(g.otherVerdicts)}, not found ${g.notFound}`,
      ...Object.entries(swaps).map(
        ([kind, s]) =>
          `  ${kind} ${s.count}: flagged ${s.flagged.count} (${percent(s.flagged.rate)}; mismatch ${s.mismatch}, uncertain ${s.uncertain}, low_quality ${s.low_quality}), MISSED (confirmed) ${s.confirmed}, other ${verdicts(s.otherVerdicts)}, not found ${s.notFound}`,
      ),
      `  prisoner of war in a Crimean list: ${c.listsWithPowAndCategoryMismatch} of ${c.listsWithPow} lists have category_mismatch; false alarms on ${c.falseAlarms} of ${c.listsWithoutPow} lists without one`,
      `  misspelt names ${m.count}: ${m.reportedUnknownClaim} reported as unknown_claim`,
      ...(['lists', 'singles'] as const).map((layout) => {
        const i = images[layout];
        return `  ${layout} ${i.count}: flagged ${i.flagged}; with a swap or typo ${i.withSwap} (flagged ${i.withSwapFlagged}); clean ${i.clean} (flagged ${i.cleanFlagged}); claim_count_mismatch ${i.claimCountMismatch}`;
      }),
      `  bystanders ${figures.bystanders.count}: found ${figures.bystanders.found} (${verdicts(figures.bystanders.verdicts)}); extra faces ${figures.extraFaces.count} (${verdicts(figures.extraFaces.verdicts)})`,
    );
  }
  return `${lines.join('\n')}\n`;
}

main().catch((error: unknown) => {
  process.stderr.write(`eval:handouts: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
