/**
 * Optical character recognition of captions with tesseract.js, offline: English, Ukrainian and
 * Russian trained data are read from local files (English from the npm package
 * `@tesseract.js-data/eng`, Ukrainian and Russian from models/tesseract/, verified against
 * models/checksums.json) and handed to tesseract.js as bytes, with no language path to fetch from
 * and no cache written; its worker script and WebAssembly core are those in node_modules. One
 * worker is started on first use and reused; each page is bounded in time (a page that takes too
 * long terminates the worker, and the next page starts a new one).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import Tesseract from 'tesseract.js';
import { evaluateCaptionsUnread, evaluateWithCaptions, type TextItem } from '../domain/captions.js';
import type { ImageEvaluation } from '../domain/evaluate.js';
import type { Gallery } from '../domain/gallery.js';
import type { CaptionsReport, CheckRequest } from '../domain/results.js';
import type { Box, ImageAnalysis } from '../domain/types.js';
import { AppError } from '../errors.js';
import { type PdfRenderLimits, pdfTextItems, renderPdfPage } from './pdf.js';

const modelDir = fileURLToPath(new URL('../../models/', import.meta.url));
const require = createRequire(import.meta.url);

/** Text whose letters are smaller than this (in pixels, about the capital height) is enlarged before recognition. */
const minLetterHeight = 24;
/** The widest image handed to tesseract after enlarging, to bound the work. */
const maxOcrWidth = 4000;

export interface OcrOptions {
  /** Longest time one page may take, in milliseconds. */
  timeoutMs?: number;
  /**
   * Expected caption letter height in the image, in pixels, when the caller knows it (a page
   * rendered at a known resolution); pages are enlarged so that it reaches minLetterHeight.
   */
  letterHeight?: number;
  /** The image's resolution when known (a rendered PDF page): it is enlarged to 300 dpi for reading. */
  dpi?: number;
  /**
   * The detected faces' boxes, in the image's pixels, when known: under a portrait where the
   * search for text found no caption, the strip of page below the picture is searched again alone.
   */
  faces?: Box[];
}

export interface OcrPage {
  /** Words with boxes in the image's pixels (top-left origin) and tesseract's confidence in [0, 1]. */
  words: TextItem[];
  /** Lines as tesseract grouped them, same units. */
  lines: TextItem[];
  /** How long recognition took, in milliseconds. */
  ms: number;
}

interface ChecksumManifest {
  files: Record<string, { sha256: string }>;
}

async function verifiedModel(file: string): Promise<Buffer> {
  const manifest = JSON.parse(await readFile(path.join(modelDir, 'checksums.json'), 'utf8')) as ChecksumManifest;
  const expected = manifest.files[file]?.sha256;
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(modelDir, file));
  } catch {
    throw new AppError('MODEL_INTEGRITY', `OCR model ${file} is missing from ${modelDir}`);
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (!expected || actual !== expected) {
    throw new AppError('MODEL_INTEGRITY', `OCR model ${file} failed verification against models/checksums.json`);
  }
  return bytes;
}

/**
 * A private folder holding the three languages' trained data (links to the verified files), for
 * tesseract.js's langPath: English from the npm package (gzipped, which tesseract.js recognises by
 * content), Ukrainian and Russian from models/tesseract/.
 */
