import sharp from 'sharp';
import type { DescriptorMode } from '../domain/descriptor-modes.js';
import type { Box, DetectedFace, ImageAnalysis, Point } from '../domain/types.js';
import { type DecodedImage, decodeImage, type IntakeLimits } from '../images/intake.js';
import { alignedCrop, alignmentTransform } from './alignment.js';
import { type BackendPreference, type FaceApi, startBackend, type TfRuntime } from './backend.js';
import { type DescriptorName, descriptorModelPart, descriptorSpecs, descriptorsOf, fuse } from './descriptors.js';
import { FrFeatureNet } from './fr-feature.js';
import {
  type ChipCrop,
  chipFrame,
  chipSize,
  distinctFaces,
  extractChip,
  headPose,
  interOcular,
  l2normalise,
  sharpness,
} from './geometry.js';
import { modelDir, verifyModels } from './models.js';

/**
 * How the engine turns an image into faces. The defaults are the measured best (docs/improvements.md);
 * `plain` reproduces face-api's own pipeline for comparison.
 */
export interface PipelineOptions {
  /** Margin added around the detection copy, as a fraction of its longer side: SSD misses faces that fill the frame. */
  detectionPadding: number;
  /** Longest side of the downscaled copy detection runs on; descriptors come from full resolution. */
  detectionMaxSide: number;
  /** SSD MobileNet v1 minimum confidence; the quality gate decides later what is usable. */
  minDetectorScore: number;
  /** Which region of the face the chip shows (see `chipFrame`). */
  crop: ChipCrop;
  /** Rotate the chip so the eyes are level. */
  align: boolean;
  /** Average the descriptors of the chip and its mirror image. */
  flip: boolean;
  /** Run face-api's own detectAllFaces().withFaceLandmarks().withFaceDescriptors() instead. */
  plain: boolean;
  /** Paddings tried in turn, only while the detection copy has given no face yet. */
  retryPaddings?: number[];
  /** Detection copies whose longer side is below this are upscaled to it (0: never). */
  detectionMinSide?: number;
  /**
   * On a large image whose faces are all small (a printed list, a crowd), also detect on
   * overlapping tiles, so that the detector sees small faces at twice the size.
   */
  tiledDetection?: boolean;
  /**
   * When every face found is small for the image (see `mayHaveMissedLargerFace`), detect again at
   * the retry paddings and add the faces found there: SSD's score for one clear face can swing from
   * 0.99 to 0.23 with the padding around the image.
   */
  rescanWhenSmall?: boolean;
  /** Which descriptors describe a face (src/engine/descriptors.ts); absent: face-api's alone. */
  descriptor?: DescriptorMode;
  /**
   * Evaluation only: also return each face's descriptor for every chip variant (see
   * `chipVariants`), or with a fused descriptor each network's unit descriptor.
   */
  describeVariants?: boolean;
}

/** A chip variant's name, as `--variant` takes it and the model id ends: `dlib-aligned-flip`, `chip`, ... */
export function chipVariantName(variant: { crop: ChipCrop; align: boolean; flip: boolean }): string {
  return `${variant.crop === 'dlib' ? 'dlib' : 'chip'}${variant.align ? '-aligned' : ''}${variant.flip ? '-flip' : ''}`;
}

/** The chip variants one detection can be described with, compared in docs/improvements.md. */
export const chipVariants = (['bbox', 'dlib'] as const).flatMap((crop) =>
  [false, true].flatMap((align) => [false, true].map((flip) => ({ name: chipVariantName({ crop, align, flip }), crop, align, flip }))),
);

export const defaultPipelineOptions: PipelineOptions = {
  detectionPadding: 0.25,
  detectionMaxSide: 1024,
  minDetectorScore: 0.3,
  crop: 'dlib',
  align: true,
  flip: true,
  plain: false,
  retryPaddings: [0.5, 0.8],
  tiledDetection: true,
  rescanWhenSmall: true,
};

export const plainPipelineOptions: PipelineOptions = {
  ...defaultPipelineOptions,
  detectionPadding: 0,
  plain: true,
  align: false,
  flip: false,
  retryPaddings: undefined,
  tiledDetection: false,
  rescanWhenSmall: false,
};

/** Names every network, crop and fusion weight that made the descriptors: a change re-embeds the registry. */
export function modelId(options: PipelineOptions): string {
  const base = descriptorSpecs['face-api'].model;
  if (options.plain) return `${base}/plain`;
  return `${base}/${chipVariantName(options)}${descriptorModelPart(options.descriptor ?? 'face-api')}`;
}

