/**
 * Drafts as partners make them, drawn with sharp: a printed list (title, a grid of small
 * captioned portraits, one low-quality JPEG, sometimes greyscale) and a web photo with a
 * bystander beside the subject.
 */
import sharp from 'sharp';
import type { Box } from '../../domain/types.js';
import { escapeMarkup } from '../../images/face-crop.js';

/** Installed with fontconfig's usual fonts (fc-list); holds Latin and Cyrillic. */
const font = 'DejaVu Sans';

export interface ListLayout {
  title: string;
  columns: number;
  portraitWidth: number;
  greyscale: boolean;
  jpegQuality: number;
}

export interface ListEntry {
  /** The source photo's bytes (a square LFW portrait). */
  photo: Buffer;
  caption: string;
}

/** A portrait is 4:5, cut from the square LFW photo around the face (the face is at its centre). */
const portraitHeight = (width: number) => Math.round(width * 1.25);

async function cutPortrait(photo: Buffer, width: number): Promise<Buffer> {
  const { width: side = 250 } = await sharp(photo).metadata();
  const cropWidth = Math.round(side * 0.64);
  const cropHeight = Math.round(side * 0.8);
  return sharp(photo)
    .extract({ left: Math.round((side - cropWidth) / 2), top: Math.round(side * 0.1), width: cropWidth, height: cropHeight })
    .resize(width, portraitHeight(width))
    .toBuffer();
}

/** Caption lines: the name on one line if it fits the cell, else broken before the last word. */
function captionLines(caption: string, cellWidth: number, fontSize: number): string[] {
  const words = caption.split(' ');
  if (caption.length * fontSize * 0.6 <= cellWidth || words.length === 1) return [caption];
  return [words.slice(0, -1).join(' '), words.at(-1)!];
}

/** Renders a list page; returns the JPEG and each portrait's rectangle, in the entries' order. */
export async function renderList(layout: ListLayout, entries: ListEntry[]): Promise<{ image: Buffer; rects: Box[] }> {
  const { columns, portraitWidth: width } = layout;
  const height = portraitHeight(width);
  const fontSize = 11;
  const cellWidth = Math.max(width + 24, 130);
  const captionHeight = 2 * fontSize + 10;
  const margin = 24;
  const titleHeight = 56;
  const rows = Math.ceil(entries.length / columns);
  const pageWidth = 2 * margin + columns * cellWidth;
  const pageHeight = titleHeight + rows * (height + captionHeight + 12) + margin;
  const rects = entries.map(
    (_, index): Box => ({
      x: margin + (index % columns) * cellWidth + Math.round((cellWidth - width) / 2),
      y: titleHeight + Math.floor(index / columns) * (height + captionHeight + 12),
      width,
      height,
    }),
  );
  const text = [
    `<text x="${pageWidth / 2}" y="36" font-family="${font}" font-size="20" font-weight="bold" text-anchor="middle">${escapeMarkup(layout.title)}</text>`,
    ...entries.flatMap((entry, index) =>
      captionLines(entry.caption, cellWidth - 6, fontSize).map(
        (line, n) =>
          `<text x="${rects[index].x + width / 2}" y="${rects[index].y + height + fontSize + 3 + n * (fontSize + 2)}" font-family="${font}" font-size="${fontSize}" text-anchor="middle">${escapeMarkup(line)}</text>`,
      ),
    ),
  ];
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${pageWidth}" height="${pageHeight}">${text.join('')}</svg>`);
  const portraits = await Promise.all(entries.map((entry) => cutPortrait(entry.photo, width)));
  let page = sharp({ create: { width: pageWidth, height: pageHeight, channels: 3, background: '#fbfaf6' } }).composite([
    ...portraits.map((input, index) => ({ input, left: rects[index].x, top: rects[index].y })),
    { input: svg, left: 0, top: 0 },
  ]);
  // Composite first, then recolour and compress the whole page, as printing software does.
  const flat = await page.png().toBuffer();
  page = sharp(flat);
  if (layout.greyscale) page = page.greyscale();
  return { image: await page.jpeg({ quality: layout.jpegQuality }).toBuffer(), rects };
}

export interface SingleLayout {
  /** Subject's side in pixels (the LFW photo is square). */
  subjectSide: number;
  /** The bystander's side as a fraction of the subject's. */
  bystanderScale: number;
  bystanderBlur: number;
  /** Bystander left of the subject (else right), partly behind it. */
  bystanderLeft: boolean;
  jpegQuality: number;
}

/**
 * A web photo: the subject in front, a smaller bystander beside and partly behind, on a blurred
 * photographic background. Rectangles are those of the pasted photos.
 */
export async function renderSingle(
  layout: SingleLayout,
  subject: Buffer,
  bystander: Buffer,
  background: Buffer,
): Promise<{ image: Buffer; subjectRect: Box; bystanderRect: Box }> {
  const side = layout.subjectSide;
  const small = Math.round(side * layout.bystanderScale);
  const width = Math.round(side * 1.9);
  const height = Math.round(side * 1.2);
  const subjectRect: Box = {
    x: layout.bystanderLeft ? width - side - Math.round(side * 0.1) : Math.round(side * 0.1),
    y: height - side,
    width: side,
    height: side,
  };
  // Overlap the subject by a sixth of the bystander, behind it: the subject is pasted last.
  const overlap = Math.round(small / 6);
  const bystanderRect: Box = {
    x: layout.bystanderLeft ? subjectRect.x - small + overlap : subjectRect.x + side - overlap,
    y: Math.round(height * 0.12),
    width: small,
    height: small,
  };
  let bystanderImage = sharp(bystander).resize(small, small);
  if (layout.bystanderBlur > 0) bystanderImage = bystanderImage.blur(layout.bystanderBlur);
  const backdrop = await sharp(background).resize(width, height, { fit: 'cover' }).blur(24).toBuffer();
  const image = await sharp(backdrop)
    .composite([
      { input: await bystanderImage.toBuffer(), left: bystanderRect.x, top: bystanderRect.y },
      { input: await sharp(subject).resize(side, side).toBuffer(), left: subjectRect.x, top: subjectRect.y },
    ])
    .jpeg({ quality: layout.jpegQuality })
    .toBuffer();
  return { image, subjectRect, bystanderRect };
}
