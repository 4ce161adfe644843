/**
 * `photo-verify check`: the offline checker. Checks every image under the paths given against a
 * registry folder, with no server and no network: prints a table of verdicts, writes the reports
 * asked for, and exits 0 when nothing is flagged, 1 when something is, 2 on a usage or input error.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { loadConfig, pdfLimitsOf } from '../config.js';
import { type DescriptorMode, descriptorModes } from '../domain/descriptor-modes.js';
import { evaluateImage } from '../domain/evaluate.js';
import type { ImageResult } from '../domain/results.js';
import { startEngine } from '../engine/pool.js';
import { AppError, isAppError } from '../errors.js';
import { CaptionReader, evaluateReadingCaptions, type PdfPageText, pdfPageText } from '../images/ocr.js';
import { isPdf, type PdfRenderLimits, renderPdf } from '../images/pdf.js';
import { DescriptorCache, defaultCacheName } from '../registry-folder/cache.js';
import { type RegistryFolder, readRegistryFolder } from '../registry-folder/folder.js';
import { toCsv } from '../report/csv.js';
import { type HtmlSources, renderHtml } from '../report/html.js';
import { type OfflineReport, summarise, toJson } from '../report/report.js';
import { renderTable } from '../report/table.js';
import type { CheckOptions } from './check-command.js';
import { claimedFor, manifestFiles, readClaimsManifest } from './claims-manifest.js';
import { UsageError } from './command.js';
import { collectInputs, displayPath, type InputFile } from './inputs.js';
import { createProgress } from './progress.js';
import { loadReferencePhotos } from './reference-photos.js';
import { describeRegistry } from './registry-summary.js';

/** The offline check of `positionals` (files and folders) with the options of `photo-verify check`. */
export async function runCheck(values: CheckOptions, positionals: string[]): Promise<number> {
  if (!values.registry) throw new UsageError('--registry DIR is required (or --server URL, to check through the service)');
  if (values.threads !== undefined && !/^\d+$/.test(values.threads)) {
    throw new UsageError(`--threads must be a whole number, 0 for one per core; got "${values.threads}"`);
  }
  const config = loadConfig();
  const threads = values.threads === undefined ? config.ENGINE_THREADS : Number(values.threads);
  if (values.descriptor !== undefined && !(descriptorModes as readonly string[]).includes(values.descriptor)) {
    throw new UsageError(`--descriptor must be one of ${descriptorModes.join(', ')}; got "${values.descriptor}"`);
  }
  const descriptor = (values.descriptor as DescriptorMode | undefined) ?? config.DESCRIPTOR;

  const registry = await readRegistryFolder(values.registry);
  const manifest = values.claims ? await readClaimsManifest(values.claims) : null;
  if (positionals.length === 0 && !manifest) throw new UsageError('give the images to check: files or folders, or --claims FILE');
  const cacheFile = path.resolve(values.cache ?? path.join(registry.root, defaultCacheName));
  const outputs = [values.json, values.csv, values.html].filter((file) => file !== undefined).map((file) => path.resolve(file));
  const paths = positionals.length > 0 ? positionals : manifestFiles(manifest!);
  const inputs = await collectInputs(
    paths,
    new Set([cacheFile, ...outputs, ...(manifest ? [manifest.file] : [])]),
    positionals.length > 0 ? 'refuse' : 'report',
  );
  if (inputs.length === 0) throw new AppError('VALIDATION', `no files found in ${paths.join(', ')}`);
  if (manifest) {
    const checked = new Set(inputs.map((input) => input.path));
    for (const listed of manifestFiles(manifest)) {
      if (!checked.has(listed))
        process.stderr.write(`warning: ${displayPath(listed)} is in the claims file but not among the images checked\n`);
    }
  }

  const engine = await startEngine({
    threads,
    maxPixels: config.MAX_IMAGE_PIXELS,
    descriptor,
    log: (message) => process.stderr.write(`${message}\n`),
  });
  // Its OCR threads start on the first image read by OCR.
  const reader = values.readCaptions === false ? null : new CaptionReader();
  // The rendered pages of PDFs, for the HTML report's pictures of them.
  const pagesFolder = values.html ? await mkdtemp(path.join(os.tmpdir(), 'photo-verify-pages-')) : null;
  try {
    const cache = await DescriptorCache.open(cacheFile);
    const enrolment = createProgress(process.stderr, 'reference photos', registry.photos.length);
    const { gallery, summary: registrySummary } = await loadReferencePhotos(registry, engine, cache, (photo) => enrolment.tick(photo));
    enrolment.done();
    await cache
      .save(engine.model)
      .catch((error: Error) => process.stderr.write(`warning: the descriptor cache ${cacheFile} was not saved: ${error.message}\n`));
    process.stdout.write(describeRegistry(values.registry, registrySummary));

    const progress = createProgress(process.stderr, 'checking', inputs.length);
    const byFile = new Map(inputs.map((input) => [input.file, input.path]));
    const perInput = await pLimit(engine.threads * 2).map(inputs, async (input) => {
      const results = await checkFile(
        input,
        async (bytes, pdfPage, page) => {
          // A PDF page's own row in the claims file, else the file's.
          const request = claimedFor(manifest, input.path, page);
          const { timings: _timings, ...analysis } = await engine.analyze(bytes);
          // A PDF page's captions are read unless --no-read-captions; an image's with --read-captions.
          const read = reader !== null && request.claims.length === 0 && (values.readCaptions === true || pdfPage !== null);
          if (!read) return evaluateImage(analysis, gallery, request);
          // Names read from the captions, paired with the faces by layout and checked like typed names.
          return evaluateReadingCaptions(reader, bytes, pdfPage, analysis, gallery, request);
        },
        pdfLimitsOf(config),
        async (file, jpeg) => {
          if (!pagesFolder) return;
          const saved = path.join(pagesFolder, `${byFile.size}.jpg`);
          byFile.set(file, saved);
          await writeFile(saved, jpeg);
        },
      );
      progress.tick(input.file);
      return results;
    });
    const images = perInput.flat();
    // Names typed for a page the file does not have (or for a file that is no PDF) are not used: say so.
    inputs.forEach((input, index) => {
      const checkedPages = new Set(perInput[index].map((result) => result.page));
      // A file that could not be checked at all already says why.
      if (perInput[index].some((result) => result.error && result.page === undefined)) return;
      for (const page of manifest?.pages.get(input.path)?.keys() ?? [])
        if (!checkedPages.has(page))
          process.stderr.write(`warning: the claims file gives names for page ${page} of ${input.file}, which has no such page\n`);
    });
    progress.done();

    const report: OfflineReport = { images, summary: summarise(images), model: engine.model, registry: registrySummary };
    process.stdout.write(renderTable(report, { colour: process.stdout.isTTY === true }));
    if (values.json) await writeReport(values.json, toJson(report));
    if (values.csv) await writeReport(values.csv, toCsv(report));
    if (values.html)
      await writeReport(
        values.html,
        await renderHtml(report, { draftPath: (file) => byFile.get(file), referencePhotos: folderPhotos(registry, report) }),
      );
    return report.summary.flagged > 0 ? 1 : 0;
  } finally {
    await reader?.close();
    await engine.close();
    if (pagesFolder) await rm(pagesFolder, { recursive: true, force: true });
  }
}

