/**
 * `photo-verify check --server URL --api-key KEY FILE|FOLDER ...`: the check command as a client of
 * the service. Uploads the images as one batch, waits for the workers, and writes the same
 * reports with the same exit status as the offline checker (0 nothing flagged, 1 flagged, 2 usage).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import type { ImageResult } from '../domain/results.js';
import { AppError, isAppError } from '../errors.js';
import { isPdf } from '../images/pdf.js';
import { toCsv } from '../report/csv.js';
import { type HtmlSources, renderHtml } from '../report/html.js';
import { type OfflineReport, summarise, toJson } from '../report/report.js';
import { renderTable } from '../report/table.js';
import type { BatchView } from '../services/batches.js';
import type { CheckView } from '../services/checks.js';
import type { ReferencePhoto, RegistryOverview } from '../store/reference-photos.js';
import { ApiClient } from './api-client.js';
import { writeReport } from './check.js';
import type { CheckOptions } from './check-command.js';
import { claimedFor, manifestFiles, readClaimsManifest } from './claims-manifest.js';
import { UsageError } from './command.js';
import { collectInputs, type InputFile } from './inputs.js';
import { createProgress } from './progress.js';
import { describeRegistry, serviceRegistrySummary } from './registry-summary.js';

/** Uploads at once: enough to keep the server busy without a burst of large bodies. */
const uploadsInFlight = 4;

