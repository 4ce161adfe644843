/**
 * The verdict rules on real photos with the real engine: a registry built from real reference
 * photos (test/fixtures/faces, sources in test/fixtures/README.md), drafts that are real photos or
 * handouts composed from real portraits.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkReferencePhoto, evaluateImage } from '../../src/domain/evaluate.js';
import { buildGallery, type Gallery, type StoredReference } from '../../src/domain/gallery.js';
import type { CheckRequest } from '../../src/domain/results.js';
import type { RegistryPerson } from '../../src/domain/types.js';
import { type FaceEngine, startEngine } from '../../src/engine/pool.js';

const fixture = (path: string) => readFile(new URL(`../fixtures/faces/${path}`, import.meta.url));
const lfw = (name: string) => fixture(`lfw-10-people/${name}.jpg`);

const people: RegistryPerson[] = [
  { id: 'colin-powell', name: 'Colin Powell', aliases: [], category: 'us-politician' },
  { id: 'vladimir-putin', name: 'Vladimir Putin', aliases: ['Володимир Путін'], category: 'russian-politician' },
  { id: 'gerhard-schroeder', name: 'Gerhard Schroeder', aliases: ['Gerhard Schröder'], category: 'german-politician' },
  { id: 'george-w-bush', name: 'George W. Bush', aliases: ['George Bush'], category: 'us-politician' },
  // deepface's anonymous identity deepface_person_01 (LABELS.md there).
  { id: 'deepface-person-01', name: 'Deepface Person One', aliases: [], category: 'actor' },
];

const referencePhotos: Record<string, string[]> = {
  'colin-powell': ['lfw-10-people/Colin_Powell_0001.jpg', 'lfw-10-people/Colin_Powell_0002.jpg', 'lfw-10-people/Colin_Powell_0003.jpg'],
  'vladimir-putin': [
    'lfw-10-people/Vladimir_Putin_0001.jpg',
    'lfw-10-people/Vladimir_Putin_0002.jpg',
    'lfw-10-people/Vladimir_Putin_0003.jpg',
  ],
  'gerhard-schroeder': [
    'lfw-10-people/Gerhard_Schroeder_0001.jpg',
    'lfw-10-people/Gerhard_Schroeder_0002.jpg',
    'lfw-10-people/Gerhard_Schroeder_0003.jpg',
  ],
  'george-w-bush': ['lfw-10-people/George_W_Bush_0001.jpg', 'lfw-10-people/George_W_Bush_0002.jpg', 'lfw-10-people/George_W_Bush_0003.jpg'],
  'deepface-person-01': ['deepface/img5.jpg', 'deepface/img6.jpg', 'deepface/img11.jpg'],
};

/** A handout page: portraits pasted on a light page at the given places and sizes. */
async function handout(
  width: number,
  height: number,
  portraits: { photo: Buffer; left: number; top: number; size: number }[],
): Promise<Buffer> {
  const layers = await Promise.all(
    portraits.map(async ({ photo, left, top, size }) => ({ input: await sharp(photo).resize(size, size).toBuffer(), left, top })),
  );
  return sharp({ create: { width, height, channels: 3, background: { r: 236, g: 232, b: 224 } } })
    .composite(layers)
    .jpeg({ quality: 92 })
    .toBuffer();
}

