/**
 * Which claim belongs to which face. Claims with a box go to the face they overlap best; the
 * others are names in reading order (rows top to bottom, each row left to right), aligned with the
 * faces in the same order. The alignment may skip faces (bystanders, faces in the background, false
 * detections) and may leave a name without a face (the claimed person is not in the picture); it
 * never reorders the names, so a swap stays a swap. Among alignments the layout finds equally
 * plausible, the identity scores choose, and where they tie the larger faces take the names (a
 * caption names the most prominent person); what none of these tells apart is a count mismatch.
 */
import type { Claim } from './results.js';
import type { Box, FaceQuality } from './types.js';

/** A face whose size is below this fraction of the largest face's is in the background. */
export const backgroundSizeRatio = 0.5;
/**
 * A face within this many face sizes (of the larger face) of a larger or much sharper face is
 * crowding it: a bystander behind the subject. Portraits in a printed grid are further apart (their
 * centres about 2.2 face sizes apart for portraits twice as wide as the face).
 */
export const crowdingDistance = 1.3;
/** A crowding face is a bystander when smaller than this fraction of the face it crowds... */
export const crowdingSizeRatio = 0.8;
/** ...or less sharp than this fraction of it (a face out of focus behind the subject). */
export const crowdingSharpnessRatio = 0.4;
/**
 * Inter-ocular distance over box width below which the "face" is a false detection: real faces
 * measure 0.41-0.51 (frontal) and about 0.3 turned by 45 degrees; false detections a few hundredths.
 */
export const minEyeSpanRatio = 0.2;
/** A face joins a row when it overlaps the row's vertical span by this fraction of the smaller height. */
export const rowOverlap = 0.5;
/** A claim's box must hold at least this fraction of a face to be that face's claim. */
export const minBoxCover = 0.5;

/** What a detected face is in the layout of the image. */
export type FaceRole = 'portrait' | 'bystander' | 'not_a_face';

/** What the alignment knows of a face: where it is and, from the engine, its eye span, score and sharpness. */
export interface FaceLayout {
  box: Box;
  quality?: Pick<FaceQuality, 'faceSize' | 'detectorScore' | 'sharpness'>;
}

/**
 * How well the identity scores support giving claim `claim` to face `face`: 1 the face is that
 * person, -1 it is clearly not, 0 undecided or unknown.
 */
export type IdentitySupport = (claim: number, face: number) => -1 | 0 | 1;

/** The score of face `face` against the person claim `claim` names; undefined when there is none. */
export type IdentityScore = (claim: number, face: number) => number | undefined;

export interface ClaimAssignment {
  /** For each face (by its index in the input), the index of its claim, or null. */
  claimOfFace: (number | null)[];
  /** For each face, what it is in the layout. */
  roles: FaceRole[];
  /** For each face, whether it was set aside: a bystander or false detection that took no name. */
  setAside: boolean[];
  /** Set when no alignment explains the names and faces: none of the names without a box was placed. */
  countMismatch: { names: number; faces: number; background: number } | null;
  /** Claims whose box holds no face. */
  emptyBoxes: number[];
  /** Names (claims without a box) the alignment left without a face: that person is not in the picture. */
  namesWithoutFace: number[];
}

/** A face's size in the layout: the side of the square its box would make. */
export const faceSize = (box: Box) => Math.sqrt(box.width * box.height);

/** How far a face's box centre lies from the image centre, in pixels. */
export function boxCentreDistance(box: Box, width: number, height: number): number {
  return Math.hypot(box.x + box.width / 2 - width / 2, box.y + box.height / 2 - height / 2);
}
const size = faceSize;
/** The upper median of a non-empty list of numbers (the list is left as it is). */
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const centreX = (box: Box) => box.x + box.width / 2;
const centreY = (box: Box) => box.y + box.height / 2;
/** How far apart two boxes' centres are, in pixels. */
export const centreDistance = (a: Box, b: Box) => Math.hypot(centreX(a) - centreX(b), centreY(a) - centreY(b));

