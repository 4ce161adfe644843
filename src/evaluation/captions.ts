/**
 * The caption benchmark (issue 14): how well names are read from printed lists and paired with
 * their faces, in each form a list arrives in, and what the verdicts are with the names read.
 *
 *   npm run eval:captions -- [--half report|calibration] [--seed N] [--pages N] [--people N]
 *                            [--forms text-layer-pdf,image-pdf,png] [--json] [--misses] [--pdf-dpi N]
 *                            [--faces DIR] [--work DIR] [--threads N]
 *
 * Composes --pages lists from the labelled LFW photos of one half (see compose.ts), each as a PDF
 * with a text layer, an image-only PDF and a 300-dpi PNG, and reads them as `photo-verify check
 * --read-captions` does: a PDF is rendered at PDF_DPI and its text layer read when it has one,
 * anything else is read by OCR. Prints, per form: names read exactly, names resolved to the right
 * registry person, portraits whose face was found, names paired with the right face (of those whose
 * face was found), faces left without a name, stray names, titles
 * read, and the verdicts on genuine and swapped portraits with the names read beside those with
 * the names typed. The pages and truth.json are written to --work (default .cache/captions/<seed>)
 * with the analyses and OCR readings, so a re-run after a change of pairing rules computes nothing.
 * Tune on the calibration half; quote the report half.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pLimit from 'p-limit';
import { loadConfig, pdfLimitsOf } from '../config.js';
import { evaluateWithCaptions, type TextItem } from '../domain/captions.js';
import { checkReferencePhoto, evaluateImage } from '../domain/evaluate.js';
import { buildGallery, type StoredReference } from '../domain/gallery.js';
import { CaptionReader, type OcrOptions, pageWords, pdfPageText } from '../images/ocr.js';
import { renderPdf } from '../images/pdf.js';
import { DescriptorCache } from '../registry-folder/cache.js';
import { UsageError, wholeNumber } from './arguments.js';
import {
  type CaptionPage,
  composeCaptionBenchmark,
  type Form,
  forms,
  pageImagePdf,
  pagePng,
  pageTextPdf,
  pngDpi,
} from './captions/compose.js';
import { type PageScore, type PortraitVerdicts, scorePage } from './captions/score.js';
import { defaultFacesDir, repositoryRoot } from './faces-dir.js';
import { analyseCached, detectionVersion } from './handouts/analyses.js';
import type { Half } from './handouts/cast.js';
import { lazyEngine } from './handouts/run.js';

const { values } = parseArgs({
  options: {
    faces: { type: 'string', default: defaultFacesDir() },
    work: { type: 'string' },
    seed: { type: 'string', default: '1' },
    half: { type: 'string', default: 'report' },
    pages: { type: 'string', default: '12' },
    forms: { type: 'string', default: forms.join(',') },
    threads: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
    misses: { type: 'boolean', default: false },
    'pdf-dpi': { type: 'string' },
  },
});

const require = createRequire(import.meta.url);
const ocrVersion = `tesseract.js ${(require('tesseract.js/package.json') as { version: string }).version} eng | ukr+rus, line by line, under faces, v9`;

/** OCR readings by the page's content, so that re-runs read nothing twice. */
class OcrCache {
  private constructor(
    private readonly file: string,
    private readonly entries: Record<string, TextItem[]>,
  ) {}

  static async open(file: string): Promise<OcrCache> {
    const stored = await readFile(file, 'utf8')
      .then((text) => JSON.parse(text) as { version: string; entries: Record<string, TextItem[]> })
      .catch(() => null);
    return new OcrCache(file, stored?.version === ocrVersion ? stored.entries : {});
  }

  async read(reader: CaptionReader, image: Buffer, options: OcrOptions = {}): Promise<TextItem[]> {
    const key = createHash('sha256').update(image).update(JSON.stringify(options)).digest('hex');
    this.entries[key] ??= (await reader.read(image, options)).words;
    return this.entries[key];
  }

  /** The reader with this cache in front of it, for pageWords. */
  cachingReader(reader: CaptionReader): Pick<CaptionReader, 'read'> {
    return { read: async (image, options = {}) => ({ words: await this.read(reader, image, options), lines: [], ms: 0 }) };
  }