describe('verdicts on real photos', () => {
  let engine: FaceEngine;
  let gallery: Gallery;
  const check = async (bytes: Buffer, request: CheckRequest) => evaluateImage(await engine.analyze(bytes), gallery, request);
  const names = (...texts: string[]): CheckRequest => ({ claims: texts.map((text) => ({ text })) });

  beforeAll(async () => {
    engine = await startEngine({ threads: 1, maxPixels: 60_000_000 });
    const references: StoredReference[] = [];
    for (const [personId, files] of Object.entries(referencePhotos)) {
      for (const file of files) {
        const analysis = await engine.analyze(await fixture(file));
        const enrolment = checkReferencePhoto(analysis);
        if (!enrolment.accepted) throw new Error(`reference photo ${file} refused: ${enrolment.reason}`);
        references.push({ personId, referencePhoto: file, descriptor: enrolment.face.descriptor, model: analysis.model });
      }
    }
    gallery = buildGallery(engine.model, people, references);
  });
  afterAll(() => engine?.close());

  it('a new photo of a registry person, under their name, is confirmed and names the reference photo that matched', async () => {
    const result = await check(await lfw('Colin_Powell_0005'), names('Colin Powell'));
    expect(result.findings).toEqual([]);
    expect(result.faces).toHaveLength(1);
    const [face] = result.faces;
    expect(face.verdict).toBe('confirmed');
    expect(face.claim).toEqual({ personId: 'colin-powell', name: 'Colin Powell' });
    expect(referencePhotos['colin-powell']).toContain(face.claimReferencePhoto);
    expect(face.bestMatch?.personId).toBe('colin-powell');
    expect(result.flagged).toBe(false);
  });

  it("a stranger's photo under a registry name is a mismatch that matches nobody in the registry", async () => {
    const result = await check(await lfw('Arnold_Schwarzenegger_0010'), names('Colin Powell'));
    const [face] = result.faces;
    expect(face.verdict).toBe('mismatch');
    expect(face.bestMatch).toBeNull();
    expect(face.reasons.join(' ')).toMatch(/matches nobody in the registry/);
    expect(result.flagged).toBe(true);
  });

  it('two registry people with swapped photos are each a mismatch naming the other', async () => {
    const page = await handout(640, 340, [
      { photo: await lfw('Vladimir_Putin_0005'), left: 40, top: 40, size: 250 },
      { photo: await lfw('Gerhard_Schroeder_0007'), left: 350, top: 50, size: 250 },
    ]);
    const result = await check(page, names('Gerhard Schroeder', 'Vladimir Putin'));
    expect(result.findings).toEqual([]);
    const named = result.faces.filter((face) => face.claim !== null);
    expect(named.map((face) => [face.claim?.name, face.verdict, face.bestMatch?.name])).toEqual([
      ['Gerhard Schroeder', 'mismatch', 'Vladimir Putin'],
      ['Vladimir Putin', 'mismatch', 'Gerhard Schroeder'],
    ]);
    expect(named[0].reasons[0]).toMatch(/not Gerhard Schroeder .*matches Vladimir Putin/);
    // The Putin photo has a man far behind him: a small background face that took no name.
    expect(result.faces.filter((face) => face.claim === null).every((face) => face.quality.faceSize < 15)).toBe(true);
  });

  it('a handout of four portraits in two slightly uneven rows, named in reading order in Latin and Cyrillic, is confirmed face by face', async () => {
    const page = await handout(700, 700, [
      { photo: await lfw('Gerhard_Schroeder_0007'), left: 360, top: 380, size: 260 },
      { photo: await lfw('Colin_Powell_0008'), left: 30, top: 40, size: 260 },
      { photo: await lfw('George_W_Bush_0008'), left: 40, top: 360, size: 260 },
      { photo: await lfw('Vladimir_Putin_0010'), left: 370, top: 70, size: 260 },
    ]);
    const result = await check(page, names('Colin Powell', 'Владимир Путин', 'George Bush', 'Gerhard Schröder'));
    expect(result.findings).toEqual([]);
    expect(result.faces.map((face) => [face.claim?.personId, face.verdict])).toEqual([
      ['colin-powell', 'confirmed'],
      ['vladimir-putin', 'confirmed'],
      ['george-w-bush', 'confirmed'],
      ['gerhard-schroeder', 'confirmed'],
    ]);
    expect(result.flagged).toBe(false);

    const shuffled = await check(page, names('Colin Powell', 'George Bush', 'Володимир Путін', 'Gerhard Schroeder'));
    expect(shuffled.faces.map((face) => [face.verdict, face.bestMatch?.personId])).toEqual([
      ['confirmed', 'colin-powell'],
      ['mismatch', 'vladimir-putin'],
      ['mismatch', 'george-w-bush'],
      ['confirmed', 'gerhard-schroeder'],
    ]);
    expect(shuffled.flagged).toBe(true);
  });

  it('a real photo of two people, named left to right, confirms the registry person and finds the other name wrong', async () => {
    const couple = await engine.analyze(await fixture('deepface/couple.jpg'));
    expect(couple.faces).toHaveLength(2);
    const named = evaluateImage(couple, gallery, names('Deepface Person One', 'Colin Powell'));
    expect(named.faces.map((face) => [face.claim?.personId, face.verdict, face.bestMatch?.personId ?? null])).toEqual([
      ['deepface-person-01', 'confirmed', 'deepface-person-01'],
      ['colin-powell', 'mismatch', null],
    ]);
    // Unnamed, she is identified; he is not forced onto the registry person he most resembles.
    const [woman, man] = evaluateImage(couple, gallery, names()).faces;
    expect(woman).toMatchObject({ verdict: 'identified', bestMatch: { personId: 'deepface-person-01' } });
    expect(['unknown', 'uncertain']).toContain(man.verdict);
    expect(man.bestMatch).toBeNull();
  });

  it('a portrait with a small bystander near the edge: the name goes to the portrait, and the bystander is set aside with a verdict of its own', async () => {
    const page = await handout(600, 600, [
      { photo: await lfw('Colin_Powell_0007'), left: 80, top: 120, size: 480 },
      { photo: await lfw('George_W_Bush_0007'), left: 0, top: 0, size: 130 },
    ]);
    const result = await check(page, names('Colin Powell'));
    expect(result.findings).toEqual([]);
    expect(result.faces).toHaveLength(2);
    const [bystander, portrait] = result.faces;
    expect(portrait).toMatchObject({ verdict: 'confirmed', claim: { personId: 'colin-powell' } });
    expect(bystander.claim).toBeNull();
    expect(['identified', 'unknown', 'uncertain', 'low_quality']).toContain(bystander.verdict);
    expect(bystander.setAside).toBe('bystander');
    expect(bystander.reasons.join(' ')).toMatch(/set aside: a bystander/);
    expect(result.flagged).toBe(false);
  });

  it('a real photo without a face (a crop of a suit and a flag) is no_face', async () => {
    const crop = await sharp(await fixture('face_recognition/obama-1080p.jpg'))
      .extract({ left: 520, top: 560, width: 900, height: 520 })
      .jpeg()
      .toBuffer();
    const result = await check(crop, names('Colin Powell'));
    expect(result.faces).toEqual([]);
    expect(result.findings).toEqual([expect.objectContaining({ code: 'no_face' })]);
    expect(result.flagged).toBe(true);
  });

  it('ordinary small portraits (150 px, soft focus, open mouth, turned head) pass the draft quality gate', async () => {
    for (const file of ['Mark_Andrew_0001', 'Dan_Bartlett_0001', 'Diane_Green_0001', 'Jim_Haslett_0001']) {
      const analysis = await engine.analyze(await fixture(`lfw-view1/${file}.jpg`));
      expect(analysis.faces.length, file).toBeGreaterThan(0);
      const face = evaluateImage(analysis, gallery, names()).faces.sort((a, b) => b.quality.faceSize - a.quality.faceSize)[0];
      expect(face.verdict, `${file}: ${face.reasons.join('; ')}`).not.toBe('low_quality');
    }
  });

  it('a tiny face is low_quality, whoever it shows', async () => {
    const tiny = await sharp(await lfw('Colin_Powell_0005'))
      .resize(56, 56)
      .png()
      .toBuffer();
    const result = await check(tiny, names('Colin Powell'));
    expect(result.faces).toHaveLength(1);
    expect(result.faces[0].verdict).toBe('low_quality');
    expect(result.faces[0].reasons[0]).toMatch(/too small/);
    expect(result.flagged).toBe(true);
  });

  it('a corrupt file and a non-image give a clear coded error, and the engine goes on checking', async () => {
    const photo = await lfw('Colin_Powell_0005');
    await expect(engine.analyze(photo.subarray(0, Math.floor(photo.length / 3)))).rejects.toMatchObject({ code: 'IMAGE_CORRUPT' });
    await expect(engine.analyze(Buffer.from('name,photo\nColin Powell,colin.jpg\n'))).rejects.toMatchObject({ code: 'IMAGE_UNSUPPORTED' });
    const result = await check(photo, names('Colin Powell'));
    expect(result.faces[0].verdict).toBe('confirmed');
  });
});