/** Indices of the boxes in reading order: clustered into rows by vertical overlap, robust to uneven rows. */
export function readingOrder(boxes: Box[]): number[] {
  return readingRows(boxes).flat();
}

/** The rows of a layout, top to bottom, each as the indices of its boxes from left to right. */
function readingRows(boxes: Box[]): number[][] {
  const rows: { members: number[]; top: number; bottom: number }[] = [];
  const byHeight = boxes
    .map((_, index) => index)
    .sort((a, b) => centreY(boxes[a]) - centreY(boxes[b]) || centreX(boxes[a]) - centreX(boxes[b]));
  for (const index of byHeight) {
    const box = boxes[index];
    const row = rows.at(-1);
    if (row) {
      const overlap = Math.min(row.bottom, box.y + box.height) - Math.max(row.top, box.y);
      if (overlap >= rowOverlap * Math.min(box.height, row.bottom - row.top)) {
        row.members.push(index);
        // The row's span is the mean of its members', so one low or high face does not stretch it.
        row.top = row.members.reduce((sum, i) => sum + boxes[i].y, 0) / row.members.length;
        row.bottom = row.members.reduce((sum, i) => sum + boxes[i].y + boxes[i].height, 0) / row.members.length;
        continue;
      }
    }
    rows.push({ members: [index], top: box.y, bottom: box.y + box.height });
  }
  return rows.map((row) => row.members.sort((a, b) => centreX(boxes[a]) - centreX(boxes[b])));
}

/**
 * Empty places in a grid of portraits: for each position in reading order (before face 0, between
 * faces, after the last), how many portraits' worth of space is empty there. The spacing of a row
 * is the smallest gap between neighbouring portraits (their centres); a step of two spacings holds
 * one empty place, and a row that starts right of the leftmost column, or ends left of the
 * rightmost, has empty places there. A portrait whose face was not found leaves such a place.
 * Two faces closer than crowdingDistance typical faces are in one portrait's place (see
 * contestedFaces), so their gap is no step of the grid.
 */
export function emptyPlaces(boxes: Box[]): number[] {
  const rows = readingRows(boxes);
  const places = new Array<number>(boxes.length + 1).fill(0);
  const typical = boxes.length > 0 ? median(boxes.map(size)) : 0;
  const steps = rows
    .flatMap((row) => row.slice(1).map((index, k) => centreX(boxes[index]) - centreX(boxes[row[k]])))
    .filter((step) => step > crowdingDistance * typical);
  if (steps.length === 0) return places;
  const smallest = Math.min(...steps);
  const regular = steps.filter((step) => step <= 1.5 * smallest);
  const spacing = regular.reduce((sum, step) => sum + step, 0) / regular.length;
  if (spacing < Math.min(...boxes.map((box) => box.width))) return places;
  const left = Math.min(...boxes.map(centreX));
  const right = Math.max(...boxes.map(centreX));
  let position = 0;
  for (const row of rows) {
    places[position] += Math.max(0, Math.round((centreX(boxes[row[0]]) - left) / spacing));
    for (let k = 1; k < row.length; k++)
      places[position + k] += Math.max(0, Math.round((centreX(boxes[row[k]]) - centreX(boxes[row[k - 1]])) / spacing) - 1);
    position += row.length;
    places[position] += Math.max(0, Math.round((right - centreX(boxes[row.at(-1)!])) / spacing));
  }
  return places;
}

/**
 * At least this many faces of about one size (within crowdingSizeRatio of the median face, either
 * way) make a printed list. There, crowding is measured in the typical portrait's size: one photo
 * cropped closer than the rest (a larger, often much sharper face) does not make the portraits
 * beside it bystanders. On the handout benchmark such a portrait turned two of its neighbours,
 * whose centres were 1.7 typical face sizes from its own, into bystanders.
 */
export const gridMinFaces = 4;

/**
 * What each face is: a false detection by its landmark geometry (eyes far too close for the box),
 * a bystander by its size beside the largest face or by crowding a larger or much sharper face,
 * else a portrait.
 */
