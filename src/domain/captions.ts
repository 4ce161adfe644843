/**
 * Names read from the captions of a handout, paired with the faces they caption by layout. Pure:
 * the text comes from a PDF text layer or from OCR, the faces from the engine. Text items (words
 * or runs) are joined into lines, lines stacked under one another into caption blocks (a name on
 * one or two lines), and each block goes to the nearest face it sits directly under (or beside),
 * each face once. A line above every face is the list's title: not a name, but the category the
 * list claims. The result is claims with the face's box, so the claims alignment places them.
 */
import { readingOrder } from './claims.js';
import { evaluateImage, type ImageEvaluation } from './evaluate.js';
import type { Gallery } from './gallery.js';
import { looseNameKey, normaliseCategory, resolveClaim } from './names.js';
import type { CaptionsReport, CheckRequest, Claim } from './results.js';
import type { Box, ImageAnalysis, RegistryPerson } from './types.js';

export type TextSource = 'ocr' | 'text-layer';

/** A piece of text with its box in the image's pixels (top-left origin). */
export interface TextItem {
  text: string;
  box: Box;
  source: TextSource;
  /** How sure the reader is, in [0, 1]; 1 for a text layer. */
  confidence: number;
  /**
   * OCR only: the item as each of the reader's passes read it (e.g. with Latin, then Cyrillic
   * letters), in the same order for every item of a page.
   */
  alternatives?: string[];
}

/** A name read from a caption. */
export interface ReadName {
  /** The caption's text, its lines joined by a space. */
  text: string;
  source: TextSource;
  /** Where the caption is in the image. */
  box: Box;
  /** The least confident of its lines. */
  confidence: number;
  /** How many lines the caption takes. */
  lines: number;
  /** Each line's box and readings (its text, then each pass's), cleaned: to place a name read from some of them. */
  parts?: { box: Box; readings: string[]; confidence: number }[];
  /** The index of the face it captions, or null when no face lies above or beside it. */
  face: number | null;
  /** Other readings of the caption (OCR: each pass's letters), surest first; empty for a text layer. */
  alternatives: string[];
}

export interface CaptionReading {
  /** The line(s) above every face, joined: e.g. "Crimean political prisoners". */
  title: TextItem | null;
  /** Captions in reading order of their faces (captions without a face last). */
  names: ReadName[];
  /** One claim per name: with the face's box when paired, else without a box (a name whose face was not found). */
  claims: Claim[];
}

/** Items join one line when they overlap vertically by this fraction of the smaller height... */
const lineOverlap = 0.5;
/** ...and the horizontal gap between them is at most this many line heights (columns are further apart). */
const wordGap = 1.6;
/** A line joins the caption block above it when the gap is at most this many line heights. */
const blockGap = 0.9;
/** A name has at most this many lines; more lines under a portrait are not all the name. */
const maxNameLines = 2;
/** An OCR line none of whose words is surer than this is noise (a photo's texture read as letters). */
const minOcrConfidence = 0.45;
/** A line of a caption read less surely than this, by its least sure word, may be noise read beside the name. */
const unsureLine = 0.6;
/** A caption is under a face when it starts at most this many face heights below the face's bottom. */
const maxDropBelow = 2.5;
/** A caption beside a face starts at most this many face widths right of it. */
const maxBesideGap = 1.5;

const right = (box: Box) => box.x + box.width;
const bottom = (box: Box) => box.y + box.height;
const centreX = (box: Box) => box.x + box.width / 2;
const centreY = (box: Box) => box.y + box.height / 2;

function union(boxes: Box[]): Box {
  const x = Math.min(...boxes.map((box) => box.x));
  const y = Math.min(...boxes.map((box) => box.y));
  return { x, y, width: Math.max(...boxes.map(right)) - x, height: Math.max(...boxes.map(bottom)) - y };
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < right(b) && b.x < right(a) && a.y < bottom(b) && b.y < bottom(a);
}

