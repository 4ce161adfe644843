/**
 * The caption benchmark's material (issue 14): printed lists of captioned portraits composed from
 * the labelled LFW photos, each list in three forms a partner sends — a PDF with a text layer (the
 * captions typeset, the portraits embedded), an image-only PDF (the page scanned: one picture per
 * page, no text), and a PNG of the page at 300 dpi — with the truth: who each portrait claims to
 * be, whether the photo is that person (one list in two carries a swapped photo), where the
 * portrait and its caption are. Lists have 2-4 columns, Latin and Cyrillic captions, names on one
 * line or broken over two, and a title. Deterministic for a seed.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb } from 'pdf-lib';
import sharp from 'sharp';
import type { Box, RegistryPerson } from '../../domain/types.js';
import {
  crimeanCategory,
  cyrillicAlias,
  displayName,
  type Half,
  halfOf,
  type Identity,
  type LabelledPhoto,
  listIdentities,
  personId,
  randomFor,
} from '../handouts/cast.js';
import { type ListLayout, listGeometry, listPortrait, renderList } from '../handouts/render.js';

export const forms = ['text-layer-pdf', 'image-pdf', 'png'] as const;
export type Form = (typeof forms)[number];

/** The page as laid out in CSS pixels (96 per inch); a PNG page is drawn at 300 dpi. */
const cssDpi = 96;
export const pngDpi = 300;
const regularFont = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const boldFont = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
export const listTitles = ['Crimean political prisoners', 'Кримські політв’язні'];

export interface CaptionEntry {
  /** The registry person the caption names. */
  personId: string;
  caption: string;
  spelling: 'latin' | 'cyrillic';
  /** How many lines the caption is printed on. */
  lines: number;
  /** The portrait's photo (relative to the faces folder) and whether it shows the person named. */
  photo: string;
  genuine: boolean;
  /** The portrait and its caption in the page's CSS pixels (scale by dpi / 96 for a rendering). */
  rect: Box;
  captionBox: Box;
}

export interface CaptionPage {
  id: string;
  title: string;
  layout: ListLayout;
  /** The page in CSS pixels. */
  width: number;
  height: number;
  entries: CaptionEntry[];
}

export interface CaptionBenchmark {
  half: Half;
  people: RegistryPerson[];
  /** One reference photo per registry person (relative to the faces folder), never a photo on a list. */
  references: { personId: string; photo: string }[];
  pages: CaptionPage[];
}

export interface CaptionSettings {
  seed: number;
  half: Half;
  pages: number;
}

/** Names and lists from the people of one half with at least two photos (one reference, one portrait). */
export async function composeCaptionBenchmark(facesDir: string, settings: CaptionSettings): Promise<CaptionBenchmark> {
  const random = randomFor(settings.seed, `captions:${settings.half}`);
  const identities = (await listIdentities(facesDir)).filter((identity) => halfOf(identity.label) === settings.half);
  const byShot = (identity: Identity) => {
    const seen = new Map<string, LabelledPhoto>();
    // Prefer the 250-px copy of a shot: a designer has the best photo there is.
    for (const photo of identity.photos) if (!seen.has(photo.shot) || photo.file.includes('lfw-10-people')) seen.set(photo.shot, photo);
    return [...seen.values()];
  };
  const usable = random.shuffle(identities.filter((identity) => byShot(identity).length >= 2));
  const strangers = random.shuffle(identities.filter((identity) => byShot(identity).length === 1));
  const people: RegistryPerson[] = [];
  const references: CaptionBenchmark['references'] = [];
  const portraits = new Map<string, LabelledPhoto>();
  for (const identity of usable) {
    const [reference, portrait] = random.shuffle(byShot(identity));
    const name = displayName(identity.label);
    const id = personId(identity.label);
    people.push({ id, name, aliases: [cyrillicAlias(name)], category: crimeanCategory });
    references.push({ personId: id, photo: reference.file });
    portraits.set(id, portrait);
  }
  const pages: CaptionPage[] = [];
  let strangerAt = 0;
  for (let index = 0; index < settings.pages; index++) {
    const columns = random.int(2, 4);
    const count = Math.min(people.length, columns * random.int(2, 3));
    const layout: ListLayout = {
      title: random.chance(0.75) ? listTitles[0] : listTitles[1],
      columns,
      portraitWidth: random.int(70, 120),
      greyscale: random.chance(0.3),
      jpegQuality: 85,
      format: 'png',
    };
    const chosen = random.shuffle(people).slice(0, count);
    const swapAt = index % 2 === 0 && strangers.length > 0 ? random.int(0, count - 1) : -1;
    const captions = chosen.map((person) =>
      random.chance(0.3) ? { text: person.aliases[0], spelling: 'cyrillic' as const } : { text: person.name, spelling: 'latin' as const },
    );
    const geometry = listGeometry(
      layout,
      captions.map((caption) => caption.text),
    );
    const entries = chosen.map((person, e): CaptionEntry => {
      const lines = geometry.lines.filter((line) => line.entry === e);
      const top = Math.min(...lines.map((line) => line.baseline - line.fontSize));
      const baseline = Math.max(...lines.map((line) => line.baseline));
      const rect = geometry.rects[e];
      const stranger = e === swapAt ? strangers[strangerAt++ % strangers.length] : null;
      return {
        personId: person.id,
        caption: captions[e].text,
        spelling: captions[e].spelling,
        lines: lines.length,
        photo: stranger ? byShot(stranger)[0].file : portraits.get(person.id)!.file,
        genuine: stranger === null,
        rect,
        captionBox: { x: rect.x - 12, y: top, width: rect.width + 24, height: baseline - top + 4 },
      };
    });
    pages.push({
      id: `list-${String(index + 1).padStart(3, '0')}`,
      title: layout.title,
      layout,
      width: geometry.width,
      height: geometry.height,
      entries,
    });
  }
  return { half: settings.half, people, references, pages };
}