export function faceRoles(faces: FaceLayout[]): FaceRole[] {
  const real = faces.map((face) => !face.quality || face.quality.faceSize / face.box.width >= minEyeSpanRatio);
  const sizes = faces.filter((_, f) => real[f]).map((face) => size(face.box));
  const largest = Math.max(0, ...sizes);
  const typical = gridPortraitSize(sizes);
  return faces.map((face, f): FaceRole => {
    if (!real[f]) return 'not_a_face';
    if (size(face.box) < backgroundSizeRatio * largest) return 'bystander';
    const crowded = faces.some((other, g) => g !== f && real[g] && crowds(face, other, typical));
    return crowded ? 'bystander' : 'portrait';
  });
}

/** The typical (median) face size where the sizes make a printed list (see gridMinFaces), else undefined. */
function gridPortraitSize(sizes: number[]): number | undefined {
  if (sizes.length === 0) return undefined;
  const typical = median(sizes);
  const alike = sizes.filter((value) => value >= crowdingSizeRatio * typical && crowdingSizeRatio * value <= typical).length;
  return alike >= gridMinFaces ? typical : undefined;
}

/**
 * Whether `face` sits close behind `other` and is smaller or much less sharp than it. "Close" is
 * measured in `other`'s size, or in a printed list in the typical portrait's when that is smaller.
 */
function crowds(face: FaceLayout, other: FaceLayout, typical?: number): boolean {
  if (!withinCrowdingReach(face, other, typical)) return false;
  if (size(face.box) < crowdingSizeRatio * size(other.box)) return true;
  const sharp = face.quality?.sharpness;
  const otherSharp = other.quality?.sharpness;
  return (
    sharp !== undefined && otherSharp !== undefined && size(face.box) <= size(other.box) && sharp < crowdingSharpnessRatio * otherSharp
  );
}

/** Whether `face`'s centre is close enough to `other`'s to crowd it (see crowds). */
function withinCrowdingReach(face: FaceLayout, other: FaceLayout, typical?: number): boolean {
  const reach = crowdingDistance * (typical === undefined ? size(other.box) : Math.min(size(other.box), typical));
  return centreDistance(face.box, other.box) <= reach;
}

/** Faces set aside by the layout alone: bystanders and false detections. */
export function backgroundFaces(faces: FaceLayout[]): boolean[] {
  return faceRoles(faces).map((role) => role !== 'portrait');
}

function intersection(a: Box, b: Box): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

/**
 * Layout costs of the alignment, in whole units so that "equally plausible" is exact. A portrait
 * left without a name costs about as much as a name left without a face; a bystander or a false
 * detection costs little to leave out and much to name.
 */
const cost = {
  nameWithoutFace: 12,
  /** A name skipped where the grid has an empty place: the portrait whose face was not found. */
  nameInEmptyPlace: 1,
  /** Cost of naming / of leaving out, by role; a portrait's depend on its size beside the largest. */
  portrait: (relativeSize: number) => ({ named: Math.round(4 - 3 * relativeSize), leftOut: Math.round(16 + 3 * relativeSize) }),
  isolatedBystander: { named: 10, leftOut: 10 },
  /**
   * One of two portraits of a printed list closer than a portrait's spacing (see contestedFaces):
   * naming one and leaving the other out is cheapest, so the identity scores choose which.
   */
  contested: { named: 4, leftOut: 2 },
  bystander: { named: 18, leftOut: 2 },
  notAFace: { named: 20, leftOut: 0 },
};

/**
 * Assigns claims to faces, in the order of the input. `identity` breaks ties between alignments
 * the layout finds equally plausible; without it, such ties are a count mismatch. `layoutRoles`
 * are the faces' roles when the caller has them already (see faceRoles). `score`, where given,
 * says which of two contested faces (see contestedFaces) fits a name better when the identity
 * support ties.
 */
