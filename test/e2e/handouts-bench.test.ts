import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/csv.js';
import type { HalfTruth } from '../../src/evaluation/handouts/truth.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const faces = path.join(root, 'test/fixtures/faces');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const script = path.join(root, 'src/evaluation/handouts.ts');

/**
 * `npm run eval:handouts` on a tiny benchmark composed from the fixtures (the calibration half of
 * the fixtures' LFW people: four registry people, five strangers): one printed list and one web
 * photo, checked by the real engine and the offline checker's logic.
 */
describe('npm run eval:handouts -- --faces test/fixtures/faces --half calibration --json', () => {
  let dir: string;
  let work: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'photo-verify-handouts-'));
    work = path.join(dir, 'work');
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const tiny = ['--lists', '1', '--singles', '1', '--people', '10', '--portraits', '4', '--strangers', '10', '--seed', '3'];
  /** The JSON the command prints and its log on standard error; cwd is the scratch folder, so the eval cache stays there. */
  const benchmark = async (...args: string[]) => {
    const { stdout, stderr } = await run(
      tsx,
      [script, '--faces', faces, '--work', work, '--half', 'calibration', '--threads', '1', '--json', ...tiny, ...args],
      {
        cwd: dir,
        timeout: 120_000,
      },
    );
    return { result: JSON.parse(stdout), stderr };
  };

  it('composes a registry, a list and a web photo with claims and truth, checks them and prints every documented figure', async () => {
    const { result } = await benchmark('--per-face');
    const truth = JSON.parse(await readFile(path.join(work, 'calibration/truth.json'), 'utf8')) as HalfTruth;
    const half = result.halves.calibration;

    expect(result.model).toMatch(/^face-api-/);
    expect(half.drafts).toBe(2);
    expect(truth.drafts.map((draft) => draft.layout)).toEqual(['list', 'single']);
    expect(half.registry.people).toBe(truth.registry.people);
    expect(half.registry.referencePhotosUsed).toBeGreaterThanOrEqual(half.registry.people);

    // The manifest is the offline checker's: one row per draft, the list's names in reading order.
    const rows = parseCsv(await readFile(path.join(work, 'calibration/claims.csv'), 'utf8'));
    expect(rows[0]).toEqual(['file', 'names', 'category']);
    const list = truth.drafts[0];
    expect(rows[1]).toEqual([list.file, list.portraits.map((portrait) => portrait.claimedName).join('; '), 'Crimean political prisoners']);
    expect(rows[2]).toEqual([truth.drafts[1].file, truth.drafts[1].portraits[0].claimedName, '']);

    // Every portrait is counted once, under its kind.
    const portraits = truth.drafts.flatMap((draft) => draft.portraits);
    const counted =
      half.genuineFaces.count +
      half.swaps.random_stranger.count +
      half.swaps.lookalike_stranger.count +
      half.swaps.registry_swap.count +
      half.categoryFindings.powPortraits.count +
      half.misspeltNames.count;
    expect(counted).toBe(portraits.length);
    const g = half.genuineFaces;
    expect(
      g.confirmed.count +
        g.mismatch +
        g.uncertain +
        g.low_quality +
        g.notFound +
        Object.values<number>(g.otherVerdicts).reduce((a, b) => a + b, 0),
    ).toBe(g.count);
    for (const swap of Object.values<{ count: number; flagged: { count: number }; confirmed: number }>(half.swaps)) {
      expect(swap.flagged.count + swap.confirmed).toBeLessThanOrEqual(swap.count);
    }
    expect(half.images.lists.count).toBe(1);
    expect(half.images.singles.count).toBe(1);
    expect(half.bystanders.count).toBe(1);
    expect(half.categoryFindings.listsWithPow + half.categoryFindings.listsWithoutPow).toBe(1);
    expect(half.extraFaces.count).toBeGreaterThanOrEqual(0);

    // Faces on real 150-250 px portraits are found: at most one portrait of the list goes unseen.
    const found = result.faces.calibration.filter(
      (record: { kind: string; found: boolean }) => record.kind !== 'bystander' && record.kind !== 'extra' && record.found,
    );
    expect(found.length).toBeGreaterThanOrEqual(portraits.length - 1);
    for (const record of found) expect(record.faceSize).toBeGreaterThan(0);
  }, 150_000);

  it('never shows a genuine portrait in the photo the registry holds for the person', async () => {
    const truth = JSON.parse(await readFile(path.join(work, 'calibration/truth.json'), 'utf8')) as HalfTruth;
    const shot = (file: string) => /_(\d{4})\.jpg$/.exec(file)![1];
    for (const portrait of truth.drafts.flatMap((draft) => draft.portraits).filter((portrait) => portrait.truePersonId)) {
      const references = (await readdir(path.join(work, 'calibration/registry', portrait.truePersonId!))).filter((file) =>
        file.endsWith('.jpg'),
      );
      expect(references.length).toBeGreaterThan(0);
      expect(references.map(shot)).not.toContain(shot(portrait.photo));
    }
  });

  it('reuses the composition and every analysis: a second run starts no engine and gives the same figures', async () => {
    const first = await benchmark();
    const again = await benchmark();
    expect(again.stderr).toMatch(/reusing the benchmark/);
    expect(again.stderr).toMatch(/\(0 analysed, 2 from cache\)/);
    expect(again.stderr).not.toMatch(/face engine:/);
    expect(again.result).toEqual(first.result);
  }, 60_000);

  it('says clearly when the photos folder is missing, with exit status 2', async () => {
    const missing = path.join(dir, 'no-such-faces');
    const error = await run(tsx, [script, '--faces', missing, '--work', path.join(dir, 'other')], { cwd: dir, timeout: 60_000 }).catch(
      (failure: { code: number; stderr: string }) => failure,
    );
    expect(error).toMatchObject({ code: 2 });
    expect((error as { stderr: string }).stderr).toContain(`the labelled photos are missing: ${missing} does not exist`);
  }, 60_000);
});
