import { describe, expect, it } from 'vitest';
import { claimsWithCaptions, readCaptions, type TextItem } from '../../src/domain/captions.js';

const word = (text: string, x: number, y: number, confidence = 0.9): TextItem => ({
  text,
  box: { x, y, width: text.length * 8, height: 14 },
  source: 'ocr',
  confidence,
});
// Two portraits side by side; faces 80 px wide, captions under them.
const faces = [
  { x: 20, y: 60, width: 80, height: 100 },
  { x: 220, y: 60, width: 80, height: 100 },
];

describe('names read from captions, paired by layout', () => {
  it('joins a two-line name, pairs each caption with the face above it, and takes the line above every face for the title', () => {
    const reading = readCaptions(faces, [
      word('Crimean', 40, 10),
      word('political', 110, 10),
      word('prisoners', 190, 10),
      word('Олександр', 224, 200),
      word('Коваленко', 224, 218),
      word('Enver', 20, 200),
      word('Bekirov', 70, 200, 0.3),
      word('%', 60, 120, 0.2),
    ]);
    expect(reading.title?.text).toBe('Crimean political prisoners');
    expect(reading.names.map((name) => [name.text, name.face, name.lines])).toEqual([
      ['Enver Bekirov', 0, 1],
      ['Олександр Коваленко', 1, 2],
    ]);
    expect(reading.claims).toEqual([
      { text: 'Enver Bekirov', box: faces[0] },
      { text: 'Олександр Коваленко', box: faces[1] },
    ]);
  });

  it('pairs a caption printed beside a portrait with it', () => {
    const reading = readCaptions([faces[0]], [word('Enver', 110, 100), word('Bekirov', 160, 100)]);
    expect(reading.names.map((name) => [name.text, name.face])).toEqual([['Enver Bekirov', 0]]);
  });

  it("lets the user's names and category win, and a title set the category only when it names a registry category", () => {
    const reading = readCaptions(faces, [word('Crimean political prisoners', 40, 10), word('Enver Bekirov', 20, 200)]);
    const given = claimsWithCaptions({ claims: [{ text: 'Nariman Dzhelyal' }] }, reading, ['crimean-political-prisoner']);
    expect(given.claims).toEqual([{ text: 'Nariman Dzhelyal' }]);
    expect(given.namesRead).toBe(false);
    const read = claimsWithCaptions({ claims: [] }, reading, ['crimean-political-prisoner']);
    expect(read.claims).toEqual([{ text: 'Enver Bekirov', box: faces[0] }]);
    expect(read.category).toBe('Crimean political prisoners');
    expect(claimsWithCaptions({ claims: [] }, reading, ['prisoner-of-war']).category).toBeUndefined();
    expect(claimsWithCaptions({ claims: [], category: 'prisoner-of-war' }, reading, ['crimean-political-prisoner']).category).toBe(
      'prisoner-of-war',
    );
  });
});
