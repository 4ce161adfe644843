/**
 * PDF handouts through the real offline checker (`photo-verify check`): each page is checked and
 * reported with its number; a password-protected, a damaged and a too long PDF are reported with
 * their codes while the other files are still checked; a PDF whose JavaScript would run on opening
 * is checked without running it; with no names given, each page's names are read from its text
 * layer, so a photo swapped on page 2 is flagged there; names typed for single pages in the claims
 * file are used for those pages. Composed at run time from the LFW fixtures
 * with pdf-lib.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OfflineReport } from '../../src/report/report.js';
import { photoVerify, type Run } from '../helpers/cli.js';
import { lfwRegistryFolder } from '../helpers/fixtures.js';
import { damagedPdf, encryptedPdf, longPdf, pdfHandout, pdfWithJavaScript, swappedPages, twoPages } from '../helpers/pdf.js';

let work: string;
let registry: string;
let run: Run;
let report: OfflineReport;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'pv-pdf-'));
  registry = await lfwRegistryFolder();
  const drafts = path.join(work, 'drafts');
  await mkdir(drafts);
  // Named without .pdf on purpose: a PDF is recognised by its content.
  await writeFile(path.join(drafts, 'handout'), await pdfHandout(twoPages));
  await writeFile(path.join(drafts, 'swapped.pdf'), await pdfHandout(swappedPages));
  await writeFile(path.join(drafts, 'protected.pdf'), await encryptedPdf(twoPages));
  await writeFile(path.join(drafts, 'broken.pdf'), damagedPdf());
  await writeFile(path.join(drafts, 'long.pdf'), await longPdf(51));
  await writeFile(path.join(drafts, 'scripted.pdf'), await pdfWithJavaScript([twoPages[0]], 'http://127.0.0.1:9/beacon'));
  // The swapped handout again, its names typed per page: page 2 has a row of its own, page 1 takes the PDF's row.
  await writeFile(path.join(drafts, 'named.pdf'), await pdfHandout(swappedPages));
  await writeFile(
    path.join(drafts, 'claims.csv'),
    'file,names\nnamed.pdf,Colin Powell;Tony Blair\nnamed.pdf#page=2,Vladimir Putin;George W Bush\nnamed.pdf#page=5,Enver Bekirov\n',
  );
  run = await photoVerify([
    'check',
    '--registry',
    registry,
    '--claims',
    path.join(drafts, 'claims.csv'),
    '--threads',
    '1',
    '--json',
    path.join(work, 'report.json'),
    '--html',
    path.join(work, 'report.html'),
    drafts,
  ]);
  report = JSON.parse(await readFile(path.join(work, 'report.json'), 'utf8'));
}, 240_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  if (registry) await rm(registry, { recursive: true, force: true });
});

const entry = (file: string) => {
  const found = report.images.find((image) => image.file.endsWith(file));
  if (!found) throw new Error(`${file} is not in the report: ${report.images.map((image) => image.file).join(', ')}`);
  return found;
};
/** Who each face is, as the check found it: the person confirmed (a name read) or identified (none), else the verdict. */
const named = (file: string) =>
  entry(file).faces.map((face) =>
    face.verdict === 'confirmed' ? face.claim?.personId : face.verdict === 'identified' ? face.bestMatch?.personId : face.verdict,
  );
const namesRead = (file: string) => entry(file).captions?.names.map((name) => [name.text, name.source, name.face]);

