import sharp, { type Metadata } from 'sharp';
import { AppError } from '../errors.js';

/** Formats accepted, as sharp names them when it sniffs the content (never the file name). */
const acceptedFormats = new Set(['jpeg', 'png', 'webp', 'avif', 'heif', 'tiff', 'gif']);

export interface DecodedImage {
  /** Packed 8-bit RGB, EXIF orientation applied. */
  rgb: Buffer;
  width: number;
  height: number;
  format: string;
}

export interface IntakeLimits {
  maxPixels: number;
}

/**
 * Sniffs, checks and decodes an image. Errors are coded: IMAGE_EMPTY, IMAGE_UNSUPPORTED,
 * IMAGE_TOO_LARGE (checked from the header, before any pixel is decoded), IMAGE_CORRUPT.
 */
export async function decodeImage(bytes: Buffer, limits: IntakeLimits): Promise<DecodedImage> {
  const format = await sniffImage(bytes, limits);
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error', pages: 1 })
      .rotate()
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { rgb: data, width: info.width, height: info.height, format };
  } catch (error) {
    throw classifySharpError(error);
  }
}

/** Reads only the header: the format and size, refusing what is not an accepted image. */
export async function sniffImage(bytes: Buffer, limits: IntakeLimits): Promise<string> {
  if (bytes.length === 0) throw new AppError('IMAGE_EMPTY', 'the image is empty (0 bytes)');
  // SVG, HTML and other markup: never handed to a decoder (an SVG may reference other files).
  if (/^(\uFEFF)?\s*</.test(bytes.subarray(0, 64).toString('utf8')))
    throw new AppError(
      'IMAGE_UNSUPPORTED',
      'the content is markup (SVG, HTML or XML), not a photo: send JPEG, PNG, WebP, AVIF, TIFF or GIF',
    );
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { limitInputPixels: false, pages: 1 }).metadata();
  } catch (error) {
    throw classifySharpError(error);
  }
  const format = metadata.format === 'heif' && metadata.compression === 'av1' ? 'avif' : String(metadata.format);
  if (!acceptedFormats.has(format)) {
    throw new AppError('IMAGE_UNSUPPORTED', `unsupported image format "${format}": send JPEG, PNG, WebP, AVIF, TIFF or GIF`);
  }
  const width = metadata.width ?? 0;
  const height = metadata.height ?? 0;
  if (width * height > limits.maxPixels) {
    throw new AppError(
      'IMAGE_TOO_LARGE',
      `the image is ${width}x${height} = ${((width * height) / 1e6).toFixed(1)} megapixels; the limit is ${(limits.maxPixels / 1e6).toFixed(1)}`,
    );
  }
  if (width === 0 || height === 0) throw new AppError('IMAGE_CORRUPT', 'the image header gives no size');
  return format;
}

function classifySharpError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/unsupported image format/i.test(message)) {
    return new AppError('IMAGE_UNSUPPORTED', 'the content is not an image in a supported format (JPEG, PNG, WebP, AVIF, TIFF, GIF)');
  }
  if (/pixel limit/i.test(message)) {
    return new AppError('IMAGE_TOO_LARGE', 'the image has more pixels than the configured limit');
  }
  return new AppError('IMAGE_CORRUPT', `the image cannot be decoded: ${message.split('\n')[0]}`);
}
