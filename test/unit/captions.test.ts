import { describe, expect, it } from 'vitest';
import { claimsWithCaptions, knownReadings, ocrVariants, readCaptions, type TextItem } from '../../src/domain/captions.js';
import type { RegistryPerson } from '../../src/domain/types.js';
import { surestLines } from '../../src/images/ocr.js';

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

const registry: RegistryPerson[] = [
  { id: 'xanana-gusmao', name: 'Xanana Gusmao', aliases: [], category: 'crimean-political-prisoner' },
  { id: 'ilan-ramon', name: 'Ilan Ramon', aliases: ['Ілан Рамон'], category: 'crimean-political-prisoner' },
  { id: 'saburo-kawabuchi', name: 'Saburo Kawabuchi', aliases: [] },
];
const read = (text: string, alternatives: string[], face: number | null = 0): TextItem => ({
  text,
  box: { x: face === null ? 400 : 20, y: face === null ? 400 : 200, width: text.length * 8, height: 14 },
  source: 'ocr',
  confidence: 0.9,
  alternatives,
});

describe('names read by OCR, checked against the registry', () => {
  it('takes the Latin reading of a Latin name that the Cyrillic reader read with look-alike letters', () => {
    const reading = knownReadings(
      readCaptions([faces[0]], [read('Хапапа', ['Хапапа', 'Xanana', 'Хапапа']), read('Gusmao', ['Gusmao', 'Gusmao', 'Gusmao'])]),
      registry,
    );
    expect(reading.names.map((name) => [name.text, name.alternatives])).toEqual([['Xanana Gusmao', ['Хапапа Gusmao']]]);
    expect(reading.claims).toEqual([{ text: 'Xanana Gusmao', box: faces[0] }]);
  });

  it('drops a stray mark read beside a name, joins a word read in two, and reads a capital I read as l', () => {
    expect(ocrVariants('Cala Saburo Kawabuchi')).toContain('Saburo Kawabuchi');
    expect(ocrVariants('Saburo Kawa buchi')).toContain('Saburo Kawabuchi');
    expect(ocrVariants('lan Ramon')).toContain('Ian Ramon');
    expect(ocrVariants('w John UN Abizaid ти')).toContain('John Abizaid');
    const reading = knownReadings(readCaptions([faces[0]], [read('Cala Saburo Kawabuchi', [])]), registry);
    expect(reading.names[0].text).toBe('Saburo Kawabuchi');
  });

  it('puts back the thin letter і that OCR dropped from small print, in the letters the caption was read in, when one registry name fits', () => {
    const reading = knownReadings(readCaptions([faces[0]], [read('лан Рамон', ['лан Рамон', 'naH PamoH'])]), registry);
    expect(reading.names[0].text).toBe('Ілан Рамон');
    expect(reading.names[0].alternatives).toContain('лан Рамон');
    // "Iliana Moor" and "Liana Moor" both fit "Lana Moor" without their i's: nothing is put back.
    const twins: RegistryPerson[] = [
      { id: 'a', name: 'Iliana Moor', aliases: [] },
      { id: 'b', name: 'Liana Moor', aliases: [] },
    ];
    expect(knownReadings(readCaptions([faces[0]], [read('Lana Moor', [])]), twins).names[0].text).toBe('Lana Moor');
    // Too short to tell: a two-letter name without its i's fits too much.
    expect(knownReadings(readCaptions([faces[0]], [read('lan Ra', [])]), [{ id: 'c', name: 'Ilan Ria', aliases: [] }]).names[0].text).toBe(
      'lan Ra',
    );
  });

  it('never guesses: a reading that names nobody stays as read, and one that fits two people stays too', () => {
    const unknown = knownReadings(readCaptions([faces[0]], [read('Enver Bekirov', ['Енвер Бекіров'])]), registry);
    expect(unknown.names[0].text).toBe('Enver Bekirov');
    const twins: RegistryPerson[] = [
      { id: 'a', name: 'Ana Lima', aliases: [] },
      { id: 'b', name: 'Ann Lima', aliases: [] },
    ];
    const ambiguous = knownReadings(readCaptions([faces[0]], [read('Anx Lima', ['Ana Lima', 'Ann Lima'])]), twins);
    expect(ambiguous.names[0].text).toBe('Anx Lima');
  });

  it("leaves out a line read in the photo's edge just above a caption: the name and its box are the caption's line alone", () => {
    // OCR read "чись" in the bottom of the portrait, unsurely, right above the name's line.
    const noise = { ...read('чись', ['чись', 'G', 'чись']), box: { x: 10, y: 172, width: 90, height: 24 }, confidence: 0.51 };
    const caption = read('Ilan Ramon', ['Ilan Ramon', 'Ілан Рамон']);
    const reading = knownReadings(readCaptions([faces[0]], [noise, caption]), registry);
    expect(reading.names.map((name) => [name.text, name.lines, name.box])).toEqual([['Ilan Ramon', 1, caption.box]]);
    expect(reading.claims).toEqual([{ text: 'Ilan Ramon', box: faces[0] }]);
  });

  it("keeps both lines of a two-line name even when one of them alone is the person's alias", () => {
    const people: RegistryPerson[] = [{ id: 'ilan-ramon', name: 'Ilan Ramon', aliases: ['Ramon'] }];
    const reading = knownReadings(
      readCaptions([faces[0]], [read('Ilan', ['Ilan']), { ...read('Ramon', ['Ramon']), box: { x: 20, y: 218, width: 40, height: 14 } }]),
      people,
    );
    expect(reading.names.map((name) => [name.text, name.lines])).toEqual([['Ilan Ramon', 2]]);
  });

  it('keeps text under no face that names nobody out of the claims (it is text on the page), but a registry name under no face stays a claim', () => {
    const reading = knownReadings(readCaptions([faces[0]], [read('Printed by the committee', [], null)]), registry);
    expect(reading.names.map((name) => name.text)).toEqual(['Printed by the committee']);
    expect(reading.claims).toEqual([]);
    const missing = knownReadings(readCaptions([faces[0]], [read('Ilan Ramon', [], null)]), registry);
    expect(missing.claims).toEqual([{ text: 'Ilan Ramon' }]);
  });

  it('takes each line from the reading that is surer of it', () => {
    const line = (text: string, confidence: number, x = 0) => ({
      line: { text, box: { x, y: 0, width: 100, height: 14 }, source: 'ocr' as const, confidence },
      words: [{ text, box: { x, y: 0, width: 100, height: 14 }, source: 'ocr' as const, confidence }],
    });
    const chosen = surestLines([
      [line('Xanana', 0.95), line('Tony', 0.5, 300)],
      [line('Хапапа', 0.6), line('Тоні', 0.9, 300)],
    ]);
    expect(chosen.map((reading) => reading.line.text)).toEqual(['Xanana', 'Тоні']);
  });
});
