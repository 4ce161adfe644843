/**
 * Scores caption reading on one composed page against its truth. Pure, no I/O.
 *
 * Each portrait's face is the largest detected face centred in its rectangle; each portrait's
 * caption is the name read whose box centre lies in the caption's truth box. A name is read
 * correctly when its text is the caption's (spaces and case aside) and, after registry resolution,
 * when it resolves to the person the caption names. It is paired right when the face it was given
 * is the portrait's face.
 */
import type { CaptionReading } from '../../domain/captions.js';
import type { ImageEvaluation } from '../../domain/evaluate.js';
import { resolveClaim } from '../../domain/names.js';
import type { FaceResult } from '../../domain/results.js';
import type { Box, RegistryPerson, Verdict } from '../../domain/types.js';
import { type CaptionPage, scaleBox } from './compose.js';

const centre = (box: Box) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });
const inside = (box: Box, rect: Box) => {
  const { x, y } = centre(box);
  return x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height;
};
const plain = (text: string) => text.normalize('NFC').replace(/[’']/g, "'").replace(/\s+/g, ' ').trim().toLowerCase();

export interface PageScore {
  names: number;
  /** Names whose text was read exactly (spaces and case aside). */
  readExactly: number;
  /** Names that resolve to the person the caption names. */
  resolvedRight: number;
  /** Names that resolve to someone else: a wrong name silently given. */
  resolvedWrong: number;
  /** Captions under which no name was read. */
  missed: number;
  /** Captions paired with their portrait's face, of those whose face was found (pairing cannot reach a face not found). */
  pairedRight: number;
  /** Portraits whose face was found. */
  facesFound: number;
  /** Found faces of portraits that no name was paired with. */
  facesWithoutName: number;
  /** Names read that are no portrait's caption (text read in a photo, a caption split in two). */
  strayNames: number;
  titleRead: boolean;
  /** What the check answered per portrait, with the names read and with the names typed. */
  verdicts: { read: PortraitVerdicts; typed: PortraitVerdicts };
  /** One line per caption that was not read and resolved right, for the log. */
  misses: string[];
}

export interface PortraitVerdicts {
  genuine: number;
  genuineConfirmed: number;
  genuineMismatch: number;
  swaps: number;
  swapsFlagged: number;
}

const flagging: Verdict[] = ['mismatch', 'uncertain', 'low_quality'];

function portraitVerdicts(page: CaptionPage, dpi: number, result: ImageEvaluation): PortraitVerdicts {
  const counts: PortraitVerdicts = { genuine: 0, genuineConfirmed: 0, genuineMismatch: 0, swaps: 0, swapsFlagged: 0 };
  for (const entry of page.entries) {
    const rect = scaleBox(entry.rect, dpi);
    const face = result.faces.filter((candidate) => inside(candidate.box, rect)).sort(byArea)[0] as FaceResult | undefined;
    if (entry.genuine) {
      counts.genuine++;
      if (face?.verdict === 'confirmed' && face.claim?.personId === entry.personId) counts.genuineConfirmed++;
      if (face?.verdict === 'mismatch') counts.genuineMismatch++;
    } else {
      counts.swaps++;
      // A swap is flagged when its face is not let through; a swapped face not found at all is not caught either.
      if (face && flagging.includes(face.verdict)) counts.swapsFlagged++;
    }
  }
  return counts;
}

const byArea = (a: { box: Box }, b: { box: Box }) => b.box.width * b.box.height - a.box.width * a.box.height;

export function scorePage(
  page: CaptionPage,
  dpi: number,
  faces: Box[],
  reading: CaptionReading,
  people: RegistryPerson[],
  results: { read: ImageEvaluation; typed: ImageEvaluation },
): PageScore {
  const score: PageScore = {
    names: page.entries.length,
    readExactly: 0,
    resolvedRight: 0,
    resolvedWrong: 0,
    missed: 0,
    pairedRight: 0,
    facesFound: 0,
    facesWithoutName: 0,
    strayNames: 0,
    titleRead: reading.title !== null && plain(reading.title.text) === plain(page.title),
    verdicts: { read: portraitVerdicts(page, dpi, results.read), typed: portraitVerdicts(page, dpi, results.typed) },
    misses: [],
  };
  const used = new Set<number>();
  const pairedFaces = new Set(reading.names.flatMap((name) => (name.face === null ? [] : [name.face])));
  for (const entry of page.entries) {
    const rect = scaleBox(entry.rect, dpi);
    const zone = scaleBox(entry.captionBox, dpi);
    const face = faces
      .map((box, index) => ({ box, index }))
      .filter((candidate) => inside(candidate.box, rect))
      .sort(byArea)[0];
    if (face) score.facesFound++;
    if (face && !pairedFaces.has(face.index)) score.facesWithoutName++;
    const n = reading.names.findIndex((name, index) => !used.has(index) && inside(name.box, zone));
    if (n < 0) {
      score.missed++;
      score.misses.push(`${page.id} "${entry.caption}": not read`);
      continue;
    }
    used.add(n);
    const name = reading.names[n];
    if (plain(name.text) === plain(entry.caption)) score.readExactly++;
    const person = resolveClaim(name.text, people).person;
    if (person?.id === entry.personId) score.resolvedRight++;
    else {
      if (person) score.resolvedWrong++;
      score.misses.push(`${page.id} "${entry.caption}": read "${name.text}" → ${person ? person.id : 'no one'}`);
    }
    if (!face) score.misses.push(`${page.id} "${entry.caption}": its face was not found`);
    else if (name.face === face.index) score.pairedRight++;
    else score.misses.push(`${page.id} "${entry.caption}": paired with ${name.face === null ? 'no face' : 'another face'}`);
  }
  score.strayNames = reading.names.length - used.size;
  return score;
}