describe('photo-verify check on PDF handouts', () => {
  it('checks each page of a two-page handout on its own and names the page in the report', () => {
    expect(entry('handout, page 1')).toMatchObject({ page: 1, flagged: false });
    expect(named('handout, page 1')).toEqual(['colin-powell', 'tony-blair']);
    expect(entry('handout, page 2')).toMatchObject({ page: 2, flagged: false });
    expect(named('handout, page 2')).toEqual(['vladimir-putin', 'george-w-bush']);
    expect(run.stdout).toContain('handout, page 2');
  });

  it("reads each page's names from its text layer when none are given, and flags the photo swapped on page 2 there", () => {
    expect(entry('swapped.pdf, page 1')).toMatchObject({ page: 1, flagged: false, captions: { used: true } });
    expect(named('swapped.pdf, page 1')).toEqual(['colin-powell', 'tony-blair']);
    expect(namesRead('swapped.pdf, page 1')).toEqual([
      ['Colin Powell', 'text-layer', 0],
      ['Tony Blair', 'text-layer', 1],
    ]);
    const page2 = entry('swapped.pdf, page 2');
    expect(page2).toMatchObject({ page: 2, flagged: true, captions: { used: true, title: { text: 'Crimean political prisoners' } } });
    expect(namesRead('swapped.pdf, page 2')).toEqual([
      ['Vladimir Putin', 'text-layer', 0],
      ['George W Bush', 'text-layer', 1],
    ]);
    // Powell's face under Putin's name: a mismatch that names Powell; Bush is confirmed.
    expect(page2.faces[0]).toMatchObject({
      verdict: 'mismatch',
      claim: { personId: 'vladimir-putin' },
      nearest: { personId: 'colin-powell' },
    });
    expect(page2.faces[1]).toMatchObject({ verdict: 'confirmed', claim: { personId: 'george-w-bush' } });
    expect(run.stdout).toContain(
      'swapped.pdf, page 2: names read from the captions (text layer): "Vladimir Putin" (face 1), "George W Bush" (face 2)',
    );
  });

  it("takes a page's names from its own row of the claims file (handout.pdf#page=2), and the PDF's row for the other pages", () => {
    expect(entry('named.pdf, page 1')).toMatchObject({ page: 1, flagged: false });
    expect(named('named.pdf, page 1')).toEqual(['colin-powell', 'tony-blair']);
    const page2 = entry('named.pdf, page 2');
    expect(page2).toMatchObject({ page: 2, flagged: true });
    expect(page2.faces[0]).toMatchObject({
      verdict: 'mismatch',
      claim: { personId: 'vladimir-putin' },
      nearest: { personId: 'colin-powell' },
    });
    expect(page2.faces[1]).toMatchObject({ verdict: 'confirmed', claim: { personId: 'george-w-bush' } });
    // A page the PDF does not have: said, not silently ignored.
    expect(run.stderr).toContain('the claims file gives names for page 5 of');
    expect(run.stderr).toContain('named.pdf, which has no such page');
    // Names typed win: nothing is read from the captions of either page.
    expect(entry('named.pdf, page 1').captions).toBeUndefined();
    expect(page2.captions).toBeUndefined();
  });

  it('reports a password-protected, a damaged and a too long PDF with their codes, and checks the rest', () => {
    expect(entry('protected.pdf').error?.code).toBe('PDF_ENCRYPTED');
    expect(entry('broken.pdf').error?.code).toBe('PDF_CORRUPT');
    expect(entry('long.pdf').error).toMatchObject({ code: 'PDF_TOO_MANY_PAGES', message: expect.stringContaining('51 pages') });
    expect(report.summary).toMatchObject({ errors: 3, images: 3 + 2 + 2 + 2 + 1 });
    expect(run.code).toBe(1);
  });

  it('checks a PDF whose JavaScript would run on opening without running it', () => {
    expect(entry('scripted.pdf, page 1')).toMatchObject({ page: 1, flagged: false });
    expect(named('scripted.pdf, page 1')).toEqual(['colin-powell', 'tony-blair']);
  });

  it('shows the rendered page in the HTML report', async () => {
    const html = await readFile(path.join(work, 'report.html'), 'utf8');
    expect(html).toContain('handout, page 2');
    expect(html).toContain('data:image/jpeg;base64');
    // The names read, with where they were read from.
    expect(html).toContain('Names read from the captions');
    expect(html).toContain('Vladimir Putin</td><td>Face 1</td><td>Vladimir Putin</td><td>the PDF');
  });
});
