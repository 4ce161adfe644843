import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const faces = path.join(root, 'test/fixtures/faces');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const evalScript = path.join(root, 'src/evaluation/eval.ts');

/**
 * `npm run eval` on a small labelled pair list built from the fixtures: the real command, the real
 * engine, in a scratch folder so its descriptor cache stays out of the repository.
 */
describe('npm run eval -- --pairs DIR/pairs.csv --fold N --json', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'photo-verify-eval-'));
    await mkdir(path.join(dir, 'images'));
    for (const name of [
      'Colin_Powell_0001',
      'Colin_Powell_0002',
      'George_W_Bush_0001',
      'George_W_Bush_0002',
      'Vladimir_Putin_0001',
      'Vladimir_Putin_0002',
      'Tony_Blair_0002',
      'Gerhard_Schroeder_0001',
    ]) {
      await copyFile(path.join(faces, 'lfw-10-people', `${name}.jpg`), path.join(dir, 'images', `${name}.jpg`));
    }
    // A real photo without a face: the suit and flag below Obama's face.
    const crop = await sharp(await readFile(path.join(faces, 'face_recognition/obama-1080p.jpg')))
      .extract({ left: 520, top: 560, width: 900, height: 520 })
      .jpeg()
      .toBuffer();
    await writeFile(path.join(dir, 'images', 'no_face.jpg'), crop);
    const rows = [
      'a,b,same,fold',
      'images/Colin_Powell_0001.jpg,images/Colin_Powell_0002.jpg,1,1',
      'images/George_W_Bush_0001.jpg,images/George_W_Bush_0002.jpg,1,1',
      'images/Vladimir_Putin_0001.jpg,images/Vladimir_Putin_0002.jpg,1,1',
      'images/Colin_Powell_0001.jpg,images/George_W_Bush_0001.jpg,0,1',
      'images/Vladimir_Putin_0002.jpg,images/Tony_Blair_0002.jpg,0,1',
      'images/Gerhard_Schroeder_0001.jpg,images/Vladimir_Putin_0001.jpg,0,1',
      'images/Colin_Powell_0002.jpg,images/no_face.jpg,1,1',
      // Fold 0 rows that --fold 1 must leave out.
      'images/Tony_Blair_0002.jpg,images/Gerhard_Schroeder_0001.jpg,0,0',
      'images/George_W_Bush_0002.jpg,images/Colin_Powell_0002.jpg,0,0',
    ];
    await writeFile(path.join(dir, 'pairs.csv'), `${rows.join('\n')}\n`);
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The JSON the command prints, and its progress lines on standard error. */
  const evaluateWithProgress = async (...args: string[]) => {
    const { stdout, stderr } = await run(tsx, [evalScript, '--pairs', path.join(dir, 'pairs.csv'), '--threads', '1', ...args], {
      cwd: dir,
      timeout: 120_000,
    });
    return { result: JSON.parse(stdout) as Record<string, number>, stderr };
  };
  const evaluate = async (...args: string[]) => (await evaluateWithProgress(...args)).result;

  it('prints one JSON object with the pair counts and every rate as a fraction, a pair without a face counting as wrong', async () => {
    const result = await evaluate('--fold', '1', '--json');
    expect(result.pairs).toBe(7);
    expect(result.noFace).toBe(1);
    // Six pairs with both faces, each decided rightly; the seventh has no face and counts as wrong.
    expect(result.accuracy).toBeCloseTo(6 / 7, 10);
    expect(result.falseAcceptRate).toBe(0);
    expect(result.falseRejectRate).toBe(0);
    expect(result.eer).toBe(0);
    expect(result.uncertainRate).toBeGreaterThanOrEqual(0);
    expect(result.uncertainRate).toBeLessThanOrEqual(1);
  }, 150_000);

  it('reuses the descriptors it computed: a second run over the same photos computes nothing and gives the same figures', async () => {
    const first = await evaluate('--fold', '1', '--json');
    const again = await evaluateWithProgress('--fold', '1', '--json');
    expect(again.stderr).toMatch(/\(0 computed/);
    expect(again.result).toEqual(first);
  }, 150_000);

  it('with --descriptor fused, names both networks and their weights, and reports each network on the same faces', async () => {
    const faceApi = await evaluate('--fold', '1', '--json');
    const fused = (await evaluate('--fold', '1', '--descriptor', 'fused', '--json')) as unknown as Record<string, unknown>;
    expect(fused.model).toMatch(/\+fr_feature-[0-9a-f]{8}\/arcface112-flip\/fused\(face-api:[\d.]+,fr-feature:[\d.]+\)$/);
    expect(fused.variantKey).not.toBe((faceApi as unknown as Record<string, unknown>).variantKey);
    expect(fused.pairs).toBe(7);
    expect(fused.falseAcceptRate).toBe(0);
    const parts = fused.descriptors as Record<string, { eer: number; impostorSpread: number }>;
    expect(parts['face-api'].eer).toBe(faceApi.eer);
    expect(parts['fr-feature'].impostorSpread).toBeGreaterThan(0);
  }, 300_000);

  it('refuses to calibrate on any fold but 0, which keeps fold 1 for the accuracy figures', async () => {
    await expect(evaluate('--fold', '1', '--calibrate', '--json')).rejects.toThrow(/--calibrate runs on fold 0 only/);
  }, 60_000);
});