  save(): Promise<void> {
    return writeFile(this.file, JSON.stringify({ version: ocrVersion, entries: this.entries }));
  }
}

interface FormTotals {
  pages: number;
  scores: PageScore[];
  readingMs: number[];
  dpi: number[];
}

const sum = (scores: PageScore[], pick: (score: PageScore) => number) => scores.reduce((total, score) => total + pick(score), 0);
const rate = (count: number, of: number) => (of === 0 ? null : Math.round((count / of) * 10000) / 10000);

function verdictFigures(scores: PageScore[], pick: (score: PageScore) => PortraitVerdicts) {
  const total = (key: keyof PortraitVerdicts) => sum(scores, (score) => pick(score)[key]);
  return {
    genuineConfirmed: rate(total('genuineConfirmed'), total('genuine')),
    genuineMismatch: total('genuineMismatch'),
    swapsFlagged: `${total('swapsFlagged')}/${total('swaps')}`,
  };
}

function figures(totals: FormTotals) {
  const { scores } = totals;
  const names = sum(scores, (score) => score.names);
  const faces = sum(scores, (score) => score.facesFound);
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? null;
  return {
    pages: totals.pages,
    names,
    readExactly: rate(
      sum(scores, (score) => score.readExactly),
      names,
    ),
    resolvedRight: rate(
      sum(scores, (score) => score.resolvedRight),
      names,
    ),
    resolvedWrong: sum(scores, (score) => score.resolvedWrong),
    notRead: sum(scores, (score) => score.missed),
    // Of the captions whose portrait's face was found: pairing cannot reach a face that was not.
    pairedRight: rate(
      sum(scores, (score) => score.pairedRight),
      faces,
    ),
    facesFound: rate(faces, names),
    facesWithoutName: rate(
      sum(scores, (score) => score.facesWithoutName),
      faces,
    ),
    strayNames: sum(scores, (score) => score.strayNames),
    titlesRead: rate(scores.filter((score) => score.titleRead).length, scores.length),
    verdictsWithNamesRead: verdictFigures(scores, (score) => score.verdicts.read),
    verdictsWithNamesTyped: verdictFigures(scores, (score) => score.verdicts.typed),
    renderDpi: median(totals.dpi),
    readingMsPerPage: median(totals.readingMs),
  };
}

