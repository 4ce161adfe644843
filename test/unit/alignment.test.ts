import { describe, expect, it } from 'vitest';
import type { Point } from '../../src/domain/types.js';
import {
  alignedCrop,
  alignedSize,
  alignmentTransform,
  applySimilarity,
  arcfaceTemplate,
  fitSimilarity,
  fivePoints,
  invertSimilarity,
  toNchw,
} from '../../src/engine/alignment.js';

/** 68 landmarks whose five alignment points are the given ones: each eye's six points around its centre. */
function landmarksWith(five: Point[]): Point[] {
  const points: Point[] = Array.from({ length: 68 }, () => ({ x: 0, y: 0 }));
  const eye = (centre: Point, first: number) => {
    for (let k = 0; k < 6; k++)
      points[first + k] = { x: centre.x + 3 * Math.cos((k * Math.PI) / 3), y: centre.y + 3 * Math.sin((k * Math.PI) / 3) };
  };
  eye(five[0], 36);
  eye(five[1], 42);
  [points[30], points[48], points[54]] = [five[2], five[3], five[4]];
  return points;
}

/** An image whose red channel is x and green channel y, so a sampled pixel says where it came from. */
function coordinateImage(width: number, height: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgb.set([x, y, 0], (y * width + x) * 3);
  return rgb;
}

describe('the five-point ArcFace alignment', () => {
  it('takes the eye centres, the nose tip and the mouth corners from the 68 landmarks', () => {
    const five = [
      { x: 10, y: 20 },
      { x: 30, y: 21 },
      { x: 20, y: 30 },
      { x: 12, y: 40 },
      { x: 28, y: 40 },
    ];
    const found = fivePoints(landmarksWith(five));
    found.forEach((p, i) => {
      expect(p.x).toBeCloseTo(five[i].x, 10);
      expect(p.y).toBeCloseTo(five[i].y, 10);
    });
  });

  it('recovers a known rotation, scale and shift exactly, and inverts it', () => {
    // The template turned by 90 degrees, doubled and moved: image = R(90) * 2 * template + (300, 50).
    const known = { a: 0, b: 2, tx: 300, ty: 50 };
    const image = arcfaceTemplate.map((p) => applySimilarity(known, p));
    const fitted = fitSimilarity(arcfaceTemplate, image);
    expect(fitted.a).toBeCloseTo(0, 10);
    expect(fitted.b).toBeCloseTo(2, 10);
    expect(fitted.tx).toBeCloseTo(300, 8);
    expect(fitted.ty).toBeCloseTo(50, 8);
    const toTemplate = alignmentTransform(landmarksWith(image));
    const back = invertSimilarity(fitted);
    expect(toTemplate.a).toBeCloseTo(back.a, 10);
    expect(toTemplate.b).toBeCloseTo(back.b, 10);
    expect(toTemplate.tx).toBeCloseTo(back.tx, 8);
    expect(toTemplate.ty).toBeCloseTo(back.ty, 8);
    // The right eye lands on the template's right eye.
    const eye = applySimilarity(toTemplate, image[1]);
    expect(eye.x).toBeCloseTo(73.5318, 8);
    expect(eye.y).toBeCloseTo(51.5014, 8);
  });

  it('is the least-squares fit when the points do not fit exactly: the mean point maps onto the template mean', () => {
    const image = arcfaceTemplate.map((p, i) => ({ x: p.x * 1.5 + 20 + (i === 2 ? 4 : 0), y: p.y * 1.5 + 10 }));
    const fitted = fitSimilarity(image, arcfaceTemplate);
    const mean = (points: readonly Point[]) => ({ x: points.reduce((s, p) => s + p.x, 0) / 5, y: points.reduce((s, p) => s + p.y, 0) / 5 });
    const mapped = mean(image.map((p) => applySimilarity(fitted, p)));
    expect(mapped.x).toBeCloseTo(mean(arcfaceTemplate).x, 8);
    expect(mapped.y).toBeCloseTo(mean(arcfaceTemplate).y, 8);
    expect(Math.hypot(fitted.a, fitted.b)).toBeCloseTo(1 / 1.5, 2);
  });

  it('samples the 112x112 crop from where the transform says: a face at twice the template size, moved by (10, 20)', () => {
    const five = arcfaceTemplate.map((p) => ({ x: 2 * p.x + 10, y: 2 * p.y + 20 }));
    const toTemplate = alignmentTransform(landmarksWith(five));
    const rgb = coordinateImage(240, 250);
    const crop = alignedCrop(rgb, 240, 250, toTemplate);
    const at = (c: Uint8Array, u: number, v: number) => [c[(v * alignedSize + u) * 3], c[(v * alignedSize + u) * 3 + 1]];
    expect(at(crop, 0, 0)).toEqual([10, 20]);
    expect(at(crop, 50, 30)).toEqual([110, 80]);
    expect(at(crop, 111, 111)).toEqual([232, 242]);
    const mirrored = alignedCrop(rgb, 240, 250, toTemplate, true);
    expect(at(mirrored, 0, 0)).toEqual([232, 20]);
    expect(at(mirrored, 111, 30)).toEqual([10, 80]);
  });

  it('is black outside the image', () => {
    const toTemplate = { a: 1, b: 0, tx: 50, ty: 50 }; // the image's origin lands at (50, 50) of the crop
    const crop = alignedCrop(coordinateImage(200, 200), 200, 200, toTemplate);
    expect([...crop.subarray(0, 3)]).toEqual([0, 0, 0]);
    expect([...crop.subarray((60 * alignedSize + 60) * 3, (60 * alignedSize + 60) * 3 + 3)]).toEqual([10, 10, 0]);
  });

  it('feeds the network NCHW floats, (v - 127) / 128', () => {
    const crop = new Uint8Array(2 * 2 * 3);
    crop.set([255, 127, 0], 0);
    const input = toNchw(crop, 2);
    expect([input[0], input[4], input[8]]).toEqual([1, 0, -127 / 128]);
    expect(input[1]).toBe(-127 / 128);
  });
});