/** Milliseconds per stage; face-api's plain pipeline runs as one call, so only its total is known. */
export interface StageTimings {
  decode: number;
  detect?: number;
  landmarks?: number;
  descriptor?: number;
  total: number;
}

export interface TimedAnalysis extends ImageAnalysis {
  timings: StageTimings;
  /** Which detection pass found the faces: 0 the first, 1.. the retries (absent for plain). */
  detectionPass?: number;
  /** With `describeVariants`: per face, the descriptor of every chip variant by name. */
  variantDescriptors?: Record<string, number[]>[];
  /** With `describeVariants` and a fused descriptor: per face, each network's unit descriptor. */
  descriptorParts?: Partial<Record<DescriptorName, number[]>>[];
}

export class FacePipeline {
  private frFeatureNet?: Promise<FrFeatureNet>;

  private constructor(
    private readonly runtime: TfRuntime,
    private readonly limits: IntakeLimits,
  ) {}

  /** `descriptor`: the mode to load every network for now; another mode's networks load on first use. */
  static async create(backend: BackendPreference, limits: IntakeLimits, descriptor: DescriptorMode = 'face-api'): Promise<FacePipeline> {
    await verifyModels();
    const runtime = await startBackend(backend);
    const { nets } = runtime.faceapi;
    await nets.ssdMobilenetv1.loadFromDisk(modelDir);
    await nets.faceLandmark68Net.loadFromDisk(modelDir);
    await nets.faceRecognitionNet.loadFromDisk(modelDir);
    const pipeline = new FacePipeline(runtime, limits);
    if (descriptorsOf(descriptor).includes('fr-feature')) await pipeline.frFeature();
    return pipeline;
  }

  private frFeature(): Promise<FrFeatureNet> {
    this.frFeatureNet ??= FrFeatureNet.load(modelDir);
    return this.frFeatureNet;
  }

  get backend(): string {
    return this.runtime.backend;
  }

  get fallbackReason(): string | undefined {
    return this.runtime.fallbackReason;
  }

  async analyze(bytes: Buffer, options: PipelineOptions): Promise<TimedAnalysis> {
    const t0 = performance.now();
    const image = await decodeImage(bytes, this.limits);
    const t1 = performance.now();
    if (options.plain) return this.analyzePlain(image, t1 - t0);
    const { boxes, pass } = await this.detect(image, options);
    const t2 = performance.now();
    const detected = [];
    for (const detection of boxes) detected.push({ ...detection, landmarks: await this.landmarks(image, detection.box) });
    const located = distinctFaces(detected);
    const t3 = performance.now();
    const faces: DetectedFace[] = [];
    const fused = (options.descriptor ?? 'face-api') !== 'face-api';
    const descriptorParts = options.describeVariants && fused ? ([] as Partial<Record<DescriptorName, number[]>>[]) : undefined;
    for (const face of located) {
      const described = await this.describe(image, face.box, face.score, face.landmarks, options);
      faces.push(described.face);
      descriptorParts?.push(described.parts);
    }
    const variantDescriptors = options.describeVariants && !fused ? ([] as Record<string, number[]>[]) : undefined;
    if (variantDescriptors) for (const face of located) variantDescriptors.push(await this.describeVariants(image, face.landmarks));
    const t4 = performance.now();
    return {
      width: image.width,
      height: image.height,
      format: image.format,
      faces,
      model: modelId(options),
      timings: { decode: t1 - t0, detect: t2 - t1, landmarks: t3 - t2, descriptor: t4 - t3, total: t4 - t0 },
      detectionPass: pass,
      variantDescriptors,
      descriptorParts,
    };
  }

  private async detect(image: DecodedImage, options: PipelineOptions): Promise<{ boxes: { box: Box; score: number }[]; pass: number }> {
    const paddings = [options.detectionPadding, ...(options.retryPaddings ?? [])];
    for (let pass = 0; pass < paddings.length; pass++) {
      const boxes = await this.detectOnce(image, paddings[pass], options);
      if (boxes.length > 0 || pass === paddings.length - 1) {
        let found = boxes;
        if (pass === 0 && options.rescanWhenSmall && mayHaveMissedLargerFace(image, boxes))
          for (const padding of options.retryPaddings ?? []) found = mergeDetections(found, await this.detectOnce(image, padding, options));
        // Tiles are decided by the first pass, as before the rescan: it only adds faces.
        if (!options.tiledDetection || !wantsTiles(image, boxes)) return { boxes: found, pass };
        return { boxes: mergeDetections(found, await this.detectTiles(image, options)), pass };
      }
    }
    return { boxes: [], pass: 0 };
  }