async function main(): Promise<void> {
  const seed = wholeNumber('seed', values.seed!, 0);
  const pageCount = wholeNumber('pages', values.pages!, 1);
  const threads = wholeNumber('threads', values.threads!, 1);
  if (values.half !== 'report' && values.half !== 'calibration')
    throw new UsageError(`--half must be calibration or report, not "${values.half}"`);
  const half = values.half as Half;
  const chosenForms = values.forms!.split(',').map((form) => form.trim()) as Form[];
  const unknown = chosenForms.filter((form) => !(forms as readonly string[]).includes(form));
  if (unknown.length > 0) throw new UsageError(`--forms takes ${forms.join(', ')}; not ${unknown.join(', ')}`);
  const facesDir = path.resolve(values.faces!);
  const workDir = path.resolve(values.work ?? path.join(repositoryRoot, '.cache/captions', String(seed)), half);
  await mkdir(path.join(workDir, 'pages'), { recursive: true });
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const config = loadConfig();
  // --pdf-dpi: render PDF pages at another resolution than PDF_DPI (to measure what resolution the verdicts need).
  const pdfLimits = { ...pdfLimitsOf(config), ...(values['pdf-dpi'] ? { dpi: wholeNumber('pdf-dpi', values['pdf-dpi'], 72) } : {}) };
  const benchmark = await composeCaptionBenchmark(facesDir, { seed, half, pages: pageCount });
  await writeFile(path.join(workDir, 'truth.json'), JSON.stringify(benchmark, null, 1));
  const engine = lazyEngine({
    threads,
    maxPixels: config.MAX_IMAGE_PIXELS,
    backend: config.TF_BACKEND,
    log,
    descriptor: config.DESCRIPTOR,
  });
  const reader = new CaptionReader();
  // Named after the detection (see detectionVersion): pages are analysed again when it changes.
  const analyses = await DescriptorCache.open(path.join(workDir, `.analyses.${detectionVersion}.json`));
  const ocr = await OcrCache.open(path.join(workDir, '.ocr.json'));
  try {
    // The registry: one reference photo per person, enrolled as the checker enrols them.
    const references: StoredReference[] = [];
    await pLimit(threads * 2).map(benchmark.references, async (reference) => {
      const { analysis } = await analyseCached(engine, analyses, await readFile(path.join(facesDir, reference.photo)));
      const check = checkReferencePhoto(analysis);
      if (check.accepted)
        references.push({
          personId: reference.personId,
          referencePhoto: reference.photo,
          descriptor: check.face.descriptor,
          model: engine.model,
        });
    });
    const gallery = buildGallery(engine.model, benchmark.people, references);
    log(`registry: ${benchmark.people.length} people, ${references.length} with a usable reference photo`);

    const totals = new Map<Form, FormTotals>(chosenForms.map((form) => [form, { pages: 0, scores: [], readingMs: [], dpi: [] }]));
    const misses: string[] = [];
    for (const page of benchmark.pages) {
      const png = await pagePng(facesDir, page);
      for (const form of chosenForms) {
        const { dpi, words, ms, analysis } = await readForm(form, page, png);
        const read = evaluateWithCaptions(analysis, gallery, { claims: [] }, words);
        const typed = evaluateImage(analysis, gallery, { claims: page.entries.map((entry) => ({ text: entry.caption })) });
        const score = scorePage(
          page,
          dpi,
          analysis.faces.map((face) => face.box),
          read.reading,
          benchmark.people,
          { read, typed },
        );
        const total = totals.get(form)!;
        total.pages++;
        total.scores.push(score);
        total.dpi.push(dpi);
        if (ms !== null) total.readingMs.push(ms);
        misses.push(...score.misses.map((miss) => `${form}: ${miss}`));
      }
      log(`${page.id}: ${page.entries.length} portraits, ${page.layout.columns} columns, ${page.layout.portraitWidth} px wide`);
      await Promise.all([analyses.save(engine.model), ocr.save()]);
    }

    async function readForm(form: Form, page: CaptionPage, png: Buffer) {
      const file = path.join(workDir, 'pages', `${page.id}.${form === 'png' ? 'png' : `${form}.pdf`}`);
      if (form === 'png') {
        await writeFile(file, png);
        const { analysis } = await analyseCached(engine, analyses, png);
        const started = Date.now();
        const words = await ocr.read(reader, png, { faces: analysis.faces.map((face) => face.box) });
        return { dpi: pngDpi, words, ms: Date.now() - started, analysis };
      }
      const pdf = form === 'text-layer-pdf' ? await pageTextPdf(facesDir, page) : await pageImagePdf(png, page);
      await writeFile(file, pdf);
      const [rendered] = await renderPdf(pdf, pdfLimits);
      const { analysis } = await analyseCached(engine, analyses, rendered.jpeg);
      const started = Date.now();
      // As the checker reads a page: its text layer, else OCR of the page drawn again at 300 dpi.
      const source = pdfPageText(pdf, 1, pdfLimits);
      const words = await pageWords(ocr.cachingReader(reader), rendered.jpeg, source, {
        faces: analysis.faces.map((face) => face.box),
      });
      return { dpi: rendered.dpi, words, ms: Date.now() - started, analysis };
    }

    const report = {
      benchmark: 'captions',
      half,
      seed,
      pages: benchmark.pages.length,
      portraits: sum(totals.values().next().value?.scores ?? [], (score) => score.names),
      registryPeople: benchmark.people.length,
      pdfDpi: pdfLimits.dpi,
      forms: Object.fromEntries([...totals].map(([form, total]) => [form, figures(total)])),
      targets: { 'text-layer-pdf': { readExactly: 1, pairedRight: 0.99 }, ocr: { resolvedRight: 0.95, pairedRight: 0.95 } },
      ...(values.misses ? { misses } : {}),
    };
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      for (const [form, figure] of Object.entries(report.forms)) process.stdout.write(`${form}: ${JSON.stringify(figure)}\n`);
      if (values.misses) process.stdout.write(`${misses.join('\n')}\n`);
    }
  } finally {
    await reader.close();
    await engine.close();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error instanceof UsageError ? error.message : (error.stack ?? error.message)}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
