/**
 * The ArcFace-style crop: five points from face-api's 68 landmarks mapped by a least-squares
 * similarity transform onto the 112x112 template ArcFace-style networks are trained on. Pure
 * geometry, no I/O.
 */
import type { Point } from '../domain/types.js';
import { mean, sampleBilinear } from './geometry.js';

/** Side of the aligned crop. */
export const alignedSize = 112;

/**
 * Where the five points sit in the 112x112 crop (InsightFace's `arcface_dst`, the template the
 * faceplugin package's own code warps to): left eye, right eye, nose tip, left and right mouth corner.
 */
export const arcfaceTemplate: readonly Point[] = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
];

/** The five template points from the 68 landmarks: eye centres (36-41, 42-47), nose tip 30, mouth corners 48 and 54. */
export function fivePoints(landmarks: Point[]): Point[] {
  return [mean(landmarks.slice(36, 42)), mean(landmarks.slice(42, 48)), landmarks[30], landmarks[48], landmarks[54]];
}

/** x' = a x - b y + tx, y' = b x + a y + ty: rotation, uniform scale and shift, no shear or reflection. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

export function applySimilarity(t: Similarity, p: Point): Point {
  return { x: t.a * p.x - t.b * p.y + t.tx, y: t.b * p.x + t.a * p.y + t.ty };
}

export function invertSimilarity(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  const a = t.a / d;
  const b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/** The similarity transform that maps `from` onto `to` with the least sum of squared errors. */
export function fitSimilarity(from: readonly Point[], to: readonly Point[]): Similarity {
  const mf = mean([...from]);
  const mt = mean([...to]);
  let sxx = 0;
  let dot = 0;
  let cross = 0;
  for (let i = 0; i < from.length; i++) {
    const fx = from[i].x - mf.x;
    const fy = from[i].y - mf.y;
    const tx = to[i].x - mt.x;
    const ty = to[i].y - mt.y;
    sxx += fx * fx + fy * fy;
    dot += fx * tx + fy * ty;
    cross += fx * ty - fy * tx;
  }
  const a = sxx === 0 ? 1 : dot / sxx;
  const b = sxx === 0 ? 0 : cross / sxx;
  return { a, b, tx: mt.x - (a * mf.x - b * mf.y), ty: mt.y - (b * mf.x + a * mf.y) };
}

/** The transform from image coordinates onto the template, for a face's 68 landmarks. */
export function alignmentTransform(landmarks: Point[]): Similarity {
  return fitSimilarity(fivePoints(landmarks), arcfaceTemplate);
}

/**
 * Samples the 112x112 RGB crop (bilinear, black outside the image, pixel centres at integer
 * coordinates as in OpenCV's warpAffine), optionally mirrored left to right.
 */
export function alignedCrop(rgb: Uint8Array, width: number, height: number, toTemplate: Similarity, mirror = false): Uint8Array {
  const size = alignedSize;
  const back = invertSimilarity(toTemplate);
  const crop = new Uint8Array(size * size * 3);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const su = mirror ? size - 1 - u : u;
      sampleBilinear(rgb, width, height, back.a * su - back.b * v + back.tx, back.b * su + back.a * v + back.ty, crop, (v * size + u) * 3);
    }
  }
  return crop;
}

/** HWC RGB bytes to the network's NCHW float input, (v - 127) / 128. */
export function toNchw(crop: Uint8Array, size = alignedSize): Float32Array {
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[c * plane + i] = (crop[i * 3 + c] - 127) / 128;
  }
  return out;
}