/** The HTML report's reference photos: those of the registry folder in use (not skipped), named as the report names them. */
function folderPhotos(registry: RegistryFolder, report: OfflineReport): HtmlSources['referencePhotos'] {
  const skipped = new Set((report.registry.referencePhotos.skipped ?? []).map((photo) => photo.referencePhoto));
  return async (personId) =>
    registry.photos
      .filter((photo) => photo.personId === personId && !skipped.has(photo.referencePhoto))
      .map((photo) => ({ referencePhoto: photo.referencePhoto, name: photo.referencePhoto, bytes: () => readFile(photo.path) }));
}

/**
 * One file: an image's verdicts, or each page's of a PDF (recognised by its content, each page a
 * result of its own named `file, page N`), or the error that kept it from being checked (the
 * other files go on).
 */

async function checkFile(
  input: InputFile,
  evaluate: (bytes: Buffer, pdfPage: PdfPageText | null, page: number | null) => Promise<Omit<ImageResult, 'file'>>,
  pdfLimits: PdfRenderLimits,
  keepPage: (file: string, jpeg: Buffer) => Promise<void>,
): Promise<ImageResult[]> {
  const failed = (code: string, message: string): ImageResult => ({
    file: input.file,
    findings: [{ code: 'image_error', message: `${code}: ${message}` }],
    faces: [],
    flagged: true,
    error: { code, message },
  });
  let bytes: Buffer;
  try {
    bytes = await readFile(input.path);
  } catch (error) {
    return [failed('NOT_FOUND', `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)];
  }
  try {
    if (!isPdf(bytes)) return [{ file: input.file, ...(await evaluate(bytes, null, null)) }];
    const pages = await renderPdf(bytes, pdfLimits);
    return await Promise.all(
      pages.map(async ({ page, jpeg }) => {
        const file = `${input.file}, page ${page}`;
        await keepPage(file, jpeg);
        try {
          return { file, page, ...(await evaluate(jpeg, pdfPageText(bytes, page, pdfLimits), page)) };
        } catch (error) {
          if (isAppError(error)) return { ...failed(error.code, error.message), file, page };
          throw error;
        }
      }),
    );
  } catch (error) {
    if (isAppError(error)) return [failed(error.code, error.message)];
    throw error;
  }
}

export async function writeReport(file: string, content: string): Promise<void> {
  try {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFile(file, content);
  } catch (error) {
    throw new AppError('VALIDATION', `cannot write the report ${file}: ${(error as Error).message}`);
  }
  process.stderr.write(`wrote ${file}\n`);
}
