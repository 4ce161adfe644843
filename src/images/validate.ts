import sharp from 'sharp';
import { AppError } from '../errors.js';
import { sniffImage } from './intake.js';

/**
 * Refuses at upload what no worker could ever read, so the submitter hears it at once:
 * the type is sniffed from the content and the header's size checked before any decoding
 * (decompression bombs), then the image is decoded to the end on libuv's thread pool.
 */
export async function validateImage(bytes: Buffer, maxPixels: number): Promise<{ format: string }> {
  const format = await sniffImage(bytes, { maxPixels });
  try {
    await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error', pages: 1, sequentialRead: true })
      .resize({ width: 64, height: 64, fit: 'inside', fastShrinkOnLoad: false })
      .raw()
      .toBuffer();
  } catch (error) {
    throw new AppError('IMAGE_CORRUPT', `the image cannot be decoded: ${(error as Error).message.split('\n')[0]}`);
  }
  return { format };
}