/** Keeps letters, digits, spaces, hyphens and apostrophes; OCR puts stray marks around names. */
export function cleanCaption(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[|_=~*#<>{}[\]()"“”„«»,;:!?]/gu, ' ')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.\-'’]+|[\s.\-'’]+$/gu, '')
    .trim();
}

const letterCount = (text: string) => (text.match(/\p{L}/gu) ?? []).length;

/** Joins items into lines: same height, close together; a gap as wide as a column splits them. */
export function joinLines(items: TextItem[], keep: (parts: TextItem[]) => boolean = () => true): TextItem[] {
  const sorted = [...items].filter((item) => item.text.trim() !== '').sort((a, b) => a.box.x - b.box.x);
  const lines: TextItem[][] = [];
  for (const item of sorted) {
    const line = lines.find((candidate) => {
      const last = candidate.at(-1)!;
      const shared = Math.min(bottom(last.box), bottom(item.box)) - Math.max(last.box.y, item.box.y);
      const height = Math.min(last.box.height, item.box.height);
      const gap = item.box.x - right(last.box);
      return shared >= lineOverlap * height && gap <= wordGap * Math.max(last.box.height, item.box.height);
    });
    if (line) line.push(item);
    else lines.push([item]);
  }
  return lines
    .filter(keep)
    .map((parts) => {
      const passes = Math.max(0, ...parts.map((part) => part.alternatives?.length ?? 0));
      return {
        text: parts.map((part) => part.text.trim()).join(' '),
        box: union(parts.map((part) => part.box)),
        source: parts[0].source,
        confidence: Math.min(...parts.map((part) => part.confidence)),
        ...(passes > 0
          ? {
              alternatives: Array.from({ length: passes }, (_, pass) =>
                parts.map((part) => (part.alternatives?.[pass] ?? part.text).trim()).join(' '),
              ),
            }
          : {}),
      };
    })
    .sort((a, b) => a.box.y - b.box.y || a.box.x - b.box.x);
}

/** A block's other readings: its lines as each pass read them, cleaned, without the surest text itself. */
function alternativeTexts(lines: TextItem[]): string[] {
  const passes = Math.max(0, ...lines.map((line) => line.alternatives?.length ?? 0));
  const surest = lines.map((line) => line.text).join(' ');
  const texts = Array.from({ length: passes }, (_, pass) =>
    cleanCaption(lines.map((line) => line.alternatives?.[pass] ?? line.text).join(' ')),
  );
  return [...new Set(texts)].filter((text) => text !== surest && letterCount(text) >= 2);
}

/** Stacks lines into caption blocks: a line right under another, centred under it, continues it. */
function stackBlocks(lines: TextItem[]): TextItem[][] {
  const blocks: TextItem[][] = [];
  for (const line of lines) {
    const block = blocks.find((candidate) => {
      const last = candidate.at(-1)!;
      const gap = line.box.y - bottom(last.box);
      const height = Math.max(line.box.height, last.box.height);
      const centred = Math.abs(centreX(line.box) - centreX(last.box)) <= Math.max(line.box.width, last.box.width) / 2;
      return candidate.length < maxNameLines && gap >= -0.3 * height && gap <= blockGap * height && centred;
    });
    if (block) block.push(line);
    else blocks.push([line]);
  }
  return blocks;
}

/** How far a caption block is from captioning a face; null when it is not under or beside it. */
function pairCost(block: Box, face: Box): number | null {
  const drop = block.y - bottom(face);
  const offset = Math.abs(centreX(block) - centreX(face));
  if (drop >= -0.25 * face.height && drop <= maxDropBelow * face.height && offset <= Math.max(face.width, block.width / 2)) {
    return Math.max(0, drop) / face.height + offset / face.width;
  }
  const gap = block.x - right(face);
  const level = Math.abs(centreY(block) - centreY(face));
  if (gap >= -0.25 * face.width && gap <= maxBesideGap * face.width && level <= face.height) {
    return 0.5 + Math.max(0, gap) / face.width + level / face.height;
  }
  return null;
}

/**
 * Reads the captions of an image: `faces` are the detected faces' boxes, `items` the text with
 * boxes (words or runs). Text inside a face, OCR lines with no word as sure as minOcrConfidence,
 * and lines with fewer than two letters are ignored.
 */
export function readCaptions(faces: Box[], items: TextItem[]): CaptionReading {
  const cleaned = items
    .map((item) => ({ ...item, text: cleanCaption(item.text) }))
    .filter((item) => letterCount(item.text) >= 1)
    .filter((item) => !faces.some((face) => overlaps(face, item.box)));
  // A line is noise when none of its words is read with confidence; one unsure word beside sure ones is kept.
  const sure = (line: TextItem[]) => line[0].source !== 'ocr' || Math.max(...line.map((item) => item.confidence)) >= minOcrConfidence;
  const lines = joinLines(cleaned, sure).filter((line) => letterCount(line.text) >= 2);
  const top = faces.length > 0 ? Math.min(...faces.map((face) => face.y)) : Number.POSITIVE_INFINITY;
  const titleLines = faces.length > 0 ? lines.filter((line) => bottom(line.box) <= top) : [];
  const title: TextItem | null =
    titleLines.length > 0
      ? {
          text: titleLines.map((line) => line.text).join(' '),
          box: union(titleLines.map((line) => line.box)),
          source: titleLines[0].source,
          confidence: Math.min(...titleLines.map((line) => line.confidence)),
        }
      : null;
  const blocks = stackBlocks(lines.filter((line) => !titleLines.includes(line))).map((block) => ({
    lines: block,
    box: union(block.map((line) => line.box)),
  }));

  // Nearest pairs first, each face and each caption once.
  const pairs: { block: number; face: number; cost: number }[] = [];
  blocks.forEach((block, b) => {
    faces.forEach((face, f) => {
      const cost = pairCost(block.box, face);
      if (cost !== null) pairs.push({ block: b, face: f, cost });
    });
  });
  pairs.sort((a, b) => a.cost - b.cost);
  const faceOfBlock: (number | null)[] = blocks.map(() => null);
  const taken = new Set<number>();
  for (const pair of pairs) {
    if (faceOfBlock[pair.block] !== null || taken.has(pair.face)) continue;
    faceOfBlock[pair.block] = pair.face;
    taken.add(pair.face);
  }

  const names: ReadName[] = blocks.map((block, b) => ({
    text: block.lines.map((line) => line.text).join(' '),
    source: block.lines[0].source,
    box: block.box,
    confidence: Math.min(...block.lines.map((line) => line.confidence)),
    lines: block.lines.length,
    parts: block.lines.map((line) => ({
      box: line.box,
      confidence: line.confidence,
      readings: [line.text, ...(line.alternatives ?? []).map(cleanCaption)],
    })),
    face: faceOfBlock[b],
    alternatives: alternativeTexts(block.lines),
  }));
  // Reading order: rows of faces top to bottom, left to right; unpaired captions by their own place.
  const place = (name: ReadName) => (name.face !== null ? faces[name.face] : name.box);
  names.sort((a, b) => {
    const boxA = place(a);
    const boxB = place(b);
    const sameRow = Math.min(bottom(boxA), bottom(boxB)) - Math.max(boxA.y, boxB.y) > 0.5 * Math.min(boxA.height, boxB.height);
    return sameRow ? boxA.x - boxB.x : boxA.y - boxB.y;
  });
  const claims: Claim[] = names.map((name) => (name.face !== null ? { text: name.text, box: faces[name.face] } : { text: name.text }));
  return { title, names, claims };
}

/**
 * What a check claims: the user's names win over the names read, and the user's category over a
 * title read. The names read are used only when the user gave none. A title sets the category only
 * when it names one of `categories` (the registry's), so that a slogan above a list flags nobody.
 */
export function claimsWithCaptions(
  given: CheckRequest,
  reading: CaptionReading | null,
  categories: readonly string[] = [],
): CheckRequest & { namesRead: boolean; categoryRead: boolean } {
  const useRead = reading !== null && given.claims.length === 0;
  const claims = useRead ? reading.claims : given.claims;
  const known = new Set(categories.map(normaliseCategory));
  const titleCategory = reading?.title && known.has(normaliseCategory(reading.title.text)) ? reading.title.text : undefined;
  const category = given.category ?? titleCategory;
  return {
    claims,
    ...(category !== undefined ? { category } : {}),
    namesRead: useRead && reading.claims.length > 0,
    categoryRead: given.category === undefined && titleCategory !== undefined,
  };
}

/**
 * What the report says of the captions read: each name with where it was read, how sure, its
 * face, and the registry person it resolves to (aliases, Cyrillic, any spelling) or suggestions.
 */
export function describeCaptions(
  reading: CaptionReading,
  people: RegistryPerson[],
  used: { names: boolean; category: boolean },
): CaptionsReport {
  return {
    used: used.names,
    title: reading.title
      ? {
          text: reading.title.text,
          source: reading.title.source,
          box: reading.title.box,
          confidence: reading.title.confidence,
          setsCategory: used.category,
        }
      : null,
    names: reading.names.map((name) => {
      const resolution = resolveClaim(name.text, people);
      const base = { text: name.text, source: name.source, box: name.box, confidence: name.confidence, face: name.face };
      return resolution.person
        ? { ...base, person: { personId: resolution.person.id, name: resolution.person.name } }
        : { ...base, person: null, suggestions: resolution.suggestions };
    }),
  };
}

/**
 * What OCR commonly gets wrong in a printed name, undone one way at a time: stray marks read as
 * words around the name (the edge of a portrait, JPEG noise), one word split in two, a capital I
 * read as l.
 */
export function ocrVariants(text: string): string[] {
  const words = text.split(' ').filter((word) => word !== '');
  const variants: string[] = [];
  // Stray marks read around the name: every run of two words or more, and each with one inner word left out.
  if (words.length <= 8) {
    for (let start = 0; start < words.length; start++) {
      for (let end = start + 2; end <= words.length; end++) {
        const run = words.slice(start, end);
        if (run.length < words.length) variants.push(run.join(' '));
        if (run.length >= 3) for (let i = 1; i < run.length - 1; i++) variants.push([...run.slice(0, i), ...run.slice(i + 1)].join(' '));
      }
    }
  }
  for (let i = 0; i + 1 < words.length; i++)
    variants.push([...words.slice(0, i), words[i] + words[i + 1], ...words.slice(i + 2)].join(' '));
  const capitalI = words.map((word) => word.replace(/^l(?=\p{Ll})/u, 'I')).join(' ');
  if (capitalI !== text) variants.push(capitalI);
  return [...new Set(variants)];
}

/**
 * A name read over several lines, of which only some are the name (the others are something else
 * read above or below it, such as a photo's edge): the fewest lines that, in some pass's reading,
 * name `person` alone, with their text and box; null when every line is needed. Only lines that
 * look like noise are left out (read unsurely, or of fewer than three letters): a name's own line
 * stays even when the rest would name the person by an alias.
 */
function nameLines(name: ReadName, person: RegistryPerson, people: RegistryPerson[]): Pick<ReadName, 'text' | 'box' | 'lines'> | null {
  const parts = name.parts ?? [];
  for (let count = 1; count < parts.length; count++) {
    for (let from = 0; from + count <= parts.length; from++) {
      const some = parts.slice(from, from + count);
      const left = [...parts.slice(0, from), ...parts.slice(from + count)];
      if (!left.every((part) => part.confidence < unsureLine || letterCount(part.readings[0]) < 3)) continue;
      const passes = Math.max(...some.map((part) => part.readings.length));
      for (let pass = 0; pass < passes; pass++) {
        const text = some.map((part) => part.readings[pass] ?? part.readings[0]).join(' ');
        if (resolveClaim(text, people).person?.id === person.id) return { text, box: union(some.map((part) => part.box)), lines: count };
      }
    }
  }
  return null;
}

/** A name's loose key without the letter i (і, ї, y and j spell it there): small print's thinnest letter, which OCR drops. */
const withoutThinLetters = (text: string) => looseNameKey(text).replace(/i/g, '');
/** A name that, spelt without i, still has this many letters: shorter ones fit too many names. */
const minThinLetterKey = 6;

/**
 * Registry spellings that a reading gives once OCR's dropped letters i are put back: the reading
 * and the spelling are the same without their i's. The spelling is taken as read (the reading
 * stays among the alternatives), in the letters of the first reading (the surest) where the
 * registry has it so.
 */
function thinLetterFits(readings: string[], people: RegistryPerson[]): { text: string; person: RegistryPerson }[] {
  const wanted = new Set(readings.map(withoutThinLetters).filter((key) => key.replace(/ /g, '').length >= minThinLetterKey));
  if (wanted.size === 0) return [];
  // The spelling in the letters the caption was read in first (a Cyrillic caption gives the Cyrillic alias).
  const cyrillic = (text: string) => /\p{Script=Cyrillic}/u.test(text);
  const script = cyrillic(readings[0]);
  return people
    .flatMap((person) =>
      [person.name, ...person.aliases].filter((spelling) => wanted.has(withoutThinLetters(spelling))).map((text) => ({ text, person })),
    )
    .sort((a, b) => Number(cyrillic(b.text) === script) - Number(cyrillic(a.text) === script));
}

/** A name read by OCR over more lines than the name: only the lines that name its person. */
function trimmed(name: ReadName, people: RegistryPerson[]): ReadName {
  const person = name.source === 'ocr' ? resolveClaim(name.text, people).person : null;
  const lines = person ? nameLines(name, person, people) : null;
  if (!lines) return name;
  const alternatives =
    lines.text === name.text ? name.alternatives : [name.text, ...name.alternatives.filter((text) => text !== lines.text)];
  return { ...name, ...lines, alternatives };
}

/**
 * Where OCR read a caption in several ways (Latin letters and Cyrillic ones look alike, a stray
 * mark beside a name), the reading that names a registry person, when the surest one names nobody.
 * The surest stays when no reading or several different people fit, so a name is read, never
 * guessed: an undone OCR mistake must give a registry name exactly. A caption under no face that
 * names nobody is text on the page, not a claim (it stays in the report).
 */
export function knownReadings(reading: CaptionReading, people: RegistryPerson[]): CaptionReading {
  const names = reading.names.map((name) => trimmed(surelyNamed(name), people));
  function surelyNamed(name: ReadName): ReadName {
    if (name.source !== 'ocr' || resolveClaim(name.text, people).person) return name;
    const readings = [...name.alternatives];
    for (const text of [name.text, ...name.alternatives]) readings.push(...ocrVariants(text));
    const fits = [...new Set(readings)].flatMap((text) => {
      const person = resolveClaim(text, people).person;
      return person ? [{ text, person }] : [];
    });
    if (fits.length === 0) fits.push(...thinLetterFits([name.text, ...readings], people));
    if (fits.length === 0 || new Set(fits.map((fit) => fit.person.id)).size > 1) return name;
    return { ...name, text: fits[0].text, alternatives: [name.text, ...name.alternatives.filter((text) => text !== fits[0].text)] };
  }
  const claims = names.flatMap((name, index) =>
    name.face === null && !resolveClaim(name.text, people).person ? [] : [{ ...reading.claims[index], text: name.text }],
  );
  return { ...reading, names, claims };
}

/**
 * The check of an image whose names are read from its captions: `words` are its text (a PDF
 * page's text layer, or OCR), paired with the faces by layout; the user's names and category, when
 * given, win. The report's captions point each name at its face as the report numbers them (reading order).
 */
export function evaluateWithCaptions(
  analysis: ImageAnalysis,
  gallery: Gallery,
  request: CheckRequest,
  words: TextItem[],
): ImageEvaluation & { captions: CaptionsReport; reading: CaptionReading } {
  const reading = knownReadings(
    readCaptions(
      analysis.faces.map((face) => face.box),
      words,
    ),
    gallery.people,
  );
  const categories = gallery.people.flatMap((person) => (person.category ? [person.category] : []));
  const { namesRead, categoryRead, ...claimed } = claimsWithCaptions(request, reading, categories);
  const result = evaluateImage(analysis, gallery, claimed);
  const captions = describeCaptions(reading, gallery.people, { names: namesRead, category: categoryRead });
  const order = readingOrder(analysis.faces.map((face) => face.box));
  for (const name of captions.names) if (name.face !== null) name.face = order.indexOf(name.face);
  return { ...result, captions, reading };
}

/** The check of an image whose captions could not be read: its faces checked without names, and why. */
export function evaluateCaptionsUnread(
  analysis: ImageAnalysis,
  gallery: Gallery,
  request: CheckRequest,
  reason: string,
): ImageEvaluation & { captions: CaptionsReport } {
  return { ...evaluateImage(analysis, gallery, request), captions: { used: false, title: null, names: [], error: reason } };
}