export function assignClaims(
  faces: FaceLayout[],
  claims: Claim[],
  identity?: IdentitySupport,
  layoutRoles: FaceRole[] = faceRoles(faces),
  score?: IdentityScore,
): ClaimAssignment {
  const claimOfFace: (number | null)[] = faces.map(() => null);
  // The alignment may still turn a portrait it leaves out into a bystander: a copy of its own.
  const roles = [...layoutRoles];
  const emptyBoxes: number[] = [];

  // Claims with a box: the best-covered face first, each face once.
  const pairs: { claim: number; face: number; cover: number; iou: number }[] = [];
  claims.forEach((claim, c) => {
    if (!claim.box) return;
    faces.forEach(({ box }, f) => {
      const shared = intersection(claim.box!, box);
      const cover = shared / (box.width * box.height);
      const iou = shared / (box.width * box.height + claim.box!.width * claim.box!.height - shared);
      if (cover >= minBoxCover) pairs.push({ claim: c, face: f, cover, iou });
    });
  });
  pairs.sort((a, b) => b.cover - a.cover || b.iou - a.iou);
  const placed = new Set<number>();
  for (const pair of pairs) {
    if (placed.has(pair.claim) || claimOfFace[pair.face] !== null) continue;
    claimOfFace[pair.face] = pair.claim;
    placed.add(pair.claim);
  }
  claims.forEach((claim, c) => {
    if (claim.box && !placed.has(c)) emptyBoxes.push(c);
  });

  const finish = (extra: Partial<ClaimAssignment> = {}): ClaimAssignment => ({
    claimOfFace,
    roles,
    setAside: faces.map((_, f) => claimOfFace[f] === null && roles[f] !== 'portrait'),
    countMismatch: null,
    emptyBoxes,
    namesWithoutFace: [],
    ...extra,
  });

  // Claims without a box: aligned in reading order with the faces no box took.
  const names = claims.map((_, c) => c).filter((c) => !claims[c].box);
  if (names.length === 0) return finish();
  const free = faces.map((_, f) => f).filter((f) => claimOfFace[f] === null);
  const order = readingOrder(free.map((f) => faces[f].box)).map((i) => free[i]);
  const portraitSizes = order.filter((f) => roles[f] === 'portrait').map((f) => size(faces[f].box));
  const largest = Math.max(0, ...portraitSizes);
  const typical = gridPortraitSize(portraitSizes);
  const contested = typical === undefined ? blurredBeside(order, faces, roles) : contestedFaces(order, faces, roles, typical);
  const faceCosts = order.map((f) => {
    if (roles[f] === 'not_a_face') return cost.notAFace;
    if (contested.has(f)) return cost.contested;
    if (roles[f] === 'portrait') return cost.portrait(largest > 0 ? size(faces[f].box) / largest : 1);
    const isolated = !faces.some((other, g) => g !== f && roles[g] !== 'not_a_face' && crowds(faces[f], other));
    return isolated ? cost.isolatedBystander : cost.bystander;
  });
  const largestFree = Math.max(0, ...order.map((f) => size(faces[f].box)));
  const fitOf = (n: number, i: number) => {
    const support = identity ? identity(names[n], order[i]) : 0;
    // Outside a printed list, closeness counts only between faces the name matches (see blurredBeside).
    const close = contested.has(order[i]) && (typical !== undefined || support > 0);
    return {
      support,
      // In thousandths, so that sums are exact and equal closeness is a real tie.
      closeness: close ? Math.round(1000 * (score?.(names[n], order[i]) ?? 0)) : 0,
      prominence: largestFree > 0 ? Math.round(1000 * (size(faces[order[i]].box) / largestFree)) : 0,
    };
  };
  const placesAt = emptyPlacesAt(
    order.map((f) => faces[f].box),
    order.map((f) => roles[f] === 'portrait'),
  );
  const best = align(names.length, faceCosts, placesAt, fitOf);

  if (best.ways > 1) {
    const principal = free.filter((f) => roles[f] === 'portrait').length;
    return finish({ countMismatch: { names: names.length, faces: principal, background: free.length - principal } });
  }
  const namesWithoutFace: number[] = [];
  best.matches.forEach((i, n) => {
    if (i === null) namesWithoutFace.push(names[n]);
    else claimOfFace[order[i]] = names[n];
  });
  for (const f of contested) if (claimOfFace[f] === null) roles[f] = 'bystander';
  // A face the names left out that is clearly smaller or much less sharp than the faces they name is a bystander.
  const namedFaces = order.filter((f) => claimOfFace[f] !== null);
  if (namedFaces.length > 0) {
    const namedSize = median(namedFaces.map((f) => size(faces[f].box)));
    const sharpness = namedFaces.flatMap((f) => (faces[f].quality ? [faces[f].quality!.sharpness] : []));
    const namedSharpness = sharpness.length > 0 ? median(sharpness) : undefined;
    for (const f of order) {
      if (claimOfFace[f] !== null || roles[f] !== 'portrait') continue;
      const blurred =
        namedSharpness !== undefined &&
        faces[f].quality !== undefined &&
        faces[f].quality!.sharpness < crowdingSharpnessRatio * namedSharpness;
      if (size(faces[f].box) < crowdingSizeRatio * namedSize || blurred) roles[f] = 'bystander';
    }
  }
  return finish({ namesWithoutFace });
}

