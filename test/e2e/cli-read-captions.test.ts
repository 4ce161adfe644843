/**
 * Names read from a printed list's captions, offline (issue 14): `photo-verify check
 * --read-captions` on a PNG list with Latin and Cyrillic captions, a misspelt caption and a title,
 * with the real face models and tesseract.js on local trained data. A second copy of the list has
 * its names in the claims manifest: the user's names win and nothing is read.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Box } from '../../src/domain/types.js';
import { renderList } from '../../src/evaluation/handouts/render.js';
import type { OfflineReport } from '../../src/report/report.js';
import { photoVerify, type Run } from '../helpers/cli.js';
import { pdfHandout, scannedPdf } from '../helpers/pdf.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const lfw = (file: string) => path.join(root, 'test/fixtures/faces/lfw-10-people', file);

const people = [
  { id: 'colin-powell', name: 'Colin Powell', aliases: [], reference: 'Colin_Powell_0001.jpg', category: 'crimean-political-prisoner' },
  {
    id: 'tony-blair',
    name: 'Tony Blair',
    aliases: ['Тоні Блер'],
    reference: 'Tony_Blair_0002.jpg',
    category: 'crimean-political-prisoner',
  },
  {
    id: 'gerhard-schroeder',
    name: 'Gerhard Schroeder',
    aliases: [],
    reference: 'Gerhard_Schroeder_0001.jpg',
    category: 'crimean-political-prisoner',
  },
  { id: 'vladimir-putin', name: 'Vladimir Putin', aliases: [], reference: 'Vladimir_Putin_0001.jpg', category: 'prisoner-of-war' },
];

/** In reading order: the caption printed and whose photo it is. */
const portraits = [
  { caption: 'Colin Powell', photo: 'Colin_Powell_0005.jpg', shows: 'colin-powell' },
  { caption: 'Тоні Блер', photo: 'Tony_Blair_0009.jpg', shows: 'tony-blair' },
  { caption: 'Gerhard Schraeder', photo: 'Gerhard_Schroeder_0007.jpg', shows: 'gerhard-schroeder' },
  { caption: 'Vladimir Putin', photo: 'Vladimir_Putin_0005.jpg', shows: 'vladimir-putin' },
];

let work: string;
let rects: Box[];
let report: OfflineReport;
let run: Run;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'pv-captions-'));
  for (const person of people) {
    const dir = path.join(work, 'registry', person.id);
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, 'person.json'),
      JSON.stringify({ name: person.name, aliases: person.aliases, category: person.category }),
    );
    await copyFile(lfw(person.reference), path.join(dir, person.reference));
  }
  const list = await renderList(
    {
      title: 'Crimean political prisoners',
      columns: 2,
      portraitWidth: 100,
      greyscale: false,
      jpegQuality: 90,
      scale: 300 / 96,
      format: 'png',
    },
    await Promise.all(portraits.map(async (p) => ({ photo: await readFile(lfw(p.photo)), caption: p.caption }))),
  );
  rects = list.rects;
  await mkdir(path.join(work, 'drafts'));
  await writeFile(path.join(work, 'drafts', 'list.png'), list.image);
  await writeFile(path.join(work, 'drafts', 'named.png'), list.image);
  // The same list as a PDF whose captions are typeset text: read from its text layer, not by OCR.
  await writeFile(
    path.join(work, 'drafts', 'list.pdf'),
    await pdfHandout([portraits.map((portrait) => ({ photo: lfw(portrait.photo), caption: portrait.caption }))]),
  );
  // The list scanned: the 300-dpi picture as the only content of a PDF page (no text layer).
  await writeFile(path.join(work, 'drafts', 'scanned.pdf'), await scannedPdf(list.image, 300));
  // Only the second copy has names: the user's, in reading order, all spelt right.
  await writeFile(
    path.join(work, 'drafts', 'claims.csv'),
    'file,names\nnamed.png,Colin Powell;Tony Blair;Gerhard Schroeder;Vladimir Putin\n',
  );
  run = await photoVerify([
    'check',
    '--registry',
    path.join(work, 'registry'),
    '--claims',
    path.join(work, 'drafts', 'claims.csv'),
    '--read-captions',
    '--threads',
    '1',
    '--json',
    path.join(work, 'report.json'),
    path.join(work, 'drafts'),
  ]);
  report = JSON.parse(await readFile(path.join(work, 'report.json'), 'utf8')) as OfflineReport;
}, 240_000);

afterAll(async () => {
  if (work && !process.env.KEEP) await rm(work, { recursive: true, force: true });
});

const inside = (box: Box, rect: Box) =>
  box.x + box.width / 2 >= rect.x &&
  box.x + box.width / 2 <= rect.x + rect.width &&
  box.y + box.height / 2 >= rect.y &&
  box.y + box.height / 2 <= rect.y + rect.height;