async function languageFolder(): Promise<string> {
  const eng = path.join(path.dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int', 'eng.traineddata.gz');
  await readFile(eng).catch(() => {
    throw new AppError('MODEL_INTEGRITY', `English OCR data is missing: ${eng} (npm package @tesseract.js-data/eng)`);
  });
  await verifiedModel('tesseract/ukr.traineddata');
  await verifiedModel('tesseract/rus.traineddata');
  const folder = await mkdtemp(path.join(tmpdir(), 'photo-verify-ocr-'));
  await symlink(eng, path.join(folder, 'eng.traineddata'));
  await symlink(path.join(modelDir, 'tesseract', 'ukr.traineddata'), path.join(folder, 'ukr.traineddata'));
  await symlink(path.join(modelDir, 'tesseract', 'rus.traineddata'), path.join(folder, 'rus.traineddata'));
  return folder;
}

/**
 * The scripts a caption may be printed in, each read by a worker of its own: a worker given
 * English, Ukrainian and Russian at once reads Latin names as Cyrillic letters that look alike
 * ("Xanana" as "Хапапа"). Each line is taken from the script that reads it more surely.
 */
const scripts = [['eng'], ['ukr', 'rus']] as const;
/** The page is searched for text once, with every language; each line found is then read again per script. */
const allLanguages = ['eng', 'ukr', 'rus'] as const;

/** Tesseract.js workers (one per script), started on first use and reused; close() ends them. */
export class CaptionReader {
  private workers: Promise<Tesseract.Worker[]> | null = null;
  private folder: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly defaults: OcrOptions = {}) {}

  private start(): Promise<Tesseract.Worker[]> {
    this.workers ??= (async () => {
      this.folder ??= await languageFolder();
      const folder = this.folder;
      // Never a CDN: langPath is a local folder (read from disk, not fetched), nothing is cached,
      // and the worker script and WebAssembly core resolve inside node_modules.
      const started = await Promise.allSettled(
        [allLanguages, ...scripts].map(async (languages, index) => {
          const worker = await Tesseract.createWorker([...languages], Tesseract.OEM.LSTM_ONLY, {
            langPath: folder,
            cacheMethod: 'none',
            gzip: false,
            logger: () => {},
            errorHandler: () => {},
          });
          await worker.setParameters({
            tessedit_pageseg_mode: index === 0 ? Tesseract.PSM.SPARSE_TEXT : Tesseract.PSM.SINGLE_LINE,
            preserve_interword_spaces: '1',
            user_defined_dpi: '300',
          });
          return worker;
        }),
      );
      const failed = started.find((result) => result.status === 'rejected');
      if (failed) {
        for (const result of started) if (result.status === 'fulfilled') await result.value.terminate().catch(() => undefined);
        throw failed.reason;
      }
      return started.map((result) => (result as PromiseFulfilledResult<Tesseract.Worker>).value);
    })();
    this.workers.catch(() => {
      this.workers = null;
    });
    return this.workers;
  }

  /** Reads the text of an image (PNG, JPEG or any format sharp decodes); pages are read one at a time. */
  read(image: Buffer, options: OcrOptions = {}): Promise<OcrPage> {
    const run = this.queue.then(() => this.readNow(image, { ...this.defaults, ...options }));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async readNow(image: Buffer, options: OcrOptions): Promise<OcrPage> {
    const started = Date.now();
    const { width = 0 } = await sharp(image).metadata();
    const wanted = options.letterHeight
      ? Math.max(1, minLetterHeight / options.letterHeight)
      : options.dpi
        ? Math.max(1, 300 / options.dpi)
        : width < 1200
          ? 2
          : 1;
    const scale = Math.max(1, Math.min(wanted, maxOcrWidth / Math.max(1, width)));
    const prepared = await sharp(image)
      .rotate()
      .resize(scale > 1 ? { width: Math.round(width * scale), kernel: 'lanczos3' } : undefined)
      .greyscale()
      .png()
      .toBuffer();
    const workers = await this.start();
    const timeoutMs = options.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AppError('SERVICE_UNAVAILABLE', `OCR took longer than ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const [pageWorker, ...lineWorkers] = workers;
      const toItem = (item: { text: string; confidence: number; bbox: Tesseract.Bbox }): TextItem => ({
        text: item.text.trim(),
        box: {
          x: item.bbox.x0 / scale,
          y: item.bbox.y0 / scale,
          width: (item.bbox.x1 - item.bbox.x0) / scale,
          height: (item.bbox.y1 - item.bbox.y0) / scale,
        },
        source: 'ocr',
        confidence: Math.max(0, Math.min(1, item.confidence / 100)),
      });
      const linesOf = (data: Tesseract.Page) =>
        (data.blocks ?? [])
          .flatMap((block) => block.paragraphs.flatMap((paragraph) => paragraph.lines))
          .filter((line) => line.text.trim() !== '');
      const work = async () => {
        const { data } = await pageWorker.recognize(prepared, {}, { blocks: true, text: false });
        const found = linesOf(data);
        const { width: fullWidth = 0, height: fullHeight = 0 } = await sharp(prepared).metadata();
        // A caption the search missed: the page under each such portrait, searched again alone.
        const faces = (options.faces ?? []).map((face) => scaleBox(face, scale));
        for (const zone of await uncaptionedZones(prepared, faces, found)) {
          const margin = 20;
          const cut = await sharp(prepared)
            .extract(zone)
            .extend({ top: margin, bottom: margin, left: margin, right: margin, background: '#ffffff' })
            .png()
            .toBuffer();
          const { data: again } = await pageWorker.recognize(cut, {}, { blocks: true, text: false });
          found.push(...linesOf(again).map((line) => shiftLine(line, zone.left - margin, zone.top - margin)));
        }
        const lines: ReadLine[] = [];
        for (const line of found) {
          // Each line again, alone, by each script's reader; the surest reading wins.
          // Cut out with a white margin: a portrait's dark edge just above a caption throws a one-line reading off.
          const lineHeight = line.bbox.y1 - line.bbox.y0;
          // Wide on both sides (the search pass sometimes finds only part of a name's line), but only
          // half-way to the next text found on the same row: never into the next column's caption.
          const sameRow = found.filter(
            (other) =>
              other !== line &&
              Math.min(other.bbox.y1, line.bbox.y1) - Math.max(other.bbox.y0, line.bbox.y0) >
                0.5 * Math.min(lineHeight, other.bbox.y1 - other.bbox.y0),
          );
          const leftLimit = Math.max(
            0,
            ...sameRow.filter((other) => other.bbox.x1 <= line.bbox.x0).map((other) => (other.bbox.x1 + line.bbox.x0) / 2),
          );
          const rightLimit = Math.min(
            fullWidth,
            ...sameRow.filter((other) => other.bbox.x0 >= line.bbox.x1).map((other) => (other.bbox.x0 + line.bbox.x1) / 2),
          );
          const left = Math.round(Math.max(leftLimit, line.bbox.x0 - 3 * lineHeight));
          const top = Math.max(0, line.bbox.y0 - Math.round(lineHeight * 0.15));
          const width = Math.round(Math.min(rightLimit, line.bbox.x1 + 3 * lineHeight)) - left;
          const height = Math.min(fullHeight, line.bbox.y1 + Math.round(lineHeight * 0.15)) - top;
          if (width < 4 || height < 4) {
            lines.push({ line: toItem(line), words: line.words.map(toItem).filter((item) => item.text !== '') });
            continue;
          }
          const margin = Math.max(10, Math.round(lineHeight / 2));
          const cut = await sharp(prepared)
            .extract({ left, top, width, height })
            .extend({ top: margin, bottom: margin, left: margin, right: margin, background: '#ffffff' })
            .png()
            .toBuffer();
          const shift = (item: TextItem): TextItem => ({
            ...item,
            box: { ...item.box, x: item.box.x + (left - margin) / scale, y: item.box.y + (top - margin) / scale },
          });
          const readings = await Promise.all(
            lineWorkers.map(async (worker) => {
              const { data: again } = await worker.recognize(cut, {}, { blocks: true, text: false });
              const words = linesOf(again)
                .flatMap((read) => read.words.map((word) => shift(toItem(word))))
                .filter((item) => item.text !== '');
              const box =
                words.length > 0
                  ? {
                      x: Math.min(...words.map((word) => word.box.x)),
                      y: Math.min(...words.map((word) => word.box.y)),
                      width: Math.max(...words.map((word) => word.box.x + word.box.width)) - Math.min(...words.map((word) => word.box.x)),
                      height: Math.max(...words.map((word) => word.box.y + word.box.height)) - Math.min(...words.map((word) => word.box.y)),
                    }
                  : toItem(line).box;
              return { line: { ...toItem(line), text: words.map((word) => word.text).join(' '), box }, words };
            }),
          );
          const original = { line: toItem(line), words: line.words.map(toItem).filter((item) => item.text !== '') };
          const all = [original, ...readings];
          const best = fullest(all.filter((reading) => reading.words.length > 0));
          // Every reading of each word goes with it, in a fixed order (page pass, then each script),
          // so that a name can be taken from the script whose reading the registry knows.
          lines.push({
            line: best.line,
            words: best.words.map((word) => ({
              ...word,
              alternatives: all.map((reading) => {
                const same = reading.words.filter((other) => overlapShare(other.box, word.box) > 0.5);
                return same.length > 0 ? same.map((other) => other.text).join(' ') : word.text;
              }),
            })),
          });
        }
        // Two parts of one line found apart are each read whole again: keep one reading of it.
        return surestLines([lines]);
      };
      const lines = await Promise.race([work(), timeout]);
      return {
        words: lines.flatMap((line) => line.words),
        lines: lines.map((line) => line.line),
        ms: Date.now() - started,
      };
    } catch (error) {
      if (error instanceof AppError) await this.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = null;
    for (const worker of (await workers?.catch(() => null)) ?? []) await worker.terminate().catch(() => undefined);
    if (this.folder) await rm(this.folder, { recursive: true, force: true });
    this.folder = null;
  }
}

/** Where a PDF page's words come from besides its picture: its text layer, or the page drawn again. */
export interface PdfPageText {
  /** The text layer in the picture's pixels; empty for a scanned page. */
  textLayer(): Promise<TextItem[]>;
  /** The page drawn at `dpi` (a scanned page is read by OCR at 300 dpi, whatever the picture's resolution). */
  render(dpi: number): Promise<Buffer>;
}

/**
 * Page `page` (from 1) of a PDF as a source of words: its text layer, or the page drawn again,
 * with `limits`; the PDF's bytes, or how to load them when they are first needed.
 */
export function pdfPageText(pdf: Buffer | (() => Promise<Buffer>), page: number, limits: PdfRenderLimits): PdfPageText {
  let loaded: Promise<Buffer> | undefined;
  // Loaded once, for the text layer and, on a scanned page, the drawing too.
  const bytes = () => (loaded ??= typeof pdf === 'function' ? pdf() : Promise.resolve(pdf));
  return {
    textLayer: async () =>
      (await pdfTextItems(await bytes(), page, limits)).map((item): TextItem => ({ ...item, source: 'text-layer', confidence: 1 })),
    render: async (dpi) => (await renderPdfPage(await bytes(), page, { ...limits, dpi })).jpeg,
  };
}

/**
 * The check of an image without names given: its words read (pageWords), the names paired with
 * its faces by layout and checked like typed names. A page whose captions cannot be read is
 * checked without names, and the report says why.
 */
export async function evaluateReadingCaptions(
  reader: Pick<CaptionReader, 'read'>,
  image: Buffer,
  pdf: PdfPageText | null,
  analysis: ImageAnalysis,
  gallery: Gallery,
  request: CheckRequest,
): Promise<ImageEvaluation & { captions: CaptionsReport }> {
  let words: TextItem[];
  try {
    words = await pageWords(reader, image, pdf, { faces: analysis.faces.map((face) => face.box) });
  } catch (error) {
    // The faces are still checked (identified), and the report says why no names were read.
    const reason = error instanceof AppError ? error.message : `the captions could not be read: ${(error as Error).message}`;
    return evaluateCaptionsUnread(analysis, gallery, request, reason);
  }
  const { reading: _reading, ...evaluation } = evaluateWithCaptions(analysis, gallery, request, words);
  return evaluation;
}

/** The resolution OCR reads scanned pages at. */
export const ocrDpi = 300;

/**
 * The words of a page, for caption reading: a PDF page's text layer when it has one (text as
 * typeset, read with certainty); otherwise what OCR reads in a PDF page drawn again at 300 dpi, or
 * in the image itself; boxes always in the image's pixels.
 */
export async function pageWords(
  reader: Pick<CaptionReader, 'read'>,
  image: Buffer,
  pdf: PdfPageText | null,
  options: OcrOptions = {},
): Promise<TextItem[]> {
  if (!pdf) return (await reader.read(image, options)).words;
  const typeset = await pdf.textLayer();
  if (typeset.length > 0) return typeset;
  const sharper = await pdf.render(ocrDpi);
  const [{ width: imageWidth = 1 }, { width: sharperWidth = 1 }] = await Promise.all([sharp(image).metadata(), sharp(sharper).metadata()]);
  const back = imageWidth / sharperWidth;
  const faces = options.faces?.map((face) => scaleBox(face, 1 / back));
  return (await reader.read(sharper, { ...options, dpi: ocrDpi, ...(faces ? { faces } : {}) })).words.map((word) => ({
    ...word,
    box: { x: word.box.x * back, y: word.box.y * back, width: word.box.width * back, height: word.box.height * back },
  }));
}

interface ReadLine {
  line: TextItem;
  words: TextItem[];
}

const scaleBox = (box: Box, by: number): Box => ({ x: box.x * by, y: box.y * by, width: box.width * by, height: box.height * by });

const shiftBbox = (bbox: Tesseract.Bbox, dx: number, dy: number): Tesseract.Bbox => ({
  x0: bbox.x0 + dx,
  y0: bbox.y0 + dy,
  x1: bbox.x1 + dx,
  y1: bbox.y1 + dy,
});

/** A line read in a cut of the page, placed back where the cut came from. */
function shiftLine(line: Tesseract.Line, dx: number, dy: number): Tesseract.Line {
  return {
    ...line,
    bbox: shiftBbox(line.bbox, dx, dy),
    words: line.words.map((word) => ({ ...word, bbox: shiftBbox(word.bbox, dx, dy) })),
  };
}

/** How far below a face's box its caption may start, in face heights (as captions are paired). */
const captionDrop = 2.5;
/** A line found this surely (tesseract's 0-100) under a face is taken for its caption; anything less may be the photo's texture. */
const surelyText = 80;
/** A row of the page this light (0-255) from edge to edge under a face is paper: the picture has ended. */
const paper = 225;

/**
 * Under which faces no caption was found: for each face with no found line starting within
 * captionDrop face heights under it (and centred on it), the strip of paper under its picture,
 * as wide as half-way to the faces beside it and as deep as a two-line caption can reach. A face
 * whose picture runs on with no paper below (a photograph, not a printed list) has no strip.
 */
export async function uncaptionedZones(
  page: Buffer,
  faces: Box[],
  lines: Pick<Tesseract.Line, 'text' | 'confidence' | 'bbox'>[],
): Promise<{ left: number; top: number; width: number; height: number }[]> {
  const uncaptioned = faces.filter((face) => {
    const below = face.y + face.height;
    const centre = face.x + face.width / 2;
    return !lines.some((line) => {
      const drop = line.bbox.y0 - below;
      const lineCentre = (line.bbox.x0 + line.bbox.x1) / 2;
      return (
        drop >= -0.25 * face.height &&
        drop <= captionDrop * face.height &&
        Math.abs(lineCentre - centre) <= Math.max(face.width, (line.bbox.x1 - line.bbox.x0) / 2) &&
        (line.text.match(/\p{L}/gu) ?? []).length >= 3 &&
        line.confidence >= surelyText
      );
    });
  });
  // The page's pixels only when some portrait has no caption found (most pages have all of them).
  if (uncaptioned.length === 0) return [];
  const { data: pixels, info } = await sharp(page).greyscale().raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number) => pixels[(y * info.width + x) * info.channels];
  const zones: { left: number; top: number; width: number; height: number }[] = [];
  for (const face of uncaptioned) {
    const below = face.y + face.height;
    const centre = face.x + face.width / 2;
    // Half-way to the faces beside it on its row; two face widths on a side with none.
    const row = faces.filter((other) => other !== face && Math.abs(other.y + other.height / 2 - (face.y + face.height / 2)) < face.height);
    const left = Math.max(
      0,
      ...row.filter((other) => other.x + other.width / 2 < centre).map((other) => (other.x + other.width / 2 + centre) / 2),
      centre - 2 * face.width,
    );
    const right = Math.min(
      info.width,
      ...row.filter((other) => other.x + other.width / 2 > centre).map((other) => (other.x + other.width / 2 + centre) / 2),
      centre + 2 * face.width,
    );
    // Down to where the next portrait under it may begin.
    const next = faces.filter((other) => other.y > below && other.x < face.x + face.width && face.x < other.x + other.width);
    const deepest = Math.min(
      info.height,
      below + (captionDrop + 0.75) * face.height,
      ...next.map((other) => other.y - 0.75 * other.height),
    );
    // The picture ends at the first row of paper under the face.
    const from = Math.max(0, Math.round(face.x));
    const to = Math.min(info.width, Math.round(face.x + face.width));
    let top = -1;
    for (let y = Math.max(0, Math.round(below)); y < deepest && top < 0; y++) {
      let light = true;
      for (let x = from; x < to && light; x++) light = at(x, y) >= paper;
      if (light) top = y;
    }
    if (top < 0 || to <= from) continue;
    const zone = { left: Math.round(left), top, width: Math.round(right) - Math.round(left), height: Math.round(deepest) - top };
    if (zone.width >= 8 && zone.height >= 8) zones.push(zone);
  }
  return zones;
}

const area = (box: TextItem['box']) => box.width * box.height;

function overlapShare(a: TextItem['box'], b: TextItem['box']): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (width <= 0 || height <= 0) return 0;
  return (width * height) / Math.min(area(a), area(b));
}

/**
 * One reading of the page from several (one per script): where the readings found the same line
 * (their boxes mostly overlap), the one read more surely, by its words' mean confidence; a line
 * only one reading found is kept.
 */
const sureness = (line: ReadLine) =>
  line.words.length === 0 ? line.line.confidence : line.words.reduce((total, word) => total + word.confidence, 0) / line.words.length;

const letters = (reading: ReadLine) => (reading.line.text.match(/\p{L}/gu) ?? []).length;

/**
 * The reading of a line to keep: the surest, unless another read clearly more of the line (three
 * letters or more: a reading of only part of a name is often the surest) and is nearly as sure.
 */
export function fullest(readings: ReadLine[]): ReadLine {
  const best = surest(readings);
  const fuller = readings.filter((reading) => letters(reading) >= letters(best) + 3 && sureness(reading) >= sureness(best) - 0.1);
  return fuller.length > 0 ? surest(fuller) : best;
}

/** The surest of several readings of one line. */
export function surest(readings: ReadLine[]): ReadLine {
  return readings.reduce((best, reading) => (sureness(reading) > sureness(best) ? reading : best));
}

export function surestLines(readings: ReadLine[][]): ReadLine[] {
  const candidates = readings.flat().sort((a, b) => sureness(b) - sureness(a));
  const chosen: ReadLine[] = [];
  for (const candidate of candidates) {
    if (!chosen.some((line) => overlapShare(line.line.box, candidate.line.box) > 0.5)) chosen.push(candidate);
  }
  return chosen.sort((a, b) => a.line.box.y - b.line.box.y || a.line.box.x - b.line.box.x);
}