/**
 * Outside a printed list: a face set aside (a bystander) that sits right beside a portrait and is
 * about as large, together with that portrait. Its size beside that portrait did not set it aside,
 * so being much less sharp did (see crowds), or its size beside a much larger face elsewhere. The
 * person a caption names may be the blurred one (a photo focused on someone just behind them), so
 * the identity scores choose between the two: the face the name fits better (matched, undecided, not matched) takes it; where it
 * matches both, the closer match; else the larger face (the sharper one is never the smaller).
 */
function blurredBeside(order: number[], faces: FaceLayout[], roles: FaceRole[]): Set<number> {
  const pairs = new Set<number>();
  for (const f of order) {
    if (roles[f] !== 'bystander') continue;
    for (const g of order) {
      if (g === f || roles[g] !== 'portrait') continue;
      if (withinCrowdingReach(faces[f], faces[g]) && size(faces[f].box) >= crowdingSizeRatio * size(faces[g].box)) {
        pairs.add(f);
        pairs.add(g);
      }
    }
  }
  return pairs;
}

/**
 * Portraits of a printed list whose centres are closer than crowdingDistance typical portraits: two
 * faces in one portrait's place (the subject and someone beside them in the same photo, about as
 * large and as sharp), of which at most one is the portrait. Which one is left to the identity scores.
 */
function contestedFaces(order: number[], faces: FaceLayout[], roles: FaceRole[], typical: number): Set<number> {
  const portraits = order.filter((f) => roles[f] === 'portrait');
  const near = (f: number, g: number) => f !== g && centreDistance(faces[f].box, faces[g].box) <= crowdingDistance * typical;
  return new Set(portraits.filter((f) => portraits.some((g) => near(f, g))));
}

/**
 * How many empty places of the grid lie at each position of the faces in reading order (before face
 * i, or after the last): as many names may be left without a face there at the low cost.
 */
function emptyPlacesAt(boxes: Box[], portrait: boolean[]): number[] {
  const portraits = boxes.filter((_, i) => portrait[i]);
  const places = emptyPlaces(portraits);
  const at = new Array<number>(boxes.length + 1).fill(0);
  let p = 0;
  boxes.forEach((_, i) => {
    if (!portrait[i]) return;
    at[i] = places[p];
    p++;
  });
  at[boxes.length] = places[p];
  return at;
}

interface Alignment {
  /** For each name, the index (in reading order) of its face, or null. */
  matches: (number | null)[];
  /** How many distinct alignments reach the same best layout cost, identity support, closeness and prominence (capped at 2). */
  ways: number;
}

interface Cell {
  cost: number;
  identity: number;
  /** The scores of contested faces for the names they take, in thousandths. */
  closeness: number;
  /**
   * The sizes of the faces that take names, in thousandths of the largest face's: the last
   * tie-breaker. Where nothing else tells which face a caption is for (a web photo of two faces,
   * neither the person named, or both alike), it is for the most prominent.
   */
  prominence: number;
  ways: number;
  back: { i: number; n: number; state: number; move: 'match' | 'skipName' | 'skipFace' } | null;
}