  /** Detections on overlapping tiles of the image (see `tilesOf`; bare paper is skipped), in the image's coordinates. */
  private async detectTiles(image: DecodedImage, options: PipelineOptions): Promise<{ box: Box; score: number }[]> {
    const found: { box: Box; score: number }[] = [];
    for (const tile of tilesOf(image.width, image.height)) {
      const rgb = await sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } })
        .extract(tile)
        .raw()
        .toBuffer();
      if (!mayHoldFace(rgb, tile.width, tile.height)) continue;
      const part: DecodedImage = { rgb, width: tile.width, height: tile.height, format: image.format };
      for (const detection of await this.detectOnce(part, options.detectionPadding, options))
        found.push({ ...detection, box: { ...detection.box, x: detection.box.x + tile.left, y: detection.box.y + tile.top } });
    }
    return found;
  }

  private async detectOnce(image: DecodedImage, padding: number, options: PipelineOptions): Promise<{ box: Box; score: number }[]> {
    const { faceapi } = this.runtime;
    const longer = Math.max(image.width, image.height);
    let scale = Math.min(1, options.detectionMaxSide / longer);
    if (options.detectionMinSide && longer * scale < options.detectionMinSide) scale = options.detectionMinSide / longer;
    const width = Math.max(1, Math.round(image.width * scale));
    const height = Math.max(1, Math.round(image.height * scale));
    const pad = Math.round(padding * Math.max(width, height));
    const copy = await sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } })
      .resize(width, height, { kernel: 'linear' })
      .extend({ top: pad, bottom: pad, left: pad, right: pad, background: { r: 127, g: 127, b: 127 } })
      .raw()
      .toBuffer();
    const tensor = faceapi.tf.tensor3d(copy, [height + 2 * pad, width + 2 * pad, 3], 'int32');
    try {
      const detections = await faceapi.detectAllFaces(
        tensor as never,
        new faceapi.SsdMobilenetv1Options({ minConfidence: options.minDetectorScore, maxResults: 100 }),
      );
      return detections
        .map((detection) => {
          const x = Math.max(0, (detection.box.x - pad) / scale);
          const y = Math.max(0, (detection.box.y - pad) / scale);
          const right = Math.min(image.width, (detection.box.x + detection.box.width - pad) / scale);
          const bottom = Math.min(image.height, (detection.box.y + detection.box.height - pad) / scale);
          return { box: { x, y, width: right - x, height: bottom - y }, score: detection.score };
        })
        .filter((d) => d.box.width >= 2 && d.box.height >= 2);
    } finally {
      tensor.dispose();
    }
  }

  /** 68 landmarks from a full-resolution square crop around the box, in image coordinates. */
  private async landmarks(image: DecodedImage, box: Box): Promise<Point[]> {
    const { faceapi } = this.runtime;
    const side = Math.max(box.width, box.height);
    const centreX = box.x + box.width / 2;
    const centreY = box.y + box.height / 2;
    const frame = { angle: 0, centre: { x: centreX, y: centreY }, side };
    const size = 112; // the landmark network's input size
    const crop = extractChip(image.rgb, image.width, image.height, frame, false, size);
    const tensor = faceapi.tf.tensor3d(crop, [size, size, 3], 'int32');
    try {
      const result = (await faceapi.nets.faceLandmark68Net.detectLandmarks(tensor as never)) as InstanceType<FaceApi['FaceLandmarks68']>;
      const scale = side / size;
      return result.positions.map((p) => ({ x: centreX - side / 2 + p.x * scale, y: centreY - side / 2 + p.y * scale }));
    } finally {
      tensor.dispose();
    }
  }

  private async describe(
    image: DecodedImage,
    box: Box,
    score: number,
    landmarks: Point[],
    options: PipelineOptions,
  ): Promise<{ face: DetectedFace; parts: Partial<Record<DescriptorName, number[]>> }> {
    const names = descriptorsOf(options.descriptor ?? 'face-api');
    const frame = chipFrame(landmarks, options.align, options.crop);
    const chip = extractChip(image.rgb, image.width, image.height, frame);
    const chips = [chip];
    if (options.flip) chips.push(extractChip(image.rgb, image.width, image.height, frame, true));
    const parts: Partial<Record<DescriptorName, number[]>> = { 'face-api': l2normalise(sumOf(await this.embed(chips))) };
    if (names.includes('fr-feature')) parts['fr-feature'] = await this.describeAligned(image, landmarks);
    return {
      face: {
        box,
        landmarks,
        descriptor: names.length === 1 ? parts[names[0]]! : fuse(parts, names),
        quality: { faceSize: interOcular(landmarks), detectorScore: score, sharpness: focus(image, landmarks), ...headPose(landmarks) },
      },
      parts,
    };
  }

  /** fr_feature's unit descriptor of the five-point aligned crop, averaged with its mirror image's. */
  private async describeAligned(image: DecodedImage, landmarks: Point[]): Promise<number[]> {
    const net = await this.frFeature();
    const toTemplate = alignmentTransform(landmarks);
    const plain = await net.embed(alignedCrop(image.rgb, image.width, image.height, toTemplate));
    const mirrored = await net.embed(alignedCrop(image.rgb, image.width, image.height, toTemplate, true));
    return l2normalise(sumOf([plain, mirrored]));
  }

  /** One 128-d descriptor per chip, from the recognition network in one batch. */
  private async embed(chips: Uint8Array[]): Promise<Float32Array[]> {
    const { faceapi } = this.runtime;
    const tensors = chips.map((c) => faceapi.tf.tensor3d(c, [chipSize, chipSize, 3], 'int32'));
    try {
      const result = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(tensors as never);
      return Array.isArray(result) ? result : [result];
    } finally {
      for (const t of tensors) t.dispose();
    }
  }

  private async describeVariants(image: DecodedImage, landmarks: Point[]): Promise<Record<string, number[]>> {
    const out: Record<string, number[]> = {};
    for (const crop of ['bbox', 'dlib'] as const) {
      for (const align of [false, true]) {
        const frame = chipFrame(landmarks, align, crop);
        const chips = [
          extractChip(image.rgb, image.width, image.height, frame),
          extractChip(image.rgb, image.width, image.height, frame, true),
        ];
        const descriptors = await this.embed(chips);
        out[chipVariantName({ crop, align, flip: false })] = l2normalise(descriptors[0]);
        out[chipVariantName({ crop, align, flip: true })] = l2normalise(sumOf(descriptors));
      }
    }
    return out;
  }

  private async analyzePlain(image: DecodedImage, decodeMs: number): Promise<TimedAnalysis> {
    const { faceapi } = this.runtime;
    const tensor = faceapi.tf.tensor3d(image.rgb, [image.height, image.width, 3], 'int32');
    const t0 = performance.now();
    try {
      const options = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.3 });
      const results = await faceapi
        .detectAllFaces(tensor as never, options)
        .withFaceLandmarks()
        .withFaceDescriptors();
      const timings = { decode: decodeMs, total: decodeMs + performance.now() - t0 };
      return {
        width: image.width,
        height: image.height,
        format: image.format,
        model: modelId(plainPipelineOptions),
        timings,
        faces: results.map((r) => ({
          box: { x: r.detection.box.x, y: r.detection.box.y, width: r.detection.box.width, height: r.detection.box.height },
          landmarks: r.landmarks.positions.map((p) => ({ x: p.x, y: p.y })),
          descriptor: Array.from(r.descriptor),
          quality: {
            faceSize: interOcular(r.landmarks.positions),
            detectorScore: r.detection.score,
            sharpness: 0,
            ...headPose(r.landmarks.positions),
          },
        })),
      };
    } finally {
      tensor.dispose();
    }
  }
}

