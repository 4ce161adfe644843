/**
 * The offline checker as a user runs it: the real command (`node bin/photo-verify.mjs check`) on
 * the real example photos the repository ships (examples/, attributed in examples/README.md),
 * with the real face models. One engine thread per run, few images.
 */
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OfflineReport } from '../../src/report/report.js';
import { photoVerify, type Run } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const examples = path.join(root, 'examples');

const readReport = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as OfflineReport;

let work: string;
let cache: string;
let first: Run;
let report: OfflineReport;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'pv-cli-'));
  cache = path.join(work, 'cache.json');
  first = await photoVerify([
    'check',
    '--registry',
    'examples/registry',
    '--claims',
    'examples/claims.csv',
    '--cache',
    cache,
    '--threads',
    '1',
    '--json',
    path.join(work, 'report.json'),
    '--csv',
    path.join(work, 'report.csv'),
    '--html',
    path.join(work, 'report.html'),
    'examples/drafts',
  ]);
  report = await readReport(path.join(work, 'report.json'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const image = (file: string) => {
  const found = report.images.find((entry) => entry.file === file);
  if (!found) throw new Error(`${file} is not in the report: ${report.images.map((entry) => entry.file).join(', ')}`);
  return found;
};

describe('photo-verify check on the example drafts', () => {
  it('flags a handout with a stranger above a registry name: mismatch for that face, confirmed for the rest, exit 1', () => {
    expect(first.code, first.stderr).toBe(1);
    const handout = image('examples/drafts/handout-crimea.jpg');
    expect(handout.flagged).toBe(true);
    expect(handout.faces.map((face) => [face.claim?.personId, face.verdict])).toEqual([
      ['colin-powell', 'confirmed'],
      ['tony-blair', 'confirmed'],
      ['jacques-chirac', 'mismatch'],
      ['hugo-chavez', 'confirmed'],
    ]);
    const stranger = handout.faces[2];
    expect(stranger.bestMatch).toBeNull();
    expect(stranger.claimScore).toBeLessThan(handout.faces[0].claimScore!);
    expect(first.stdout).toMatch(/examples\/drafts\/handout-crimea\.jpg\s+3\s+mismatch\s+Jacques Chirac/);
  });

  it('resolves a name written in Ukrainian Cyrillic to the registry person through an alias', async () => {
    expect(await readFile(path.join(examples, 'claims.csv'), 'utf8')).toContain('Тоні Блер');
    const blair = image('examples/drafts/handout-crimea.jpg').faces[1];
    expect(blair.claim).toEqual({ personId: 'tony-blair', name: 'Tony Blair' });
    expect(blair.verdict).toBe('confirmed');
  });

  it('answers a misspelt name with the nearest registry names, compares the face with the one it clearly means, and never confirms it', () => {
    const press = image('examples/drafts/press/chavez-interview.jpg');
    const unknown = press.findings.find((finding) => finding.code === 'unknown_claim');
    expect(unknown).toMatchObject({ subject: 'Hugo Chaves', suggestions: ['Hugo Chavez'] });
    expect(press.faces[0]).toMatchObject({ claim: { personId: 'hugo-chavez' }, claimText: 'Hugo Chaves', verdict: 'uncertain' });
    expect(press.faces[0].reasons[0]).toMatch(/compared with Hugo Chavez/);
    expect(press.flagged).toBe(true);
    expect(first.stdout).toContain('did you mean Hugo Chavez?');
  });

  it('reports category_mismatch for a person of another category in a list claimed as Crimean political prisoners', () => {
    const regions = image('examples/drafts/handout-regions.jpg');
    expect(regions.faces.map((face) => face.verdict)).toEqual(['confirmed', 'confirmed']);
    expect(regions.findings).toEqual([expect.objectContaining({ code: 'category_mismatch', subject: 'Gerhard Schroeder' })]);
  });

  it('flags two registry people whose photos are swapped and names whom each photo shows', () => {
    const swap = image('examples/drafts/leaflet-swap.jpg');
    expect(swap.flagged).toBe(true);
    expect(swap.faces.map((face) => [face.claim?.personId, face.nearest?.personId])).toEqual([
      ['gerhard-schroeder', 'jacques-chirac'],
      ['jacques-chirac', 'gerhard-schroeder'],
    ]);
    for (const face of swap.faces) {
      expect(['mismatch', 'uncertain']).toContain(face.verdict);
      expect(face.nearest!.score).toBeGreaterThan(face.claimScore!);
    }
  });

  it('identifies an image without a claim (and without a file extension) by its content', () => {
    const web = image('examples/drafts/web/IMG_0042');
    expect(web.faces).toHaveLength(1);
    expect(web.faces[0]).toMatchObject({ verdict: 'identified', claim: null, bestMatch: { personId: 'colin-powell' } });
    expect(web.flagged).toBe(false);
  });

  it('keeps a reference photo with the head turned, listing it as weak with the reason, rather than leaving it out', () => {
    expect(report.registry.referencePhotos.skipped).toEqual([]);
    expect(report.registry.referencePhotos.weak).toEqual([
      { referencePhoto: 'tony-blair/Tony_Blair_0001.jpg', warnings: [expect.stringContaining('turned to the side')] },
    ]);
    expect(report.registry.referencePhotos).toMatchObject({ used: 11, computed: 11, fromCache: 0 });
    expect(first.stdout).toContain('weak tony-blair/Tony_Blair_0001.jpg (in use');
  });

  it('writes the JSON summary and a CSV with one row per face', async () => {
    expect(report.summary).toEqual({ images: 5, faces: 10, flagged: 4, errors: 0 });
    const csv = (await readFile(path.join(work, 'report.csv'), 'utf8')).trim().split('\r\n');
    expect(csv[0].split(',').slice(0, 3)).toEqual(['file', 'face', 'verdict']);
    expect(csv).toHaveLength(1 + 10);
    expect(csv.filter((row) => row.startsWith('examples/drafts/handout-crimea.jpg,3,mismatch,jacques-chirac,'))).toHaveLength(1);
  });
});

describe('photo-verify check on other inputs', () => {
  it('reuses the cached reference descriptors on a second run and exits 0 when nothing is flagged', async () => {
    const json = path.join(work, 'second.json');
    const second = await photoVerify([
      'check',
      '--registry',
      'examples/registry',
      '--cache',
      cache,
      '--threads',
      '1',
      '--json',
      json,
      'examples/drafts/web',
    ]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('11 from cache, 0 computed');
    const again = await readReport(json);
    expect(again.registry.referencePhotos).toMatchObject({ used: 11, computed: 0, fromCache: 11 });
    expect(again.summary).toEqual({ images: 1, faces: 1, flagged: 0, errors: 0 });
  });

  it('reports a corrupt file and a non-image in a folder with their errors and still checks the others', async () => {
    const batch = path.join(work, 'batch');
    await mkdir(batch);
    const photo = await readFile(path.join(examples, 'drafts/web/IMG_0042'));
    await writeFile(path.join(batch, 'truncated.jpg'), photo.subarray(0, 3000));
    await writeFile(path.join(batch, 'notes.txt'), 'not a photo\n');
    await copyFile(path.join(examples, 'drafts/press/chavez-interview.jpg'), path.join(batch, 'chavez.jpg'));
    const json = path.join(work, 'batch.json');
    const run = await photoVerify(['check', '--registry', 'examples/registry', '--cache', cache, '--threads', '1', '--json', json, batch]);
    expect(run.code, run.stderr).toBe(1);
    const result = await readReport(json);
    const byName = Object.fromEntries(result.images.map((entry) => [path.basename(entry.file), entry]));
    expect(Object.keys(byName).sort()).toEqual(['chavez.jpg', 'notes.txt', 'truncated.jpg']);
    expect(byName['truncated.jpg'].error?.code).toBe('IMAGE_CORRUPT');
    expect(byName['notes.txt'].error?.code).toBe('IMAGE_UNSUPPORTED');
    expect(byName['chavez.jpg'].faces[0]).toMatchObject({ verdict: 'identified', bestMatch: { personId: 'hugo-chavez' } });
    expect(result.summary).toMatchObject({ images: 3, errors: 2 });
  });

  it("checks the files a claims manifest lists, reporting a listed file that is missing as that image's error", async () => {
    const drafts = path.join(work, 'listed');
    await mkdir(drafts);
    await copyFile(path.join(examples, 'drafts/press/chavez-interview.jpg'), path.join(drafts, 'chavez.jpg'));
    const claims = path.join(drafts, 'claims.csv');
    await writeFile(claims, 'file,names\nchavez.jpg,Hugo Chavez\ngone.jpg,Tony Blair\n');
    const json = path.join(work, 'listed.json');
    const run = await photoVerify([
      'check',
      '--registry',
      'examples/registry',
      '--cache',
      cache,
      '--threads',
      '1',
      '--claims',
      claims,
      '--json',
      json,
    ]);
    expect(run.code, run.stderr).toBe(1);
    const result = await readReport(json);
    const byName = Object.fromEntries(result.images.map((entry) => [path.basename(entry.file), entry]));
    expect(byName['gone.jpg'].error?.code).toBe('NOT_FOUND');
    expect(byName['chavez.jpg'].faces[0]).toMatchObject({ verdict: 'confirmed' });
  });

  it('refuses a claims manifest that lists a file outside its own folder, saying why, and reads nothing', async () => {
    const claims = path.join(work, 'escape', 'claims.csv');
    await mkdir(path.dirname(claims));
    await writeFile(claims, 'file,names\n../../../../etc/passwd,Tony Blair\n/etc/hostname,Hugo Chavez\n');
    const run = await photoVerify(['check', '--registry', 'examples/registry', '--cache', cache, '--threads', '1', '--claims', claims]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/row 2: \.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd is outside the claims file's folder/);
    expect(run.stderr).toMatch(/row 3: \/etc\/hostname is outside the claims file's folder/);
    expect(run.stdout).not.toMatch(/root:/);
  });

  it('exits 2 with a clear message on an unknown option, a missing registry or an unreadable claims file', async () => {
    const unknownOption = await photoVerify(['check', '--registry', 'examples/registry', '--jsn', 'x.json', 'examples/drafts']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("Unknown option '--jsn'");

    const noRegistry = await photoVerify(['check', '--registry', path.join(work, 'no-such-registry'), 'examples/drafts']);
    expect(noRegistry.code).toBe(2);
    expect(noRegistry.stderr).toContain('NOT_FOUND: the registry folder');

    const noClaims = await photoVerify([
      'check',
      '--registry',
      'examples/registry',
      '--claims',
      path.join(work, 'missing.csv'),
      'examples/drafts',
    ]);
    expect(noClaims.code).toBe(2);
    expect(noClaims.stderr).toContain('cannot read the claims file');

    const help = await photoVerify(['check', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--registry DIR');
  });
});

describe('the HTML report', () => {
  let context: BrowserContext;
  let tab: Page;

  /** Opens a report as a reader would, from a fresh folder holding the page alone: every picture must be embedded in it. */
  const open = async (report: string, name: string) => {
    const alone = path.join(work, name);
    await mkdir(alone);
    const page = path.join(alone, 'report.html');
    await copyFile(report, page);
    await tab.goto(`file://${page}`);
    await tab.waitForLoadState('load');
  };
  /** The section of the page for one image, found by the file name in its heading. */
  const section = (file: string) => tab.locator('section[id^="image-"]', { has: tab.locator('h2', { hasText: file }) });

  beforeAll(async () => {
    context = await chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      // Only so that axe-core can be injected; the page itself runs no script.
      bypassCSP: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    });
    tab = await context.newPage();
    await open(path.join(work, 'report.html'), 'alone');
  });

  afterAll(async () => {
    await context?.close();
  });

  it('shows each flagged face beside the reference photos, readable without the original files', async () => {
    const pictures = await tab.$$eval('img', (images) =>
      images.map((img) => ({ alt: img.alt, loaded: img.complete && img.naturalWidth > 0, src: img.src.slice(0, 11) })),
    );
    expect(pictures.length).toBeGreaterThanOrEqual(8);
    expect(pictures.every((picture) => picture.loaded && picture.src === 'data:image/')).toBe(true);
    expect(pictures.map((picture) => picture.alt)).toEqual(
      expect.arrayContaining(['face 3 of examples/drafts/handout-crimea.jpg', 'reference photo of Jacques Chirac']),
    );
    expect(await tab.textContent('body')).toContain('mismatch');
    const screenshot = path.join(work, 'report.png');
    await tab.screenshot({ path: screenshot, fullPage: true });
    expect((await stat(screenshot)).size).toBeGreaterThan(10_000);
    // Thumbnails, not originals: small enough to send by e-mail.
    expect((await stat(path.join(work, 'report.html'))).size).toBeLessThan(1_000_000);
  });

  it('passes an accessibility check with axe-core: no serious or critical problem', async () => {
    await tab.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
    const violations = await tab.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string }> }> } }).axe;
      return (await axe.run()).violations.map((violation) => ({ id: violation.id, impact: violation.impact }));
    });
    expect(violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')).toEqual([]);
  });

  it('opens with what is wrong, one line per problem, the swap saying whom each photo is captioned and whom it shows', async () => {
    expect(await tab.locator('h2').first().textContent()).toBe('What is wrong');
    const lines = (await tab.locator('.summary li').allTextContents()).map((line) => line.replace(/\s+/g, ' '));
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^examples\/drafts\/leaflet-swap\.jpg, face 1: .*captioned Gerhard Schroeder, (shows|looks more like) Jacques Chirac/,
        ),
        expect.stringMatching(
          /^examples\/drafts\/leaflet-swap\.jpg, face 2: .*captioned Jacques Chirac, (shows|looks more like) Gerhard Schroeder/,
        ),
        expect.stringMatching(/^examples\/drafts\/handout-crimea\.jpg, face 3: ✗ mismatch captioned Jacques Chirac/),
        expect.stringMatching(/^examples\/drafts\/handout-regions\.jpg: category mismatch: Gerhard Schroeder/),
      ]),
    );
    expect(lines).toHaveLength(6);
    // Flagged images first: the one with nothing to correct comes last.
    const headings = await tab.locator('section[id^="image-"] > h2').allTextContents();
    expect(headings.at(-1)).toContain('examples/drafts/web/IMG_0042');
    expect(headings.slice(0, -1).every((heading) => heading.includes('needs attention'))).toBe(true);
  });

  it('shows the draft with its four faces framed and numbered, the mismatch marked by a symbol as well as a colour', async () => {
    const handout = section('examples/drafts/handout-crimea.jpg');
    await expect(handout.locator('.draft img').getAttribute('alt')).resolves.toContain('3 mismatch');
    expect(await handout.locator('.draft svg .face-box text').allTextContents()).toEqual(['1 ✓', '2 ✓', '3 ✗', '4 ✓']);
  });

  it('gives a face that needs attention its evidence, and each confirmed face one line with a thumbnail', async () => {
    const handout = section('examples/drafts/handout-crimea.jpg');
    const cards = handout.locator('section.face');
    expect(await cards.count()).toBe(1);
    expect(await cards.locator('h3').textContent()).toMatch(/^Face 3: ✗ mismatch/);
    // Every reference photo of Jacques Chirac, the one that gave the score marked.
    expect(await cards.locator('img[alt="reference photo of Jacques Chirac"]').count()).toBe(2);
    expect(await cards.locator('.photo.matched figcaption').textContent()).toMatch(/jacques-chirac\/Jacques_Chirac_000\d\.jpg/);
    expect((await cards.locator('.scores li').allTextContents())[0]).toMatch(
      /^0\.\d\d with Jacques Chirac's photo: clearly not Jacques Chirac/,
    );

    const compact = handout.locator('li.face.compact');
    expect((await compact.allTextContents()).map((line) => line.replace(/\s+/g, ' ').trim())).toEqual([
      expect.stringMatching(/^Face 1: ✓ confirmed Colin Powell, 0\.\d\d with colin-powell\/Colin_Powell_000\d\.jpg$/),
      expect.stringMatching(/^Face 2: ✓ confirmed Tony Blair, /),
      expect.stringMatching(/^Face 4: ✓ confirmed Hugo Chavez, /),
    ]);
    expect(await compact.locator('img.thumb').count()).toBe(3);
    expect(await compact.locator('img:not(.thumb)').count()).toBe(0);
  });

  it('explains every verdict and finding at the bottom, and keeps the technical details out of the way', async () => {
    const glossary = await tab.locator('.glossary tbody th code').allTextContents();
    expect(glossary).toEqual([
      'confirmed',
      'identified',
      'mismatch',
      'uncertain',
      'unknown',
      'low_quality',
      'no_face',
      'claim_count_mismatch',
      'unknown_claim',
      'category_mismatch',
      'image_error',
    ]);
    expect(await tab.locator('details summary').last().textContent()).toBe('Technical details');
    expect(await tab.locator('details').last().textContent()).toContain('face-api');
    expect(await tab.locator('body > p').first().textContent()).not.toMatch(/cosine|face-api/);
  });

  it('is readable by a screen reader: a language, headings in order, every picture described, table headers', async () => {
    expect(await tab.getAttribute('html', 'lang')).toBe('en');
    const levels = await tab.$$eval('h1, h2, h3, h4, h5, h6', (headings) => headings.map((heading) => Number(heading.tagName[1])));
    expect(levels[0]).toBe(1);
    for (const [index, level] of levels.entries()) if (index > 0) expect(level).toBeLessThanOrEqual(levels[index - 1] + 1);
    expect(await tab.$$eval('img', (images) => images.filter((img) => !img.alt.trim()).length)).toBe(0);
    expect(await tab.$$eval('table', (tables) => tables.every((table) => table.querySelector('thead th[scope="col"]') !== null))).toBe(
      true,
    );
  });

  it('shows a name and a file name holding markup as text, running nothing', async () => {
    const registry = path.join(work, 'markup-registry');
    await cp(path.join(examples, 'registry'), registry, { recursive: true });
    const person = path.join(registry, 'hugo-chavez', 'person.json');
    const hostile = 'Hugo <script>alert(1)</script> Chavez';
    await writeFile(person, JSON.stringify({ ...JSON.parse(await readFile(person, 'utf8')), name: hostile }));
    const drafts = path.join(work, 'markup-drafts');
    await mkdir(drafts);
    await copyFile(path.join(examples, 'drafts/press/chavez-interview.jpg'), path.join(drafts, '<img src=x onerror=alert(2)>.jpg'));
    const claims = path.join(drafts, 'claims.csv');
    await writeFile(claims, 'file,names\n<img src=x onerror=alert(2)>.jpg,Tony Blair\n');
    const html = path.join(work, 'markup.html');
    const run = await photoVerify(['check', '--registry', registry, '--threads', '1', '--claims', claims, '--html', html]);
    expect(run.code, run.stderr).toBe(1);

    const dialogs: string[] = [];
    tab.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await open(html, 'markup');
    const summary = (await tab.locator('.summary').textContent())!.replace(/\s+/g, ' ');
    expect(summary).toContain(
      '<img src=x onerror=alert(2)>.jpg, face 1: ✗ mismatch captioned Tony Blair, shows Hugo <script>alert(1)</script> Chavez',
    );
    expect(await tab.locator('script').count()).toBe(0);
    expect(await tab.locator('img[src="x"]').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });
});
