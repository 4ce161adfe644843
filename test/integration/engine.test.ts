import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaceEngine, startEngine } from '../../src/engine/pool.js';
import { renderList } from '../../src/evaluation/handouts/render.js';

const fixture = (name: string) => readFile(new URL(`../fixtures/faces/${name}`, import.meta.url));

describe('face engine on real photos', () => {
  let engine: FaceEngine;
  beforeAll(async () => {
    engine = await startEngine({ threads: 1, maxPixels: 60_000_000 });
  });
  afterAll(() => engine?.close());

  it('runs on a native or wasm backend, never the slow cpu one', () => {
    expect(['tensorflow', 'wasm']).toContain(engine.backend);
  });

  it('finds the one face of a portrait and describes it with a unit-length 128-d embedding', async () => {
    const analysis = await engine.analyze(await fixture('lfw-10-people/Colin_Powell_0001.jpg'));
    expect(analysis.format).toBe('jpeg');
    expect(analysis.faces).toHaveLength(1);
    const [face] = analysis.faces;
    expect(face.descriptor).toHaveLength(128);
    expect(Math.hypot(...face.descriptor)).toBeCloseTo(1, 5);
    expect(face.landmarks).toHaveLength(68);
    expect(face.quality.detectorScore).toBeGreaterThan(0.8);
  });

  it('runs the models in its worker threads: face-api and TensorFlow.js are never loaded on the calling thread', async () => {
    await engine.analyze(await fixture('lfw-10-people/Colin_Powell_0002.jpg'));
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    expect(loaded.filter((file) => /@vladmandic[\\/]face-api|@tensorflow/.test(file))).toEqual([]);
  });

  it('finds every face of a printed list of twelve small greyscale portraits (70 px wide, JPEG quality 55)', async () => {
    const photos = [
      'lfw-10-people/Colin_Powell_0005.jpg',
      'lfw-10-people/George_W_Bush_0002.jpg',
      'lfw-10-people/Gerhard_Schroeder_0002.jpg',
      'lfw-10-people/Tony_Blair_0003.jpg',
      'lfw-10-people/Vladimir_Putin_0002.jpg',
      'lfw-10-people/Arnold_Schwarzenegger_0010.jpg',
      'lfw-view1/Dan_Bartlett_0001.jpg',
      'lfw-view1/Diane_Green_0001.jpg',
      'lfw-view1/Jim_Haslett_0001.jpg',
      'lfw-view1/Mark_Andrew_0001.jpg',
      'lfw-10-people/Colin_Powell_0008.jpg',
      'lfw-10-people/George_W_Bush_0010.jpg',
    ];
    const list = await renderList(
      { title: 'Crimean political prisoners', columns: 4, portraitWidth: 70, greyscale: true, jpegQuality: 55 },
      await Promise.all(photos.map(async (photo, index) => ({ photo: await fixture(photo), caption: `Person ${index + 1}` }))),
    );
    const { faces } = await engine.analyze(list.image);
    const inside = (rect: { x: number; y: number; width: number; height: number }) =>
      faces.filter((face) => {
        const x = face.box.x + face.box.width / 2;
        const y = face.box.y + face.box.height / 2;
        return x > rect.x && x < rect.x + rect.width && y > rect.y && y < rect.y + rect.height;
      }).length;
    expect(list.rects.map(inside)).toEqual(photos.map(() => 1));
    expect(faces).toHaveLength(12);
  });

  it('finds the subject of a web photo as well as the small bystander beside it, though the detector scores the subject low at its usual padding', async () => {
    // The handout benchmark's web photo (seed 2, report half, web-03): the subject pasted at
    // x 150-338, y 38-226, the bystander at x 67-167, y 27-127. At the usual padding SSD scores the
    // subject 0.23 and finds only the bystander; the rescan at the retry paddings finds it at 0.91.
    const { faces } = await engine.analyze(await readFile(new URL('../fixtures/composed/web-photo-subject-missed.jpg', import.meta.url)));
    const centredIn = (x0: number, x1: number) =>
      faces.filter((face) => face.box.x + face.box.width / 2 > x0 && face.box.x + face.box.width / 2 < x1);
    expect(centredIn(170, 338)).toHaveLength(1);
    expect(centredIn(67, 150)).toHaveLength(1);
    expect(faces).toHaveLength(2);
  });

  it('reports each portrait of a printed list once, though the detector boxed one of them twice at shifted places', async () => {
    // The handout benchmark's list (seed 2, calibration half, list-19): twelve 100x125 portraits.
    // The sixth (x 299-399, y 225-350) was found on the whole page and again on a tile, the two
    // boxes 22 px apart with the eyes 5-8 px apart; named twice, it made the names a count mismatch.
    const { faces } = await engine.analyze(await readFile(new URL('../fixtures/composed/list-face-found-twice.jpg', import.meta.url)));
    const inSixthPortrait = faces.filter((face) => {
      const x = face.box.x + face.box.width / 2;
      const y = face.box.y + face.box.height / 2;
      return x > 299 && x < 399 && y > 225 && y < 350;
    });
    expect(inSixthPortrait).toHaveLength(1);
    expect(inSixthPortrait[0].quality.detectorScore).toBeGreaterThan(0.8);
  });

  it('refuses a file that is not an image with a clear error', async () => {
    await expect(engine.analyze(Buffer.from('%PDF-1.4 not an image'))).rejects.toMatchObject({ code: 'IMAGE_UNSUPPORTED' });
  });
});
