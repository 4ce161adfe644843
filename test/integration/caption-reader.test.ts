/**
 * Reading a printed list's captions when the first search for text misses one (issue 14): the
 * strip of paper under each portrait with no caption found is searched again alone. Real
 * tesseract.js on local trained data, on a list composed from fixture photos.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Box } from '../../src/domain/types.js';
import { type ListLayout, listGeometry, renderList } from '../../src/evaluation/handouts/render.js';
import { CaptionReader, uncaptionedZones } from '../../src/images/ocr.js';

const lfw = (file: string) => path.join(fileURLToPath(new URL('../fixtures/faces/lfw-10-people/', import.meta.url)), file);

const layout: ListLayout = {
  title: 'Crimean political prisoners',
  columns: 2,
  portraitWidth: 90,
  greyscale: false,
  jpegQuality: 90,
  scale: 300 / 96,
  format: 'png',
};
const captions = ['Colin Powell', 'Tony Blair', 'Gerhard Schroeder', 'Vladimir Putin'];
const photos = ['Colin_Powell_0005.jpg', 'Tony_Blair_0009.jpg', 'Gerhard_Schroeder_0007.jpg', 'Vladimir_Putin_0005.jpg'];

let page: Buffer;
let rects: Box[];
/** Where the face is in each portrait (the portrait is cut around it): its middle half, a little above centre. */
let faces: Box[];
/** Each caption's line as tesseract gives lines: text, confidence 0-100 and its box. */
let captionLines: { entry: number; text: string; confidence: number; bbox: { x0: number; y0: number; x1: number; y1: number } }[];
const reader = new CaptionReader();

beforeAll(async () => {
  const list = await renderList(
    layout,
    await Promise.all(photos.map(async (photo, index) => ({ photo: await readFile(lfw(photo)), caption: captions[index] }))),
  );
  page = list.image;
  rects = list.rects;
  faces = rects.map((rect) => ({
    x: rect.x + rect.width * 0.25,
    y: rect.y + rect.height * 0.2,
    width: rect.width * 0.5,
    height: rect.height * 0.5,
  }));
  captionLines = listGeometry(layout, captions)
    .lines.filter((line) => line.entry !== null)
    .map((line) => {
      // Centred on line.x; about 0.6 em a letter.
      const half = (line.text.length * line.fontSize * 0.6) / 2;
      return {
        entry: line.entry!,
        text: line.text,
        confidence: 95,
        bbox: { x0: line.x - half, y0: line.baseline - line.fontSize, x1: line.x + half, y1: line.baseline },
      };
    });
});

afterAll(() => reader.close());

describe('captions the first search for text missed', () => {
  it('searches again only the paper under the portrait whose caption was not found, down to where its caption can be', async () => {
    const found = captionLines.filter((line) => line.entry !== 2);
    const zones = await uncaptionedZones(page, faces, found);
    expect(zones).toHaveLength(1);
    const [zone] = zones;
    const portrait = rects[2];
    const missed = captionLines.filter((line) => line.entry === 2).at(-1)!;
    // Below the picture (not into the photo), around the whole caption, and not into the next column.
    expect(zone.top).toBeGreaterThanOrEqual(portrait.y + portrait.height - 2);
    expect(zone.top).toBeLessThanOrEqual(missed.bbox.y0);
    expect(zone.top + zone.height).toBeGreaterThanOrEqual(missed.bbox.y1);
    expect(zone.left).toBeLessThanOrEqual(missed.bbox.x0);
    expect(zone.left + zone.width).toBeLessThanOrEqual(faces[3].x);
  });

  it('searches nothing again when every portrait has its caption, or when a photo has no paper under the face', async () => {
    expect(await uncaptionedZones(page, faces, captionLines)).toEqual([]);
    const photograph = await readFile(lfw('Colin_Powell_0005.jpg'));
    expect(await uncaptionedZones(photograph, [{ x: 80, y: 70, width: 90, height: 110 }], [])).toEqual([]);
  });

  it('reads every name once, under its own portrait, in one of its readings (Latin or Cyrillic letters), when told where the faces are', async () => {
    const read = await reader.read(page, { faces });
    for (const [index, caption] of captions.entries()) {
      const portrait = rects[index];
      const bottom = portrait.y + portrait.height;
      const under = read.lines.filter((line) => {
        const centre = line.box.x + line.box.width / 2;
        const middle = line.box.y + line.box.height / 2;
        return centre > portrait.x && centre < portrait.x + portrait.width && middle > bottom && middle < bottom + portrait.height / 4;
      });
      expect(under, caption).toHaveLength(1);
      const box = under[0].box;
      const words = read.words.filter(
        (word) =>
          word.box.y >= box.y - 1 &&
          word.box.y + word.box.height <= box.y + box.height + 1 &&
          word.box.x >= box.x - 1 &&
          word.box.x + word.box.width <= box.x + box.width + 1,
      );
      const passes = Math.max(...words.map((word) => word.alternatives?.length ?? 0));
      const readings = [
        words.map((word) => word.text).join(' '),
        ...Array.from({ length: passes }, (_, pass) => words.map((word) => word.alternatives?.[pass] ?? word.text).join(' ')),
      ];
      expect(readings, caption).toContain(caption);
    }
  });
});