/**
 * The monotone alignment of `nameCount` names with faces in reading order that has the least
 * layout cost and, among those, the most identity support, then the closest contested faces, then
 * the largest faces named. A skipped face never directly follows a skipped name (the two orders are
 * one alignment), so every path is a distinct alignment and `ways` counts real ties; names are
 * skipped just before the next face that takes a name, cheaply where an empty place of the grid
 * lies, each empty place taking one name.
 */
function align(
  nameCount: number,
  faceCosts: { named: number; leftOut: number }[],
  /** For each position (before face i, or after the last), how many empty places of the grid lie there. */
  placesAt: number[],
  fitOf: (name: number, face: number) => { support: number; closeness: number; prominence: number },
): Alignment {
  const faceCount = faceCosts.length;
  // cells[n][i][s]: n names and i faces consumed, the last s moves names skipped at position i (0: none).
  // Beyond the places there, every further skip costs the same, so s stops counting at their number + 1.
  const states = Math.max(0, ...placesAt) + 2;
  const cells: (Cell | null)[][][] = Array.from({ length: nameCount + 1 }, () =>
    Array.from({ length: faceCount + 1 }, () => new Array<Cell | null>(states).fill(null)),
  );
  cells[0][0][0] = { cost: 0, identity: 0, closeness: 0, prominence: 0, ways: 1, back: null };
  /** Negative when a is the better alignment, positive when b is, 0 for a tie. */
  const compare = (a: Cell, b: Cell) =>
    a.cost - b.cost || b.identity - a.identity || b.closeness - a.closeness || b.prominence - a.prominence;
  const offer = (n: number, i: number, state: number, candidate: Cell) => {
    const current = cells[n][i][state];
    const order = current ? compare(candidate, current) : -1;
    if (order < 0) cells[n][i][state] = candidate;
    else if (order === 0 && current) current.ways = Math.min(2, current.ways + candidate.ways);
  };
  for (let n = 0; n <= nameCount; n++) {
    for (let i = 0; i <= faceCount; i++) {
      for (let state = 0; state < states; state++) {
        const cell = cells[n][i][state];
        if (!cell) continue;
        const from = { n, i, state };
        if (n < nameCount && i < faceCount) {
          const { support, closeness, prominence } = fitOf(n, i);
          offer(n + 1, i + 1, 0, {
            cost: cell.cost + faceCosts[i].named,
            identity: cell.identity + support,
            closeness: cell.closeness + closeness,
            prominence: cell.prominence + prominence,
            ways: cell.ways,
            back: { ...from, move: 'match' },
          });
        }
        if (n < nameCount) {
          offer(n + 1, i, Math.min(state + 1, states - 1), {
            cost: cell.cost + (state < placesAt[i] ? cost.nameInEmptyPlace : cost.nameWithoutFace),
            identity: cell.identity,
            closeness: cell.closeness,
            prominence: cell.prominence,
            ways: cell.ways,
            back: { ...from, move: 'skipName' },
          });
        }
        if (i < faceCount && state === 0) {
          offer(n, i + 1, 0, {
            cost: cell.cost + faceCosts[i].leftOut,
            identity: cell.identity,
            closeness: cell.closeness,
            prominence: cell.prominence,
            ways: cell.ways,
            back: { ...from, move: 'skipFace' },
          });
        }
      }
    }
  }
  let state = -1;
  let end: Cell | null = null;
  cells[nameCount][faceCount].forEach((cell, s) => {
    if (!cell) return;
    const order = end ? compare(cell, end) : -1;
    if (order < 0) {
      end = { ...cell };
      state = s;
    } else if (order === 0 && end) end.ways = Math.min(2, end.ways + cell.ways);
  });
  const matches: (number | null)[] = new Array(nameCount).fill(null);
  let n = nameCount;
  let i = faceCount;
  let cell: Cell | null = cells[n][i][state];
  while (cell?.back) {
    const back: NonNullable<Cell['back']> = cell.back;
    if (back.move === 'match') matches[back.n] = back.i;
    ({ n, i, state } = back);
    cell = cells[n][i][state];
  }
  return { matches, ways: (end as Cell | null)?.ways ?? 1 };
}