/** The check of `positionals` (files and folders) through the service, with the options of `photo-verify check`. */
export async function runRemoteCheck(values: CheckOptions, positionals: string[]): Promise<number> {
  if (!values.server || !values.apiKey) throw new UsageError('--server URL and --api-key KEY are both required in client mode');
  const manifest = values.claims ? await readClaimsManifest(values.claims) : null;
  const paths = positionals.length > 0 ? positionals : manifest ? manifestFiles(manifest) : [];
  if (paths.length === 0) throw new UsageError('give the images to check: files or folders, or --claims FILE');
  const outputs = [values.json, values.csv, values.html].filter((file) => file !== undefined).map((file) => path.resolve(file));
  const inputs = await collectInputs(
    paths,
    new Set([...outputs, ...(manifest ? [manifest.file] : [])]),
    positionals.length > 0 ? 'refuse' : 'report',
  );
  if (inputs.length === 0) throw new AppError('VALIDATION', `no files found in ${paths.join(', ')}`);

  const client = new ApiClient(values.server, values.apiKey);
  const registry = await client.json<RegistryOverview>('GET', '/v1/registry');
  const batch = await client.json<BatchView>('POST', '/v1/batches', { name: `photo-verify check, ${inputs.length} image(s)` });

  // Each image is uploaded; one the server refuses (not an image, damaged) is reported, the rest go on.
  const uploading = createProgress(process.stderr, 'uploading', inputs.length);
  const uploads = await pLimit(uploadsInFlight).map(inputs, async (input): Promise<Submitted[]> => {
    const request = claimedFor(manifest, input.path);
    const category = request.category ?? values.category;
    // A PDF's pages with rows of their own (`handout.pdf#page=2`) are sent as "pages".
    const pages = manifest?.pages.get(input.path);
    try {
      const bytes = await readFile(input.path).catch((error: NodeJS.ErrnoException) => {
        throw new AppError('NOT_FOUND', `cannot read the file: ${error.code ?? error.message}`);
      });
      // Page rows for a file that is no PDF are not used, as offline: say so.
      if (pages && !isPdf(bytes))
        process.stderr.write(`warning: the claims file gives names for pages of ${input.file}, which is not a PDF\n`);
      const fields: Record<string, string> = {
        claims: JSON.stringify(request.claims),
        ...(pages && isPdf(bytes)
          ? {
              pages: JSON.stringify(
                Object.fromEntries([...pages].map(([page, claimed]) => [page, claimed.claims.map((claim) => claim.text)])),
              ),
            }
          : {}),
        ...(category ? { category } : {}),
        ...(values.readCaptions !== undefined ? { readCaptions: String(values.readCaptions) } : {}),
      };
      const { checks } = await client.upload<{ checks: Array<{ id: string }> }>(
        `/v1/batches/${batch.id}/checks`,
        { bytes, name: path.basename(input.path) },
        fields,
      );
      // A PDF is a check per page, in order.
      return checks.map((check) => ({ input, checkId: check.id }));
    } catch (error) {
      if (
        !isAppError(error) ||
        !(
          error.code.startsWith('IMAGE_') ||
          error.code.startsWith('PDF_') ||
          error.code === 'FILE_TOO_LARGE' ||
          error.code === 'NOT_FOUND' ||
          // Names for a page the PDF does not have: this file is reported, the others go on.
          (pages !== undefined && error.code === 'VALIDATION')
        )
      )
        throw error;
      return [{ input, checkId: undefined, failure: { code: error.code, message: error.message } }];
    } finally {
      uploading.tick(input.file);
    }
  });
  const submitted = uploads.flat();
  uploading.done();
  await client.json('POST', `/v1/batches/${batch.id}/close`);

  const queued = submitted.filter((item) => item.checkId).length;
  const checking = createProgress(process.stderr, 'checking', queued);
  let seen = 0;
  for (;;) {
    const { progress } = await client.json<BatchView>('GET', `/v1/batches/${batch.id}`);
    for (; seen < progress.done + progress.failed; seen++) checking.tick('');
    if (progress.queued + progress.processing === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  checking.done();

  let model = '';
  const images = await pLimit(uploadsInFlight).map(submitted, async (item): Promise<ImageResult> => {
    if (!item.checkId) return failedImage(item.input, item.failure!);
    const check = await client.json<CheckView>('GET', `/v1/checks/${item.checkId}`);
    model ||= check.model ?? '';
    const { result } = check;
    return { ...result!, file: result?.page ? `${item.input.file}, page ${result.page}` : item.input.file };
  });

  const report: OfflineReport = { images, summary: summarise(images), model, registry: serviceRegistrySummary(registry) };
  process.stdout.write(`batch ${batch.id}\n`);
  process.stdout.write(describeRegistry(`server ${values.server}`, report.registry));
  process.stdout.write(renderTable(report, { colour: process.stdout.isTTY === true }));
  // Where the verification team looks at each flagged check and records its decision.
  const flaggedChecks = submitted.filter((item, index) => item.checkId && images[index].flagged);
  if (flaggedChecks.length > 0) {
    const server = values.server.replace(/\/+$/, '');
    process.stdout.write(
      `review on the review desk:\n${flaggedChecks.map((item) => `  ${item.input.file}: ${server}/review/checks/${item.checkId}\n`).join('')}`,
    );
  }
  if (values.json) await writeReport(values.json, toJson(report));
  if (values.csv) await writeReport(values.csv, toCsv(report));
  if (values.html) {
    const byFile = new Map(inputs.map((input) => [input.file, input.path]));
    const sources = { draftPath: (file: string) => byFile.get(file), referencePhotos: servicePhotos(report, client) };
    await writeReport(values.html, await renderHtml(report, sources));
  }
  return report.summary.flagged > 0 ? 1 : 0;
}

interface Submitted {
  input: InputFile;
  checkId?: string;
  failure?: { code: string; message: string };
}

function failedImage(input: InputFile, failure: { code: string; message: string }): ImageResult {
  return {
    file: input.file,
    findings: [{ code: 'image_error', message: `${failure.code}: ${failure.message}` }],
    faces: [],
    flagged: true,
    error: failure,
  };
}

/**
 * The HTML report's reference photos, from the service: each person's photos in use and any other
 * the report names (retired since), fetched only when shown, and named `<person id>/<file name>`.
 */
function servicePhotos(report: OfflineReport, client: ApiClient): HtmlSources['referencePhotos'] {
  const named = new Set(
    report.images
      .flatMap((image) => image.faces)
      .flatMap((face) => [
        face.claimReferencePhoto,
        face.bestMatch?.referencePhoto,
        face.nearest?.referencePhoto,
        face.runnerUp?.referencePhoto,
      ]),
  );
  return async (personId) => {
    const person = `/v1/people/${encodeURIComponent(personId)}`;
    const { photos } = await client.json<{ photos: ReferencePhoto[] }>('GET', `${person}/photos`);
    return photos
      .filter((photo) => photo.status === 'active' || named.has(photo.id))
      .map((photo) => ({
        referencePhoto: photo.id,
        name: `${personId}/${photo.fileName ?? photo.id}`,
        bytes: () => client.bytes(`${person}/photos/${photo.id}/image`),
      }));
  };
}
