import type { FaceQuality, Point } from '../domain/types.js';

/** Side of the square chip the recognition network reads (face-api's input size). */
export const chipSize = 150;

/** Mean of the 68-point landmarks of one eye: 36..41 is the eye on the image's left. */
export function eyeCentres(landmarks: Point[]): { left: Point; right: Point } {
  return { left: mean(landmarks.slice(36, 42)), right: mean(landmarks.slice(42, 48)) };
}

export function mean(points: Point[]): Point {
  const sum = points.reduce((acc, p) => ({ x: acc.x + p.x, y: acc.y + p.y }), { x: 0, y: 0 });
  return { x: sum.x / points.length, y: sum.y / points.length };
}

/** Angle of the eye line, radians; 0 for level eyes. */
export function eyeAngle(landmarks: Point[]): number {
  const { left, right } = eyeCentres(landmarks);
  return Math.atan2(right.y - left.y, right.x - left.x);
}

function rotate(p: Point, angle: number): Point {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return { x: p.x * cos - p.y * sin, y: p.x * sin + p.y * cos };
}

/**
 * Where the chip samples the source image, in a frame rotated so that the eyes are level when
 * `align` is set. Two crop conventions:
 * - `bbox`: the landmarks' bounding box padded by 20%, made square (face-api's `alignMinBbox`);
 * - `dlib`: face-api's descriptor crop (`alignDlib`, what `withFaceDescriptors()` feeds the
 *   recognition network): a square of side (mean eye-to-mouth distance) / 0.45, centred
 *   horizontally on the mean of the two eye centres and the mouth centre, with that point 43% of
 *   the side from the top.
 */
export type ChipCrop = 'bbox' | 'dlib';

export interface ChipFrame {
  angle: number;
  centre: Point; // in the rotated frame
  side: number;
}

export function chipFrame(landmarks: Point[], align: boolean, crop: ChipCrop = 'bbox'): ChipFrame {
  const angle = align ? eyeAngle(landmarks) : 0;
  const rotated = landmarks.map((p) => rotate(p, -angle));
  if (crop === 'dlib') {
    const { left, right } = eyeCentres(rotated);
    const mouth = mean(rotated.slice(48, 68));
    const side = (Math.hypot(mouth.x - left.x, mouth.y - left.y) + Math.hypot(mouth.x - right.x, mouth.y - right.y)) / 2 / 0.45;
    const ref = mean([left, right, mouth]);
    return { angle, centre: { x: ref.x, y: ref.y + (0.5 - 0.43) * side }, side };
  }
  const xs = rotated.map((p) => p.x);
  const ys = rotated.map((p) => p.y);
  const width = Math.max(...xs) - Math.min(...xs);
  const height = Math.max(...ys) - Math.min(...ys);
  const centre = { x: (Math.max(...xs) + Math.min(...xs)) / 2, y: (Math.max(...ys) + Math.min(...ys)) / 2 };
  return { angle, centre, side: Math.max(width, height) * 1.2 };
}

/** Samples a size x size RGB chip (bilinear; black outside the image), optionally mirrored. */
export function extractChip(rgb: Buffer, width: number, height: number, frame: ChipFrame, mirror = false, size = chipSize): Uint8Array {
  const chip = new Uint8Array(size * size * 3);
  const cos = Math.cos(frame.angle);
  const sin = Math.sin(frame.angle);
  const step = frame.side / size;
  for (let v = 0; v < size; v++) {
    const ry = frame.centre.y + (v + 0.5 - size / 2) * step;
    for (let u = 0; u < size; u++) {
      const uu = mirror ? size - 1 - u : u;
      const rx = frame.centre.x + (uu + 0.5 - size / 2) * step;
      sampleBilinear(rgb, width, height, rx * cos - ry * sin - 0.5, rx * sin + ry * cos - 0.5, chip, (v * size + u) * 3);
    }
  }
  return chip;
}

/** Writes the RGB value at (sx, sy), pixel centres at integer coordinates, black outside the image. */
export function sampleBilinear(rgb: Uint8Array, width: number, height: number, sx: number, sy: number, out: Uint8Array, at: number): void {
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  const fx = sx - x0;
  const fy = sy - y0;
  for (let c = 0; c < 3; c++) {
    const p00 = sample(rgb, width, height, x0, y0, c);
    const p10 = sample(rgb, width, height, x0 + 1, y0, c);
    const p01 = sample(rgb, width, height, x0, y0 + 1, c);
    const p11 = sample(rgb, width, height, x0 + 1, y0 + 1, c);
    out[at + c] = Math.round(p00 * (1 - fx) * (1 - fy) + p10 * fx * (1 - fy) + p01 * (1 - fx) * fy + p11 * fx * fy);
  }
}

function sample(rgb: Uint8Array, width: number, height: number, x: number, y: number, c: number): number {
  if (x < 0 || y < 0 || x >= width || y >= height) return 0;
  return rgb[(y * width + x) * 3 + c];
}

