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
  /** Every length multiplied by this (1: the handout benchmark's screen-sized page; 300/96: a 300-dpi render). */
  scale?: number;
  /** The page's format (default jpeg, at jpegQuality). */
  format?: 'jpeg' | 'png';
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

/** One line of text on a list page: centred on x, on the baseline y, in page pixels. */
export interface PlacedLine {
  text: string;
  x: number;
  baseline: number;
  fontSize: number;
  bold: boolean;
  /** The entry it captions, or null for the title. */
  entry: number | null;
}

export interface ListGeometry {
  width: number;
  height: number;
  /** Each portrait's rectangle, in the entries' order. */
  rects: Box[];
  /** The title and every caption line. */
  lines: PlacedLine[];
}

/** Where everything goes on a list page: the one layout the image and the PDF renderings share. */
export function listGeometry(layout: ListLayout, captions: string[]): ListGeometry {
  const k = layout.scale ?? 1;
  const { columns } = layout;
  const width = Math.round(layout.portraitWidth * k);
  const height = portraitHeight(width);
  const fontSize = 11 * k;
  const cellWidth = Math.round(Math.max(layout.portraitWidth + 24, 130) * k);
  const captionHeight = Math.round((2 * 11 + 10) * k);
  const margin = Math.round(24 * k);
  const titleHeight = Math.round(56 * k);
  const gap = Math.round(12 * k);
  const rows = Math.ceil(captions.length / columns);
  const pageWidth = 2 * margin + columns * cellWidth;
  const pageHeight = titleHeight + rows * (height + captionHeight + gap) + margin;
  const rects = captions.map(
    (_, index): Box => ({
      x: margin + (index % columns) * cellWidth + Math.round((cellWidth - width) / 2),
      y: titleHeight + Math.floor(index / columns) * (height + captionHeight + gap),
      width,
      height,
    }),
  );
  const lines: PlacedLine[] = [
    { text: layout.title, x: pageWidth / 2, baseline: 36 * k, fontSize: 20 * k, bold: true, entry: null },
    ...captions.flatMap((caption, index) =>
      captionLines(caption, cellWidth - 6 * k, fontSize).map((text, n) => ({
        text,
        x: rects[index].x + width / 2,
        baseline: rects[index].y + height + fontSize + 3 * k + n * (fontSize + 2 * k),
        fontSize,
        bold: false,
        entry: index,
      })),
    ),
  ];
  return { width: pageWidth, height: pageHeight, rects, lines };
}

/** Renders a list page; returns the image (JPEG unless layout.format says png) and each portrait's rectangle, in the entries' order. */
export async function renderList(layout: ListLayout, entries: ListEntry[]): Promise<{ image: Buffer; rects: Box[] }> {
  const geometry = listGeometry(
    layout,
    entries.map((entry) => entry.caption),
  );
  const { rects } = geometry;
  const text = geometry.lines.map(
    (line) =>
      `<text x="${line.x}" y="${line.baseline}" font-family="${font}" font-size="${line.fontSize}"${line.bold ? ' font-weight="bold"' : ''} text-anchor="middle">${escapeMarkup(line.text)}</text>`,
  );
  const svg = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${geometry.width}" height="${geometry.height}">${text.join('')}</svg>`,
  );
  const portraits = await Promise.all(entries.map((entry) => cutPortrait(entry.photo, rects[0]?.width ?? layout.portraitWidth)));
  let page = sharp({ create: { width: geometry.width, height: geometry.height, channels: 3, background: '#fbfaf6' } }).composite([
    ...portraits.map((input, index) => ({ input, left: rects[index].x, top: rects[index].y })),
    { input: svg, left: 0, top: 0 },
  ]);
  // Composite first, then recolour and compress the whole page, as printing software does.
  const flat = await page.png().toBuffer();
  page = sharp(flat);
  if (layout.greyscale) page = page.greyscale();
  const image = layout.format === 'png' ? await page.png().toBuffer() : await page.jpeg({ quality: layout.jpegQuality }).toBuffer();
  return { image, rects };
}

/** The portrait cut as a list shows it, at a width in pixels: for composing a PDF of the same page. */
export const listPortrait = cutPortrait;

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
