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
import type { TextItem } from '../domain/captions.js';
import { AppError } from '../errors.js';

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

/** One tesseract.js worker, started on first use and reused; close() ends it. */
export class CaptionReader {
  private worker: Promise<Tesseract.Worker> | null = null;
  private folder: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly defaults: OcrOptions = {}) {}

  private start(): Promise<Tesseract.Worker> {
    this.worker ??= (async () => {
      this.folder ??= await languageFolder();
      // Never a CDN: langPath is a local folder (read from disk, not fetched), nothing is cached,
      // and the worker script and WebAssembly core resolve inside node_modules.
      const worker = await Tesseract.createWorker(['eng', 'ukr', 'rus'], Tesseract.OEM.LSTM_ONLY, {
        langPath: this.folder,
        cacheMethod: 'none',
        gzip: false,
        logger: () => {},
        errorHandler: () => {},
      });
      await worker.setParameters({
        tessedit_pageseg_mode: Tesseract.PSM.SPARSE_TEXT,
        preserve_interword_spaces: '1',
      });
      return worker;
    })();
    this.worker.catch(() => {
      this.worker = null;
    });
    return this.worker;
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
    const wanted = options.letterHeight ? Math.max(1, minLetterHeight / options.letterHeight) : width < 1200 ? 2 : 1;
    const scale = Math.max(1, Math.min(wanted, maxOcrWidth / Math.max(1, width)));
    const prepared = await sharp(image)
      .rotate()
      .resize(scale > 1 ? { width: Math.round(width * scale), kernel: 'lanczos3' } : undefined)
      .greyscale()
      .png()
      .toBuffer();
    const worker = await this.start();
    const timeoutMs = options.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AppError('SERVICE_UNAVAILABLE', `OCR took longer than ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const { data } = await Promise.race([worker.recognize(prepared, {}, { blocks: true, text: false }), timeout]);
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
      const lines = (data.blocks ?? []).flatMap((block) => block.paragraphs.flatMap((paragraph) => paragraph.lines));
      return {
        words: lines.flatMap((line) => line.words.map(toItem)).filter((item) => item.text !== ''),
        lines: lines.map(toItem).filter((item) => item.text !== ''),
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
    const worker = this.worker;
    this.worker = null;
    await (await worker?.catch(() => null))?.terminate().catch(() => undefined);
    if (this.folder) await rm(this.folder, { recursive: true, force: true });
    this.folder = null;
  }
}