describe('a printed list checked without names: the names are read from its captions', () => {
  const image = () => report.images.find((result) => result.file.endsWith('list.png'))!;

  it('reads the Latin and Cyrillic captions offline and pairs each with the face printed above it', () => {
    expect(run.stderr).not.toMatch(/ENOTFOUND|fetch|https?:\/\//);
    const { captions, faces } = image();
    expect(captions?.used).toBe(true);
    expect(captions?.names).toHaveLength(portraits.length);
    portraits.forEach((portrait, index) => {
      const name = captions!.names.find((read) => read.face !== null && inside(faces[read.face].box, rects[index]));
      expect(name, `the caption under portrait ${index + 1}`).toBeDefined();
      expect(name!.source).toBe('ocr');
      expect(name!.confidence).toBeGreaterThan(0);
      expect(name!.confidence).toBeLessThanOrEqual(1);
      if (portrait.caption !== 'Gerhard Schraeder') {
        expect(name!.text).toBe(portrait.caption);
        expect(name!.person?.personId).toBe(portrait.shows);
      }
    });
    const colin = faces.find((face) => inside(face.box, rects[0]))!;
    expect(colin.claim?.personId).toBe('colin-powell');
    expect(colin.verdict).toBe('confirmed');
    const tony = faces.find((face) => inside(face.box, rects[1]))!;
    expect(tony.claim?.personId).toBe('tony-blair');
  });

  it('reports a misspelt caption with suggestions and never confirms it', () => {
    const { captions, faces, findings } = image();
    const misspelt = captions!.names.find((read) => read.face !== null && inside(faces[read.face].box, rects[2]))!;
    expect(misspelt.person).toBeNull();
    expect(misspelt.suggestions).toContain('Gerhard Schroeder');
    expect(findings.some((finding) => finding.code === 'unknown_claim')).toBe(true);
    expect(faces[misspelt.face!].verdict).not.toBe('confirmed');
  });

  it('takes the title for the category the list claims: a prisoner of war in it is flagged', () => {
    const { captions, findings } = image();
    expect(captions?.title?.text).toBe('Crimean political prisoners');
    expect(captions?.title?.setsCategory).toBe(true);
    expect(findings.find((finding) => finding.code === 'category_mismatch')?.message).toMatch(/Vladimir Putin/);
  });

  it("uses the user's names when the manifest gives them, and reads nothing", () => {
    const named = report.images.find((result) => result.file.endsWith('named.png'))!;
    expect(named.captions).toBeUndefined();
    const gerhard = named.faces.find((face) => inside(face.box, rects[2]))!;
    expect(gerhard.claim?.personId).toBe('gerhard-schroeder');
  });

  it('reads the names of a PDF page from its text layer, sure of them, without OCR, and pairs them with the faces', () => {
    const page = report.images.find((result) => result.file.endsWith('list.pdf, page 1'))!;
    expect(page.captions?.used).toBe(true);
    expect(page.captions!.names.map((name) => [name.text, name.source, name.confidence])).toEqual(
      portraits.map((portrait) => [portrait.caption, 'text-layer', 1]),
    );
    expect(page.captions!.names.map((name) => name.person?.personId ?? null)).toEqual([
      'colin-powell',
      'tony-blair',
      null,
      'vladimir-putin',
    ]);
    const claimed = page.faces.map((face) => face.claim?.personId ?? face.claimText ?? null);
    expect(claimed).toEqual(['colin-powell', 'tony-blair', 'gerhard-schroeder', 'vladimir-putin']);
    expect(page.faces[0].verdict).toBe('confirmed');
  });

  it('reads the names of a scanned PDF page (no text layer) by OCR, and pairs them with the faces', () => {
    const page = report.images.find((result) => result.file.endsWith('scanned.pdf, page 1'))!;
    expect(page.captions?.used).toBe(true);
    // Marks in the scan read as text under no face name nobody: reported, never claims.
    const paired = page.captions!.names.filter((name) => name.face !== null).sort((a, b) => a.face! - b.face!);
    expect(paired.map((name) => [name.face, name.source, name.person?.personId ?? null])).toEqual([
      [0, 'ocr', 'colin-powell'],
      [1, 'ocr', 'tony-blair'],
      [2, 'ocr', null],
      [3, 'ocr', 'vladimir-putin'],
    ]);
    for (const stray of page.captions!.names.filter((name) => name.face === null)) expect(stray.person).toBeNull();
    expect(page.faces.map((face) => face.claim?.personId ?? face.claimText ?? null)).toEqual([
      'colin-powell',
      'tony-blair',
      'gerhard-schroeder',
      'vladimir-putin',
    ]);
    expect(page.faces[0]).toMatchObject({ verdict: 'confirmed', claim: { personId: 'colin-powell' } });
    expect(page.findings.filter((finding) => finding.code === 'claim_count_mismatch')).toEqual([]);
  });
});
