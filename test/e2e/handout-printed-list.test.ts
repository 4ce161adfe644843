/**
 * A printed list as partners make them, through the real offline checker (`photo-verify check`):
 * a title, a grid of small captioned portraits saved as a low-quality JPEG, one bystander's face
 * behind a portrait, two registry people's photos exchanged, and a registry of one photo per person.
 * Composed at run time from the fixtures (test/fixtures/README.md), with the real face models.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp, { type OverlayOptions } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OfflineReport } from '../../src/report/report.js';
import { photoVerify, type Run } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = path.join(root, 'test/fixtures/faces');
const lfw = (file: string) => path.join(fixtures, 'lfw-10-people', file);

const people = [
  { id: 'colin-powell', name: 'Colin Powell', reference: 'Colin_Powell_0001.jpg' },
  { id: 'george-w-bush', name: 'George W Bush', reference: 'George_W_Bush_0001.jpg' },
  { id: 'gerhard-schroeder', name: 'Gerhard Schroeder', reference: 'Gerhard_Schroeder_0001.jpg' },
  { id: 'tony-blair', name: 'Tony Blair', reference: 'Tony_Blair_0002.jpg' },
  { id: 'vladimir-putin', name: 'Vladimir Putin', reference: 'Vladimir_Putin_0001.jpg' },
];

/** The list in reading order: the caption printed under each portrait, and whose photo it really is. */
const portraits = [
  { caption: 'Colin Powell', photo: 'Colin_Powell_0005.jpg', shows: 'colin-powell' },
  { caption: 'George W Bush', photo: 'Gerhard_Schroeder_0007.jpg', shows: 'gerhard-schroeder' },
  { caption: 'Gerhard Schroeder', photo: 'George_W_Bush_0006.jpg', shows: 'george-w-bush' },
  { caption: 'Tony Blair', photo: 'Tony_Blair_0009.jpg', shows: 'tony-blair' },
  { caption: 'Vladimir Putin', photo: 'Vladimir_Putin_0005.jpg', shows: 'vladimir-putin' },
  { caption: 'Colin Powell', photo: 'Colin_Powell_0007.jpg', shows: 'colin-powell' },
];

const cell = { width: 120, height: 150, gap: 40, top: 90, left: 30 };
const columns = 3;
const portraitBox = (index: number) => ({
  x: cell.left + (index % columns) * (cell.width + cell.gap),
  y: cell.top + Math.floor(index / columns) * (cell.height + 50),
  width: cell.width,
  height: cell.height,
});

async function composeList(file: string): Promise<void> {
  const layers: OverlayOptions[] = [];
  const svgText = (x: number, y: number, text: string, size: number) =>
    `<text x="${x}" y="${y}" font-family="DejaVu Sans, sans-serif" font-size="${size}" fill="#111">${text}</text>`;
  const texts = [svgText(30, 50, 'Crimean political prisoners', 24)];
  for (const [index, portrait] of portraits.entries()) {
    const box = portraitBox(index);
    // LFW photos centre the face in 250 px; a designer crops to the head and shoulders.
    const image = await sharp(lfw(portrait.photo))
      .extract({ left: 45, top: 35, width: 160, height: 200 })
      .resize(box.width, box.height)
      .toBuffer();
    layers.push({ input: image, left: box.x, top: box.y });
    texts.push(svgText(box.x, box.y + box.height + 20, portrait.caption, 13));
  }
  // A bystander's face behind the fifth portrait's subject, at the portrait's upper corner.
  const bystander = await sharp(path.join(fixtures, 'lfw-view1', 'Dan_Bartlett_0001.jpg'))
    .extract({ left: 35, top: 30, width: 80, height: 96 })
    .resize(38, 46)
    .toBuffer();
  const fifth = portraitBox(4);
  layers.push({ input: bystander, left: fifth.x + fifth.width - 40, top: fifth.y + 2 });
  const width = cell.left * 2 + columns * cell.width + (columns - 1) * cell.gap;
  const height = cell.top + 2 * (cell.height + 50) + 20;
  layers.push({
    input: Buffer.from(`<svg width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${texts.join('')}</svg>`),
    left: 0,
    top: 0,
  });
  await sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite(layers)
    .jpeg({ quality: 60 })
    .toFile(file);
}

let work: string;
let report: OfflineReport;
let run: Run;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'pv-list-'));
  for (const person of people) {
    await mkdir(path.join(work, 'registry', person.id), { recursive: true });
    await writeFile(
      path.join(work, 'registry', person.id, 'person.json'),
      JSON.stringify({ name: person.name, category: 'crimean-political-prisoner' }),
    );
    await copyFile(lfw(person.reference), path.join(work, 'registry', person.id, person.reference));
  }
  await mkdir(path.join(work, 'drafts'));
  await composeList(path.join(work, 'drafts', 'list.jpg'));
  await writeFile(
    path.join(work, 'claims.csv'),
    `file,names,category\ndrafts/list.jpg,${portraits.map((p) => p.caption).join(';')},Crimean political prisoners\n`,
  );
  run = await photoVerify([
    'check',
    '--registry',
    path.join(work, 'registry'),
    '--claims',
    path.join(work, 'claims.csv'),
    '--threads',
    '1',
    '--json',
    path.join(work, 'report.json'),
  ]);
  report = JSON.parse(await readFile(path.join(work, 'report.json'), 'utf8')) as OfflineReport;
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** The portrait (by its index in reading order) whose rectangle holds a face's centre, or null. */
function portraitOf(box: { x: number; y: number; width: number; height: number }): number | null {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const index = portraits.findIndex((_, i) => {
    const p = portraitBox(i);
    return cx >= p.x && cx <= p.x + p.width && cy >= p.y && cy <= p.y + p.height;
  });
  return index < 0 ? null : index;
}

describe('a printed list of small portraits with a bystander and a swap, through the offline checker', () => {
  it('reads every portrait, sets the bystander aside, and keeps each name on the portrait it is printed under', () => {
    expect(run.code).toBe(1);
    const [image] = report.images;
    expect(image.findings.map((finding) => finding.code)).not.toContain('claim_count_mismatch');
    const named = image.faces.filter((face) => !face.setAside);
    expect(named).toHaveLength(portraits.length);
    for (const face of named) {
      const index = portraitOf(face.box);
      expect(index).not.toBeNull();
      const expected = people.find((person) => person.name === portraits[index!].caption)!;
      expect(face.claim?.personId).toBe(expected.id);
    }
    const aside = image.faces.filter((face) => face.setAside);
    expect(aside.map((face) => face.setAside)).toEqual(['bystander']);
  });

  it('flags both faces of the swap and names whom each one shows; no genuine face is called a mismatch', () => {
    const [image] = report.images;
    expect(image.flagged).toBe(true);
    for (const face of image.faces.filter((f) => !f.setAside)) {
      const portrait = portraits[portraitOf(face.box)!];
      const genuine = people.find((person) => person.name === portrait.caption)!.id === portrait.shows;
      if (genuine) expect(face.verdict).not.toBe('mismatch');
      else {
        expect(face.verdict).toBe('mismatch');
        expect(face.bestMatch?.personId ?? face.nearest?.personId).toBe(portrait.shows);
      }
    }
  });
});
