import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dot } from '../../src/domain/matching.js';
import { modelDir, verifyModels } from '../../src/engine/models.js';
import { type FaceEngine, startEngine } from '../../src/engine/pool.js';

const fixture = (name: string) => readFile(new URL(`../fixtures/faces/${name}`, import.meta.url));

describe('what the engine accepts and refuses', () => {
  let engine: FaceEngine;
  let tmp: string;
  let portrait: Buffer;
  let original: number[];
  const logged: string[] = [];

  beforeAll(async () => {
    engine = await startEngine({ threads: 1, maxPixels: 60_000_000, log: (line) => logged.push(line) });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'engine-intake-'));
    portrait = await fixture('lfw-10-people/Colin_Powell_0001.jpg');
    original = (await engine.analyze(portrait)).faces[0].descriptor;
  });
  afterAll(async () => {
    await engine?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('logs the TensorFlow.js backend it runs on, and it is never the slow cpu one', () => {
    const line = logged.find((l) => l.includes('backend'));
    expect(line).toMatch(/backend "(wasm|tensorflow)"/);
    expect(engine.backend).not.toBe('cpu');
  });

  // The same photo re-encoded; file names that lie about the format, or give none.
  const encodings: { format: string; name: string; encode: (s: Sharp) => Sharp }[] = [
    { format: 'png', name: 'portrait.jpg', encode: (s) => s.png() },
    { format: 'webp', name: 'portrait', encode: (s) => s.webp({ quality: 90 }) },
    { format: 'avif', name: 'portrait.png', encode: (s) => s.avif({ quality: 70 }) },
    { format: 'tiff', name: 'portrait.gif', encode: (s) => s.tiff() },
    { format: 'gif', name: 'portrait.webp', encode: (s) => s.gif() },
  ];
  for (const { format, name, encode } of encodings) {
    it(`recognises a ${format.toUpperCase()} photo by its content, saved as "${name}", and finds the same face`, async () => {
      const file = path.join(tmp, format, name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, await encode(sharp(portrait)).toBuffer());
      const analysis = await engine.analyze(await readFile(file));
      expect(analysis.format).toBe(format);
      expect(analysis.faces).toHaveLength(1);
      // The same person: far above any different-person score (GIF's 256 colours cost the most).
      expect(dot(analysis.faces[0].descriptor, original)).toBeGreaterThan(0.9);
    });
  }

  it('turns a JPEG stored on its side with an EXIF orientation tag upright before looking for the face', async () => {
    // Pixels turned 90° clockwise; orientation 8 tells viewers to turn them back.
    const sideways = await sharp(portrait).rotate(90).jpeg({ quality: 92 }).withMetadata({ orientation: 8 }).toBuffer();
    expect((await sharp(sideways).metadata()).orientation).toBe(8);
    const analysis = await engine.analyze(sideways);
    expect([analysis.width, analysis.height]).toEqual([250, 250]);
    expect(analysis.faces).toHaveLength(1);
    const [face] = analysis.faces;
    expect(Math.abs(face.quality.roll)).toBeLessThan(15);
    // The eyes (landmarks 36-47) are above the mouth (48-67) in the upright photo.
    expect(face.landmarks[37].y).toBeLessThan(face.landmarks[57].y);
    expect(dot(face.descriptor, original)).toBeGreaterThan(0.9);
  });

  it('refuses a decompression bomb (a small PNG declaring 30000x30000) from its header with IMAGE_TOO_LARGE', async () => {
    const bomb = pngDeclaring(30_000, 30_000);
    expect(bomb.length).toBeLessThan(200_000);
    await expect(engine.analyze(bomb)).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE', message: expect.stringContaining('30000x30000') });
  });

  it('refuses a truncated JPEG with IMAGE_CORRUPT', async () => {
    await expect(engine.analyze(portrait.subarray(0, Math.floor(portrait.length / 2)))).rejects.toMatchObject({ code: 'IMAGE_CORRUPT' });
  });

  it('refuses an empty file with IMAGE_EMPTY', async () => {
    await expect(engine.analyze(Buffer.alloc(0))).rejects.toMatchObject({ code: 'IMAGE_EMPTY' });
  });

  it('keeps working after refusing bad input', async () => {
    expect((await engine.analyze(portrait)).faces).toHaveLength(1);
  });

  it('refuses model files whose checksum does not match with MODEL_INTEGRITY', async () => {
    const copy = path.join(tmp, 'models');
    await mkdir(copy);
    await cp(modelDir, copy, { recursive: true });
    await expect(verifyModels(copy)).resolves.toBeUndefined();
    const weights = (await readdir(copy)).find((f) => f.startsWith('face_recognition_model') && !f.endsWith('.json'))!;
    const bytes = await readFile(path.join(copy, weights));
    bytes[1000] ^= 0xff;
    await writeFile(path.join(copy, weights), bytes);
    await expect(verifyModels(copy)).rejects.toMatchObject({ code: 'MODEL_INTEGRITY', message: expect.stringContaining(weights) });
  });

  it('refuses the second descriptor network when one byte changes, and any model file listed without its source and licence', async () => {
    const copy = path.join(tmp, 'models-fr');
    await mkdir(copy);
    await cp(modelDir, copy, { recursive: true });
    const onnx = path.join(copy, 'fr_feature.onnx');
    const bytes = await readFile(onnx);
    bytes[bytes.length - 100] ^= 0x01;
    await writeFile(onnx, bytes);
    await expect(verifyModels(copy)).rejects.toMatchObject({
      code: 'MODEL_INTEGRITY',
      message: expect.stringContaining('fr_feature.onnx: sha256'),
    });
    await copyFile(path.join(modelDir, 'fr_feature.onnx'), onnx);
    const manifestFile = path.join(copy, 'checksums.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { files: Record<string, { licence?: string }> };
    delete manifest.files['fr_feature.onnx'].licence;
    await writeFile(manifestFile, JSON.stringify(manifest));
    await expect(verifyModels(copy)).rejects.toMatchObject({
      code: 'MODEL_INTEGRITY',
      message: expect.stringContaining('fr_feature.onnx: no source or licence'),
    });
  });
});

/** A valid PNG header (signature, IHDR, a little compressed data, IEND) claiming width x height. */
function pngDeclaring(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  // The first rows of zeros; a real bomb would hold all 2.7 GB of pixels in a few MB of zlib.
  const idat = deflateSync(Buffer.alloc((width * 3 + 1) * 8));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