/** Variance of the 4-neighbour Laplacian of the grey chip: the usual focus measure. */
export function sharpness(chip: Uint8Array): number {
  const n = chipSize;
  const grey = new Float32Array(n * n);
  for (let i = 0; i < n * n; i++) grey[i] = 0.299 * chip[i * 3] + 0.587 * chip[i * 3 + 1] + 0.114 * chip[i * 3 + 2];
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      const i = y * n + x;
      const lap = grey[i - 1] + grey[i + 1] + grey[i - n] + grey[i + n] - 4 * grey[i];
      sum += lap;
      sumSq += lap * lap;
      count++;
    }
  }
  const m = sum / count;
  return sumSq / count - m * m;
}

const degrees = (radians: number) => (radians * 180) / Math.PI;
const clamp = (value: number) => Math.max(-1, Math.min(1, value));

/**
 * Where the nose tip sits between the eye line (0) and the mouth centre (1), in the eye-levelled
 * frame: the landmark measure pitch is read from.
 */
export function noseDrop(landmarks: Point[]): number {
  const p = landmarks.map((point) => rotate(point, -eyeAngle(landmarks)));
  const eyeY = (mean(p.slice(36, 42)).y + mean(p.slice(42, 48)).y) / 2;
  const mouthY = mean(p.slice(48, 68)).y;
  return (p[30].y - eyeY) / (mouthY - eyeY);
}

/**
 * noseDrop of a frontal face, measured rather than taken from a textbook mean face: over 398
 * lfw-view1 fold-0 portraits (400 spread over the alphabet, 2 without a face;
 * `npx tsx src/evaluation/pose.ts --count 400`) the median noseDrop is 0.538 (5%-95%: 0.371-0.656).
 * The former constant 0.6 read these mostly frontal press photos as pitched by -8.9 degrees in the
 * median (5%-95%: -34.9 to +8.1); with 0.538 the median is 0 and the 5%-95% range about -25 to +17.
 */
export const frontalNoseDrop = 0.538;

/**
 * Head pose from 2-D landmarks, in the eye-levelled frame. Estimates, not a 3-D fit: yaw from
 * where the nose tip sits between the jaw ends, pitch from how far noseDrop departs from a
 * frontal face's (positive: the head tilts down, the nose tip nearer the mouth), roll from the eyes.
 */
export function headPose(landmarks: Point[]): Pick<FaceQuality, 'yaw' | 'pitch' | 'roll'> {
  const roll = eyeAngle(landmarks);
  const p = landmarks.map((point) => rotate(point, -roll));
  const nose = p[30];
  const towardsLeft = nose.x - p[0].x;
  const towardsRight = p[16].x - nose.x;
  const yaw = degrees(Math.asin(clamp((towardsLeft - towardsRight) / (towardsLeft + towardsRight))));
  const pitch = degrees(Math.asin(clamp((noseDrop(landmarks) - frontalNoseDrop) / 0.4)));
  return { yaw, pitch, roll: degrees(roll) };
}

export function interOcular(landmarks: Point[]): number {
  const { left, right } = eyeCentres(landmarks);
  return Math.hypot(right.x - left.x, right.y - left.y);
}

/**
 * Two detections are one face when each eye of one lies within this share of the (smaller) eye
 * distance of the same eye of the other: two real faces cannot overlap so. Tiles and the rescan at
 * other paddings box a face a second time, shifted (eyes 0.2-0.4 eye distances apart on the handout
 * benchmark), where the boxes overlap too little for mergeDetections; two people side by side in
 * one photo have eyes about 0.75 eye distances apart or more.
 */
const sameFaceEyeShare = 0.5;

function isSameFace(a: Point[], b: Point[]): boolean {
  const eyesA = eyeCentres(a);
  const eyesB = eyeCentres(b);
  const reach = sameFaceEyeShare * Math.min(interOcular(a), interOcular(b));
  const near = (p: Point, q: Point) => Math.hypot(p.x - q.x, p.y - q.y) <= reach;
  return near(eyesA.left, eyesB.left) && near(eyesA.right, eyesB.right);
}

/** Each face once: of detections whose landmarks show the same face, the surest is kept; the order is kept. */
export function distinctFaces<T extends { score: number; landmarks: Point[] }>(faces: T[]): T[] {
  const bySureness = [...faces].sort((a, b) => b.score - a.score);
  const kept = new Set<T>();
  for (const face of bySureness) if (![...kept].some((other) => isSameFace(face.landmarks, other.landmarks))) kept.add(face);
  return faces.filter((face) => kept.has(face));
}

export function l2normalise(vector: ArrayLike<number>): number[] {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i] * vector[i];
  norm = Math.sqrt(norm) || 1;
  return Array.from(vector, (value) => value / norm);
}