/**
 * Sharpness is measured on one fixed view of the face, whatever crop the recognition network
 * reads: the eye-levelled landmark box padded by 20%, the chip the quality gates were calibrated on
 * (src/domain/thresholds.ts).
 */
function focus(image: DecodedImage, landmarks: Point[]): number {
  return sharpness(extractChip(image.rgb, image.width, image.height, chipFrame(landmarks, true, 'bbox')));
}

function sumOf(descriptors: Float32Array[]): Float32Array {
  const sum = new Float32Array(descriptors[0].length);
  for (const d of descriptors) for (let i = 0; i < sum.length; i++) sum[i] += d[i];
  return sum;
}

/** Below this longer side an image is not tiled: the detector (512 px square input) already sees it whole at about its size. */
const minTiledSide = 400;
/** Tiled when the largest face found is narrower than this share of the image's longer side. */
const smallFaceShare = 1 / 8;
/** Tiles are about this long a side, so that the detector sees them at about their own size... */
const tileSide = 320;
/** ...but a side is cut in at most this many (a large page: 9 tiles, the detector then sees it at over twice the size). */
const maxTilesPerSide = 3;

/**
 * A face narrower than this share of the image's longer side is small for it: seen alone, a larger
 * face may have been missed. On the handout benchmark (seed 2), SSD missed the subject of 4 of 40
 * web photos (a clear face about 70 px wide in a 350-px image, scored 0.23-0.26 at the usual
 * padding and 0.90-0.99 at others) and found only the bystander, 40 px wide.
 */