/** A page's box in a rendering at `dpi`. */
export function scaleBox(box: Box, dpi: number): Box {
  const k = dpi / cssDpi;
  return { x: box.x * k, y: box.y * k, width: box.width * k, height: box.height * k };
}

/** The page at 300 dpi as a PNG (greyscale when the layout says so). */
export async function pagePng(facesDir: string, page: CaptionPage): Promise<Buffer> {
  const entries = await Promise.all(
    page.entries.map(async (entry) => ({ photo: await readFile(path.join(facesDir, entry.photo)), caption: entry.caption })),
  );
  const { image } = await renderList({ ...page.layout, scale: pngDpi / cssDpi, format: 'png' }, entries);
  return image;
}

/**
 * The page as a designer exports it: the portraits embedded as JPEGs at twice their printed size,
 * the title and captions typeset in DejaVu Sans, where the PNG form draws them.
 */
export async function pageTextPdf(facesDir: string, page: CaptionPage): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const regular = await doc.embedFont(await readFile(regularFont), { subset: true });
  const bold = await doc.embedFont(await readFile(boldFont), { subset: true });
  const pt = 72 / cssDpi;
  const pdfPage = doc.addPage([page.width * pt, page.height * pt]);
  const geometry = listGeometry(
    page.layout,
    page.entries.map((entry) => entry.caption),
  );
  for (const [e, entry] of page.entries.entries()) {
    const rect = geometry.rects[e];
    let portrait = sharp(await listPortrait(await readFile(path.join(facesDir, entry.photo)), rect.width * 2));
    if (page.layout.greyscale) portrait = portrait.greyscale();
    const jpeg = await doc.embedJpg(await portrait.jpeg({ quality: 80 }).toBuffer());
    pdfPage.drawImage(jpeg, {
      x: rect.x * pt,
      y: (page.height - rect.y - rect.height) * pt,
      width: rect.width * pt,
      height: rect.height * pt,
    });
  }
  for (const line of geometry.lines) {
    const font = line.bold ? bold : regular;
    const size = line.fontSize * pt;
    const width = font.widthOfTextAtSize(line.text, size);
    pdfPage.drawText(line.text, { x: line.x * pt - width / 2, y: (page.height - line.baseline) * pt, size, font, color: rgb(0, 0, 0) });
  }
  return Buffer.from(await doc.save());
}

/** The page scanned: the 300-dpi picture as the only content of a page of the same size (JPEG, as scanners save). */
export async function pageImagePdf(png: Buffer, page: CaptionPage): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const pt = 72 / cssDpi;
  const pdfPage = doc.addPage([page.width * pt, page.height * pt]);
  const scan = await doc.embedJpg(await sharp(png).jpeg({ quality: 85 }).toBuffer());
  pdfPage.drawImage(scan, { x: 0, y: 0, width: page.width * pt, height: page.height * pt });
  return Buffer.from(await doc.save());
}
