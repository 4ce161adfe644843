/**
 * Which claim belongs to which face. Claims with a box go to the face they overlap best; the
 * others are read in reading order (rows top to bottom, each row left to right) and given to
 * the faces in the same order. Small background faces (a bystander at the edge of a portrait)
 * take no claim and do not shift the order.
 */
import type { Claim } from './results.js';
import type { Box } from './types.js';

/** A face whose size is below this fraction of the largest face's is in the background. */
export const backgroundSizeRatio = 0.5;
/** A face joins a row when it overlaps the row's vertical span by this fraction of the smaller height. */
export const rowOverlap = 0.5;
/** A claim's box must hold at least this fraction of a face to be that face's claim. */
export const minBoxCover = 0.5;

export interface ClaimAssignment {
  /** For each face (by its index in the input), the index of its claim, or null. */
  claimOfFace: (number | null)[];
  /** For each face, whether it was set aside as a small background face. */
  background: boolean[];
  /** Set when the claims without a box do not match the faces in number: none of them was placed. */
  countMismatch: { names: number; faces: number; background: number } | null;
  /** Claims whose box holds no face. */
  emptyBoxes: number[];
}

const size = (box: Box) => Math.sqrt(box.width * box.height);
const centreX = (box: Box) => box.x + box.width / 2;
const centreY = (box: Box) => box.y + box.height / 2;

/** Indices of the boxes in reading order: clustered into rows by vertical overlap, robust to uneven rows. */
export function readingOrder(boxes: Box[]): number[] {
  const rows: { members: number[]; top: number; bottom: number }[] = [];
  const byHeight = boxes.map((_, index) => index).sort((a, b) => centreY(boxes[a]) - centreY(boxes[b]) || centreX(boxes[a]) - centreX(boxes[b]));
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
  return rows.flatMap((row) => row.members.sort((a, b) => centreX(boxes[a]) - centreX(boxes[b])));
}

/** Faces much smaller than the largest one: bystanders, people in the background. */
export function backgroundFaces(boxes: Box[]): boolean[] {
  const largest = Math.max(0, ...boxes.map(size));
  return boxes.map((box) => size(box) < backgroundSizeRatio * largest);
}

function intersection(a: Box, b: Box): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

/** Assigns claims to the faces whose boxes are given, in the order of the input. */
export function assignClaims(faces: Box[], claims: Claim[]): ClaimAssignment {
  const claimOfFace: (number | null)[] = faces.map(() => null);
  const background = backgroundFaces(faces);
  const emptyBoxes: number[] = [];

  // Claims with a box: the best-covered face first, each face once.
  const pairs: { claim: number; face: number; cover: number; iou: number }[] = [];
  claims.forEach((claim, c) => {
    if (!claim.box) return;
    faces.forEach((face, f) => {
      const shared = intersection(claim.box!, face);
      const cover = shared / (face.width * face.height);
      const iou = shared / (face.width * face.height + claim.box!.width * claim.box!.height - shared);
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

  // Claims without a box: in reading order, onto the faces no box took.
  const unboxed = claims.map((_, c) => c).filter((c) => !claims[c].box);
  if (unboxed.length === 0) return { claimOfFace, background, countMismatch: null, emptyBoxes };
  const free = faces.map((_, f) => f).filter((f) => claimOfFace[f] === null);
  const principal = free.filter((f) => !background[f]);
  // When the names count every face, small ones included, the small faces are named people too.
  const targets = unboxed.length === free.length ? free : principal;
  if (targets === free) for (const f of free) background[f] = false;
  if (unboxed.length !== targets.length) {
    return {
      claimOfFace,
      background,
      countMismatch: { names: unboxed.length, faces: principal.length, background: free.length - principal.length },
      emptyBoxes,
    };
  }
  const ordered = readingOrder(targets.map((f) => faces[f])).map((i) => targets[i]);
  ordered.forEach((f, i) => {
    claimOfFace[f] = unboxed[i];
  });
  return { claimOfFace, background, countMismatch: null, emptyBoxes };
}
