/**
 * PDF handouts through the service: real API and worker processes. A two-page handout uploaded to
 * POST /v1/checks becomes two checks with their page numbers; in a batch, a password-protected,
 * a damaged or a too long PDF is refused with its code and adds nothing, and the good files of
 * another request are still checked. With no names given, the worker reads each page's names from
 * its text layer, so a photo swapped on page 2 is flagged on page 2 and the result shows the names
 * read; an image's names are read by OCR when the upload asks for it (readCaptions=true). Names
 * typed for single pages (`pages`, or rows `handout.pdf#page=2` of a claims file) win for those pages.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/cli/api-client.js';
import { pushRegistry } from '../../src/cli/registry-push.js';
import { renderList } from '../../src/evaluation/handouts/render.js';
import type { OfflineReport } from '../../src/report/report.js';
import { photoVerify } from '../helpers/cli.js';
import { emptyDatabase, testDatabase } from '../helpers/db.js';
import { draftPhotos, lfwPhoto, lfwRegistryFolder } from '../helpers/fixtures.js';
import { damagedPdf, encryptedPdf, hugePagePdf, imageBombPdf, longPdf, pdfHandout, swappedPages, twoPages } from '../helpers/pdf.js';
import { type ChildService, createKey, dropQueues, startProcess, testEnvironment, waitForCheck } from '../helpers/service.js';

interface PageView {
  page: number;
  result: {
    flagged: boolean;
    faces: Array<{ verdict: string; claim: { personId: string } | null; nearest: { personId: string } | null }>;
    captions?: { used: boolean; names: Array<{ text: string; source: string; face: number | null; person: { personId: string } | null }> };
  };
}

describe('PDF handouts through the service', () => {
  let pool: pg.Pool;
  let api: ChildService;
  let worker: ChildService;
  let baseUrl: string;
  let submitterKey: string;
  let env: Record<string, string>;
  let registry: string;

  beforeAll(async () => {
    pool = await testDatabase();
    await emptyDatabase(pool);
    const curatorKey = await createKey(pool, 'curator');
    submitterKey = await createKey(pool, 'submitter');
    env = await testEnvironment({ MAX_PDF_PAGES: '10' });
    api = startProcess('src/api/main.ts', env);
    worker = startProcess('workers/worker.ts', env);
    const listening = await api.waitFor(/API listening on port \d+/);
    baseUrl = `http://127.0.0.1:${/port (\d+)/.exec(listening)![1]}`;
    await worker.waitFor(/worker ready/);
    registry = await lfwRegistryFolder();
    await pushRegistry(registry, new ApiClient(baseUrl, curatorKey), { wait: true });
  }, 180_000);

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    if (env) await dropQueues(env);
    if (registry) await rm(registry, { recursive: true, force: true });
    await pool?.end();
  });

  const upload = async (route: string, files: Array<[Buffer, string]>, fields: Record<string, string> = {}) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    for (const [bytes, name] of files) form.append('image', new Blob([new Uint8Array(bytes)]), name);
    const response = await fetch(`${baseUrl}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${submitterKey}` },
      body: form,
    });
    return { status: response.status, body: await response.json() };
  };

  /** `photo-verify check --server` with `args`, writing the JSON report into `folder`: its exit code and each result by file name. */
  const checkThroughServer = async (folder: string, args: string[]) => {
    const run = await photoVerify([
      'check',
      '--server',
      baseUrl,
      '--api-key',
      submitterKey,
      '--json',
      path.join(folder, 'report.json'),
      ...args,
    ]);
    const report = JSON.parse(await readFile(path.join(folder, 'report.json'), 'utf8')) as OfflineReport;
    return { code: run.code, byFile: new Map(report.images.map((image) => [image.file.replace(/^.*[\\/]/, ''), image])) };
  };

  /** A printed list of two captioned portraits, drawn at 300 dpi: Blair's photo, then Putin's or Powell's. */
  const twoPortraitList = async (second: 'vladimir-putin' | 'colin-powell', captions: [string, string]) =>
    renderList(
      { title: 'Political prisoners', columns: 2, portraitWidth: 100, greyscale: false, jpegQuality: 90, scale: 300 / 96, format: 'png' },
      await Promise.all(
        [
          [lfwPhoto('tony-blair', draftPhotos['tony-blair']), captions[0]],
          [lfwPhoto(second, draftPhotos[second]), captions[1]],
        ].map(async ([photo, caption]) => ({ photo: await readFile(photo), caption })),
      ),
    );

  it('makes a check of each page of a two-page handout, with its page number', async () => {
    const { status, body } = await upload('/v1/checks', [[await pdfHandout(twoPages), 'handout.pdf']]);
    expect(status).toBe(202);
    expect(body.checks.map((check: { file: string; page: number }) => [check.file, check.page])).toEqual([
      ['handout.pdf, page 1', 1],
      ['handout.pdf, page 2', 2],
    ]);
    const pages = await Promise.all(body.checks.map((check: { id: string }) => waitForCheck(baseUrl, submitterKey, check.id)));
    const named = (page: { result: { faces: Array<{ bestMatch: { personId: string } | null }> } }) =>
      page.result.faces.map((face) => face.bestMatch?.personId);
    expect(pages.map((page) => [page.page, page.result.file, page.result.page])).toEqual([
      [1, 'handout.pdf, page 1', 1],
      [2, 'handout.pdf, page 2', 2],
    ]);
    expect(named(pages[0])).toEqual(['colin-powell', 'tony-blair']);
    expect(named(pages[1])).toEqual(['vladimir-putin', 'george-w-bush']);
  });

  it("reads each page's names from its text layer when none are given, flags the swapped photo on page 2 and shows the names read", async () => {
    const { status, body } = await upload('/v1/checks', [[await pdfHandout(swappedPages), 'swapped.pdf']]);
    expect(status).toBe(202);
    const [page1, page2] = (await Promise.all(
      body.checks.map((check: { id: string }) => waitForCheck(baseUrl, submitterKey, check.id)),
    )) as PageView[];
    const read = (page: PageView) => page.result.captions?.names.map((name) => [name.text, name.source, name.face, name.person?.personId]);
    expect(page1.result.flagged).toBe(false);
    expect(page1.result.captions?.used).toBe(true);
    expect(read(page1)).toEqual([
      ['Colin Powell', 'text-layer', 0, 'colin-powell'],
      ['Tony Blair', 'text-layer', 1, 'tony-blair'],
    ]);
    expect(page1.result.faces.map((face) => [face.verdict, face.claim?.personId])).toEqual([
      ['confirmed', 'colin-powell'],
      ['confirmed', 'tony-blair'],
    ]);
    expect(page2.result.flagged).toBe(true);
    expect(read(page2)).toEqual([
      ['Vladimir Putin', 'text-layer', 0, 'vladimir-putin'],
      ['George W Bush', 'text-layer', 1, 'george-w-bush'],
    ]);
    expect(page2.result.faces[0]).toMatchObject({
      verdict: 'mismatch',
      claim: { personId: 'vladimir-putin' },
      nearest: { personId: 'colin-powell' },
    });
    expect(page2.result.faces[1]).toMatchObject({ verdict: 'confirmed', claim: { personId: 'george-w-bush' } });
  });

  it('reads the names of a printed list image by OCR when the upload asks for it, and only identifies the faces when it does not', async () => {
    const list = await twoPortraitList('vladimir-putin', ['Tony Blair', 'Colin Powell']);
    const asked = await upload('/v1/checks', [[list.image, 'list.png']], { readCaptions: 'true' });
    const plain = await upload('/v1/checks', [[list.image, 'list.png']]);
    const [read, identified] = (await Promise.all(
      [asked, plain].map(({ body }) => waitForCheck(baseUrl, submitterKey, body.id)),
    )) as PageView[];
    expect(read.result.captions?.names.map((name) => [name.text, name.source, name.face, name.person?.personId])).toEqual([
      ['Tony Blair', 'ocr', 0, 'tony-blair'],
      ['Colin Powell', 'ocr', 1, 'colin-powell'],
    ]);
    // Putin's photo above Powell's name: flagged.
    expect(read.result.flagged).toBe(true);
    expect(read.result.faces.map((face) => [face.verdict, face.claim?.personId])).toEqual([
      ['confirmed', 'tony-blair'],
      ['mismatch', 'colin-powell'],
    ]);
    expect(identified.result.captions).toBeUndefined();
    expect(identified.result.faces.map((face) => face.verdict)).toEqual(['identified', 'identified']);
  });

  it('`photo-verify check --server` checks a PDF handout page by page through the service, with the names read, and reports the swap on page 2', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'pv-pdf-remote-'));
    try {
      await writeFile(path.join(folder, 'handout.pdf'), await pdfHandout(swappedPages));
      await writeFile(path.join(folder, 'locked.pdf'), await encryptedPdf(twoPages));
      const { code, byFile } = await checkThroughServer(folder, [folder]);
      expect(code).toBe(1);
      expect([...byFile.keys()].sort()).toEqual(['handout.pdf, page 1', 'handout.pdf, page 2', 'locked.pdf']);
      expect(byFile.get('handout.pdf, page 1')).toMatchObject({ page: 1, flagged: false, captions: { used: true } });
      const page2 = byFile.get('handout.pdf, page 2')!;
      expect(page2).toMatchObject({ page: 2, flagged: true });
      expect(page2.captions?.names.map((name) => name.text)).toEqual(['Vladimir Putin', 'George W Bush']);
      expect(page2.faces[0]).toMatchObject({ verdict: 'mismatch', claim: { personId: 'vladimir-putin' } });
      expect(byFile.get('locked.pdf')?.error?.code).toBe('PDF_ENCRYPTED');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('takes names typed for single pages (`pages` in the API, handout.pdf#page=2 in the claims file of `check --server`) over the names for the whole PDF, and refuses names for a page the PDF does not have', async () => {
    const swapped = await pdfHandout(swappedPages);
    const { status, body } = await upload('/v1/checks', [[swapped, 'named.pdf']], {
      names: JSON.stringify(['Colin Powell', 'Tony Blair']),
      pages: JSON.stringify({ 2: ['Vladimir Putin', 'George W Bush'] }),
    });
    expect(status).toBe(202);
    const [page1, page2] = (await Promise.all(
      body.checks.map((check: { id: string }) => waitForCheck(baseUrl, submitterKey, check.id)),
    )) as PageView[];
    expect(page1.result.faces.map((face) => [face.verdict, face.claim?.personId])).toEqual([
      ['confirmed', 'colin-powell'],
      ['confirmed', 'tony-blair'],
    ]);
    expect(page2.result.flagged).toBe(true);
    expect(page2.result.faces[0]).toMatchObject({
      verdict: 'mismatch',
      claim: { personId: 'vladimir-putin' },
      nearest: { personId: 'colin-powell' },
    });
    // Names typed win: nothing is read from the captions.
    expect(page1.result.captions).toBeUndefined();
    expect(page2.result.captions).toBeUndefined();

    const beyond = await upload('/v1/checks', [[swapped, 'named.pdf']], { pages: JSON.stringify({ 3: ['Enver Bekirov'] }) });
    expect(beyond).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION', message: expect.stringContaining('page 3') } } });
    const photo = await readFile(lfwPhoto('tony-blair', draftPhotos['tony-blair']));
    const image = await upload('/v1/checks', [[photo, 'photo.jpg']], { pages: JSON.stringify({ 1: ['Tony Blair'] }) });
    expect(image).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION', message: expect.stringContaining('is an image') } } });
    const notAPage = await upload('/v1/checks', [[swapped, 'named.pdf']], { pages: JSON.stringify({ first: ['Tony Blair'] }) });
    expect(notAPage).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION' } } });

    const folder = await mkdtemp(path.join(os.tmpdir(), 'pv-pdf-pages-'));
    try {
      await writeFile(path.join(folder, 'named.pdf'), swapped);
      await writeFile(
        path.join(folder, 'claims.csv'),
        'file,names\nnamed.pdf,Colin Powell;Tony Blair\nnamed.pdf#page=2,Vladimir Putin;George W Bush\n',
      );
      const { code, byFile } = await checkThroughServer(folder, ['--claims', path.join(folder, 'claims.csv')]);
      expect(code).toBe(1);
      expect(byFile.get('named.pdf, page 1')).toMatchObject({ page: 1, flagged: false });
      expect(byFile.get('named.pdf, page 2')?.faces[0]).toMatchObject({ verdict: 'mismatch', claim: { personId: 'vladimir-putin' } });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('refuses a password-protected, a damaged, a too long (11 and 10,000 pages), a 50,000-point and an image-bomb PDF with their codes; other uploads are still checked', async () => {
    const batch = await new ApiClient(baseUrl, submitterKey).json<{ id: string }>('POST', '/v1/batches', { name: 'pdf' });
    const refused = async (bytes: Buffer, code: string, status: number) => {
      const answer = await upload(`/v1/batches/${batch.id}/checks`, [
        [await pdfHandout([twoPages[0]]), 'good.pdf'],
        [bytes, 'bad.pdf'],
      ]);
      expect(answer).toMatchObject({ status, body: { error: { code } } });
    };
    await refused(await encryptedPdf(twoPages), 'PDF_ENCRYPTED', 422);
    await refused(damagedPdf(), 'PDF_CORRUPT', 422);
    await refused(await longPdf(11), 'PDF_TOO_MANY_PAGES', 413);
    await refused(await longPdf(10_000), 'PDF_TOO_MANY_PAGES', 413);
    await refused(await hugePagePdf(), 'PDF_PAGE_TOO_LARGE', 413);
    await refused(await imageBombPdf(), 'PDF_IMAGE_TOO_LARGE', 413);
    const good = await upload(`/v1/batches/${batch.id}/checks`, [[await pdfHandout([twoPages[1]]), 'good.pdf']]);
    expect(good.status).toBe(202);
    expect(good.body.checks).toHaveLength(1);
    const done = await waitForCheck(baseUrl, submitterKey, good.body.checks[0].id);
    expect(done).toMatchObject({ status: 'done', page: 1, file: 'good.pdf, page 1' });
  });
  // Last: it replaces the worker with one whose OCR may take only 1 ms a page.
  it('checks a page whose captions cannot be read in time without names, and says why in the result', async () => {
    await worker.stop();
    worker = startProcess('workers/worker.ts', { ...env, OCR_PAGE_TIMEOUT_MS: '1' });
    await worker.waitFor(/worker ready/);
    const list = await twoPortraitList('colin-powell', ['Tony Blair', 'Colin Powell']);
    const { status, body } = await upload('/v1/checks', [[list.image, 'list.png']], { readCaptions: 'true' });
    expect(status).toBe(202);
    const done = (await waitForCheck(baseUrl, submitterKey, body.id)) as PageView & { status: string };
    expect(done.status).toBe('done');
    expect(done.result.captions).toMatchObject({ used: false, names: [], error: expect.stringContaining('OCR took longer than 1 ms') });
    // The faces are still checked: named from the registry, as when no names are given.
    expect(done.result.faces.map((face) => face.verdict)).toEqual(['identified', 'identified']);
  });
});
