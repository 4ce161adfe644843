import sharp, { type Region, type Sharp } from 'sharp';
import type { Box } from '../domain/types.js';

/** Context kept around a face: half the face's larger side on each side, so hair, ears and chin show. */
export const faceCropMargin = 0.5;

/** The region of an image (upright, width × height) that shows the face in `box` with its margin, kept inside the image. */
export function faceRegion(box: Box, width: number, height: number): Region {
  const margin = Math.max(box.width, box.height) * faceCropMargin;
  const left = Math.max(0, Math.min(width - 1, Math.floor(box.x - margin)));
  const top = Math.max(0, Math.min(height - 1, Math.floor(box.y - margin)));
  const right = Math.min(width, Math.ceil(box.x + box.width + margin));
  const bottom = Math.min(height, Math.ceil(box.y + box.height + margin));
  return { left, top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) };
}

/**
 * The face as the API's evidence and the HTML report both show it: the image turned upright
 * (EXIF orientation), cropped to the face and its margin. Without a box, the whole image.
 */
export async function faceCrop(bytes: Buffer, box: Box | null): Promise<Sharp> {
  const { data, info } = await sharp(bytes, { failOn: 'none' }).rotate().toBuffer({ resolveWithObject: true });
  const upright = sharp(data);
  return box ? upright.extract(faceRegion(box, info.width, info.height)) : upright;
}

/** An image's width and height as shown upright (EXIF orientation applied), from its header. */
export async function uprightSize(bytes: Buffer): Promise<{ width: number; height: number }> {
  const metadata = await sharp(bytes).metadata();
  const turned = (metadata.orientation ?? 1) >= 5;
  const width = metadata.width ?? 0;
  const height = metadata.height ?? 0;
  return turned ? { width: height, height: width } : { width, height };
}

/** Text made safe inside HTML or SVG markup (element content and quoted attributes). */
export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