const rescanFaceShare = 1 / 5;

/** Whether faces were found and every one is small for the image, so that a larger one may have been missed. */
export function mayHaveMissedLargerFace(image: { width: number; height: number }, boxes: { box: Box }[]): boolean {
  if (boxes.length === 0) return false;
  const largest = Math.max(...boxes.map((detection) => detection.box.width));
  return largest < rescanFaceShare * Math.max(image.width, image.height);
}

/** Whether detection should look again on tiles: a large image where no face, or only small ones, was found. */
export function wantsTiles(image: { width: number; height: number }, boxes: { box: Box }[]): boolean {
  const longer = Math.max(image.width, image.height);
  if (longer < minTiledSide) return false;
  const largest = Math.max(0, ...boxes.map((detection) => detection.box.width));
  return largest < smallFaceShare * longer;
}

/**
 * Overlapping tiles covering an image: each side cut in pieces of about tileSide (at most
 * maxTilesPerSide), each piece widened by a quarter into its neighbours, so that a face lies whole
 * in one of them.
 */
export function tilesOf(width: number, height: number): { left: number; top: number; width: number; height: number }[] {
  const spans = (side: number) => {
    const count = Math.min(maxTilesPerSide, Math.max(1, Math.ceil(side / tileSide)));
    if (count === 1) return [{ start: 0, length: side }];
    const length = Math.min(side, Math.ceil((side / count) * 1.25));
    return Array.from({ length: count }, (_, index) => ({ start: Math.round(((side - length) * index) / (count - 1)), length }));
  };
  return spans(width).flatMap((x) => spans(height).map((y) => ({ left: x.start, top: y.start, width: x.length, height: y.length })));
}

/** A tile is judged in cells of this many pixels a side... */
const toneCell = 8;
/**
 * ...and holds no findable face when fewer than this many cells are mostly mid-tone (see
 * mayHoldFace): eight cells are a photograph of about 23 x 23 px, and a face is a part of its
 * photograph (on the handout benchmark's drafts the smallest face found is 12 px across, on a
 * 90-px portrait of some 150 cells; the smallest portraits, 70 px, are about 90). So the tiles of
 * a page's empty margins, or of a printed rule or a page number, are skipped.
 */
const minMidToneCells = 8;

/**
 * Whether a tile (raw RGB) shows anything a face could be in: at least minMidToneCells cells of
 * which half the pixels or more are a mid tone, neither paper white nor ink black. Print is ink
 * with a thin edge of mid tones; a photograph is mid tones throughout.
 */
export function mayHoldFace(rgb: Buffer, width: number, height: number): boolean {
  let cells = 0;
  for (let top = 0; top + toneCell <= height; top += toneCell)
    for (let left = 0; left + toneCell <= width; left += toneCell) {
      let mid = 0;
      for (let y = top; y < top + toneCell; y++) {
        let index = (y * width + left) * 3;
        for (let x = 0; x < toneCell; x++, index += 3) {
          const brightness = 0.299 * rgb[index] + 0.587 * rgb[index + 1] + 0.114 * rgb[index + 2];
          if (brightness >= 32 && brightness <= 224) mid++;
        }
      }
      if (mid * 2 >= toneCell * toneCell && ++cells >= minMidToneCells) return true;
    }
  return false;
}

const boxArea = (box: Box) => box.width * box.height;

/** How much two boxes overlap, as a share of the smaller: a face cut at a tile's edge lies inside the whole one. */
function containment(a: Box, b: Box): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (width <= 0 || height <= 0) return 0;
  return (width * height) / Math.max(1, Math.min(boxArea(a), boxArea(b)));
}

/** The whole image's detections, and each tile detection that no kept one covers, surest first. */
export function mergeDetections<T extends { box: Box; score: number }>(whole: T[], tiles: T[]): T[] {
  const kept = [...whole];
  for (const detection of [...tiles].sort((a, b) => b.score - a.score))
    if (!kept.some((other) => containment(other.box, detection.box) > 0.5)) kept.push(detection);
  return kept;
}
