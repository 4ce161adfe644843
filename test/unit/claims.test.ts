import { describe, expect, it } from 'vitest';
import { assignClaims, backgroundFaces, type FaceLayout, type IdentitySupport, readingOrder } from '../../src/domain/claims.js';
import type { Box } from '../../src/domain/types.js';
import { box } from './synthetic.js';

const claims = (...names: string[]) => names.map((text) => ({ text }));
/** Faces as the engine finds them: frontal, eyes at 0.45 of the box width, clearly detected, sharp. */
const layout = (...boxes: Box[]): FaceLayout[] =>
  boxes.map((b) => ({ box: b, quality: { faceSize: 0.45 * b.width, detectorScore: 0.95, sharpness: 100 } }));
/** The claim text each face got, in the input order of the faces. */
const namesOf = (faces: Box[], names: string[], identity?: IdentitySupport) => {
  const assignment = assignClaims(layout(...faces), claims(...names), identity);
  return assignment.claimOfFace.map((c) => (c === null ? null : names[c]));
};

describe('reading order of the faces in a handout', () => {
  it('reads rows top to bottom and each row left to right', () => {
    // A 3x2 grid given in a scrambled order.
    const faces = [box(700, 500), box(100, 100), box(400, 500), box(700, 100), box(100, 500), box(400, 100)];
    expect(readingOrder(faces)).toEqual([1, 5, 3, 4, 2, 0]);
  });

  it('keeps a row together when its portraits sit at slightly different heights', () => {
    const faces = [box(100, 100), box(400, 150), box(700, 80), box(100, 400), box(400, 430)];
    expect(readingOrder(faces)).toEqual([0, 1, 2, 3, 4]);
  });

  it('starts a new row when a face is below the previous row, even if it is further left', () => {
    const faces = [box(500, 100), box(50, 300)];
    expect(readingOrder(faces)).toEqual([0, 1]);
  });
});

describe('assigning the names of a handout to its faces', () => {
  it('gives the names to the faces in reading order, whatever order the engine found them in', () => {
    const faces = [box(400, 100), box(100, 400), box(100, 100), box(400, 400)];
    expect(namesOf(faces, ['A', 'B', 'C', 'D'])).toEqual(['B', 'C', 'A', 'D']);
  });

  it('a small bystander at the edge of a portrait takes no name and does not shift the names', () => {
    const bystander = box(5, 5, 40, 48);
    const portrait = box(300, 200, 300, 360);
    const assignment = assignClaims(layout(bystander, portrait), claims('Enver Bekirov'));
    expect(assignment.claimOfFace).toEqual([null, 0]);
    expect(assignment.setAside).toEqual([true, false]);
    expect(assignment.countMismatch).toBeNull();
  });

  it('in a row of portraits, a small face in the background between them does not shift the names', () => {
    const faces = [box(100, 100, 200, 240), box(330, 60, 50, 60), box(500, 100, 200, 240)];
    expect(namesOf(faces, ['A', 'B'])).toEqual(['A', null, 'B']);
  });

  it('when the list names every face, small ones included, the small faces are named people too', () => {
    const faces = [box(100, 100, 200, 240), box(500, 100, 80, 96)];
    const assignment = assignClaims(layout(...faces), claims('A', 'B'));
    expect(assignment.claimOfFace).toEqual([0, 1]);
    expect(assignment.setAside).toEqual([false, false]);
  });

  it('three names for two faces are not placed by guesswork: the count mismatch is reported', () => {
    const assignment = assignClaims(layout(box(100, 100), box(400, 100)), claims('A', 'B', 'C'));
    expect(assignment.claimOfFace).toEqual([null, null]);
    expect(assignment.countMismatch).toEqual({ names: 3, faces: 2, background: 0 });
  });

  it('a claim with a box goes to the face it covers best, and the other names keep their reading order', () => {
    const faces = [box(100, 100), box(400, 100), box(700, 100)];
    const assignment = assignClaims(layout(...faces), [
      { text: 'A' },
      { text: 'Boxed', box: { x: 380, y: 60, width: 150, height: 200 } },
      { text: 'C' },
    ]);
    expect(assignment.claimOfFace).toEqual([0, 1, 2]);
  });

  it('a claim whose box holds no face is reported', () => {
    const assignment = assignClaims(layout(box(100, 100)), [{ text: 'A', box: { x: 600, y: 600, width: 100, height: 100 } }]);
    expect(assignment.emptyBoxes).toEqual([0]);
    expect(assignment.claimOfFace).toEqual([null]);
  });

  it('faces much smaller than the largest are background faces', () => {
    expect(backgroundFaces(layout(box(0, 0, 200, 200), box(600, 0, 120, 120), box(1200, 0, 60, 60)))).toEqual([false, false, true]);
  });
});

/** A printed list: rows of portraits 150 px apart, faces 60 px wide. */
const grid = (columns: number, rows: number) =>
  Array.from({ length: rows * columns }, (_, i) => box(40 + 150 * (i % columns), 60 + 200 * Math.floor(i / columns), 60, 72));
const names = (count: number) => Array.from({ length: count }, (_, i) => `P${i + 1}`);
/** Identity that fits each name to the face in the same slot of the list, and nothing else. */
const slotIdentity =
  (slotOfFace: (number | null)[]): IdentitySupport =>
  (claim, face) =>
    slotOfFace[face] === null ? 0 : slotOfFace[face] === claim ? 1 : -1;

describe('aligning a printed list with extra and missing faces', () => {
  it('a bystander behind one portrait takes no name, and every name stays on its portrait', () => {
    const portraits = grid(4, 3);
    const behind = box(portraits[5].x + 45, portraits[5].y - 10, 40, 48);
    const faces = [...portraits, behind];
    const assignment = assignClaims(layout(...faces), claims(...names(12)));
    expect(assignment.claimOfFace).toEqual([...names(12).map((_, i) => i), null]);
    expect(assignment.roles[12]).toBe('bystander');
    expect(assignment.setAside[12]).toBe(true);
    expect(assignment.countMismatch).toBeNull();
  });

  it('one portrait of a list cropped closer than the rest (a larger, sharper face) does not make its neighbours bystanders', () => {
    // Portraits as the handout benchmark prints them: centres about 1.75 face sizes apart.
    const portraits = Array.from({ length: 12 }, (_, i) => box(40 + 115 * (i % 3), 60 + 180 * Math.floor(i / 3), 60, 72));
    const faces = layout(...portraits);
    faces[1] = { box: box(25 + 115, 45, 90, 108), quality: { faceSize: 40, detectorScore: 0.76, sharpness: 960 } };
    const assignment = assignClaims(faces, claims(...names(12)));
    expect(assignment.roles.every((role) => role === 'portrait')).toBe(true);
    expect(assignment.claimOfFace).toEqual(names(12).map((_, i) => i));
    expect(assignment.namesWithoutFace).toEqual([]);
  });

  it('a second person as large as the subject inside one portrait of a list: the identity scores say which face is the portrait, and no name shifts', () => {
    // As on the handout benchmark (seed 3): a man beside the subject of portrait 6, his face about as
    // large and sharper; the last portrait of the list a little smaller than the rest.
    const portraits = grid(4, 3);
    portraits[11] = box(portraits[11].x + 3, portraits[11].y + 4, 54, 64);
    const beside = box(portraits[5].x + 30, portraits[5].y - 20, 56, 68);
    const faces = [...portraits, beside];
    const assignment = assignClaims(layout(...faces), claims(...names(12)), slotIdentity([...names(12).map((_, i) => i), null]));
    expect(assignment.claimOfFace).toEqual([...names(12).map((_, i) => i), null]);
    expect(assignment.setAside[12]).toBe(true);
    expect(assignment.namesWithoutFace).toEqual([]);
    expect(assignment.countMismatch).toBeNull();
  });

  it('the same with the second person left of the subject: the name still goes to the face that is that person', () => {
    const portraits = grid(4, 3);
    const beside = box(portraits[5].x - 30, portraits[5].y + 5, 58, 70);
    const faces = [...portraits, beside];
    const assignment = assignClaims(layout(...faces), claims(...names(12)), slotIdentity([...names(12).map((_, i) => i), null]));
    expect(assignment.claimOfFace).toEqual([...names(12).map((_, i) => i), null]);
    expect(assignment.setAside[12]).toBe(true);
  });

  it("two faces in one portrait's place that neither clearly is the person named: the one scoring higher for the name takes it, not a count mismatch", () => {
    // As on the handout benchmark (seed 1, fused descriptor): the named person is the smaller face,
    // off the portrait's centre; both score between reject and accept for the name.
    const portraits = grid(4, 3);
    const beside = box(portraits[8].x - 35, portraits[8].y, 62, 76);
    const faces = [...portraits, beside];
    const slot = slotIdentity([...names(12).map((_, i) => i), null]);
    const identity: IdentitySupport = (claim, face) => (claim === 8 && (face === 8 || face === 12) ? 0 : slot(claim, face));
    const score = (claim: number, face: number) => (claim === 8 ? (face === 8 ? 0.71 : face === 12 ? 0.64 : 0.2) : 0.5);
    const assignment = assignClaims(layout(...faces), claims(...names(12)), identity, undefined, score);
    expect(assignment.countMismatch).toBeNull();
    expect(assignment.claimOfFace).toEqual([...names(12).map((_, i) => i), null]);
    expect(assignment.setAside[12]).toBe(true);
  });

  it('a false detection as big as a face (eyes 2 px apart) takes no name and does not shift the names', () => {
    const portraits = grid(3, 2);
    const faces: FaceLayout[] = [
      ...layout(...portraits),
      { box: box(250, 300, 60, 72), quality: { faceSize: 2, detectorScore: 0.55, sharpness: 40 } },
    ];
    const assignment = assignClaims(faces, claims(...names(6)));
    expect(assignment.claimOfFace).toEqual([0, 1, 2, 3, 4, 5, null]);
    expect(assignment.roles[6]).toBe('not_a_face');
    expect(assignment.countMismatch).toBeNull();
  });

  it('a portrait whose face was not found leaves its name without a face; the identity scores say which', () => {
    const portraits = grid(4, 1);
    const found = [portraits[0], portraits[1], portraits[3]];
    const assignment = assignClaims(layout(...found), claims(...names(4)), slotIdentity([0, 1, 3]));
    expect(assignment.claimOfFace).toEqual([0, 1, 3]);
    expect(assignment.namesWithoutFace).toEqual([2]);
    expect(assignment.countMismatch).toBeNull();
  });

  it('a portrait whose face was not found in a 4x3 list: the empty place in the grid says which name has no face', () => {
    const portraits = grid(4, 3);
    const found = portraits.filter((_, i) => i !== 6);
    const assignment = assignClaims(layout(...found), claims(...names(12)));
    expect(assignment.namesWithoutFace).toEqual([6]);
    expect(assignment.claimOfFace).toEqual([0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11]);
    expect(assignment.countMismatch).toBeNull();
  });

  it('the first portrait of a row missing: the row starting right of the leftmost column says so', () => {
    const portraits = grid(3, 2);
    const found = portraits.filter((_, i) => i !== 3);
    const assignment = assignClaims(layout(...found), claims(...names(6)));
    expect(assignment.namesWithoutFace).toEqual([3]);
    expect(assignment.claimOfFace).toEqual([0, 1, 2, 4, 5]);
  });

  it("two faces in one portrait's place between two portraits whose faces were not found: the empty places keep their names, not a count mismatch", () => {
    // A 3x4 list as seed 6 composed it: the top row's first and last faces not found, and the
    // middle portrait's photo holding a second face as large, close beside the subject.
    const portraits = grid(3, 4);
    const middle = portraits[1];
    const beside = { ...middle, x: middle.x + 0.6 * middle.width };
    const found = [middle, beside, ...portraits.slice(3)];
    const assignment = assignClaims(layout(...found), claims(...names(12)));
    expect(assignment.countMismatch).toBeNull();
    expect(assignment.namesWithoutFace).toEqual([0, 2]);
    expect(assignment.claimOfFace.slice(2)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    // One of the two faces in the middle portrait's place takes its name, the other none.
    expect(assignment.claimOfFace.slice(0, 2).sort()).toEqual([1, null]);
  });

  it('two names swapped in a list with one extra face stay swapped: the extra face is left out, not the swap', () => {
    const portraits = grid(4, 1);
    const bystander = box(portraits[1].x + 40, portraits[1].y + 30, 30, 36);
    const faces = [...portraits, bystander];
    // The photos of P2 and P3 are exchanged: face 1 shows P3 and face 2 shows P2.
    const identity: IdentitySupport = (claim, face) => (face === 4 ? 0 : [0, 2, 1, 3][face] === claim ? 1 : -1);
    const assignment = assignClaims(layout(...faces), claims(...names(4)), identity);
    expect(assignment.claimOfFace).toEqual([0, 1, 2, 3, null]);
    expect(assignment.namesWithoutFace).toEqual([]);
  });

  it('identity scores never reorder names: a list in the wrong order is aligned by position and each face keeps the name printed under it', () => {
    const portraits = grid(3, 1);
    const identity: IdentitySupport = (claim, face) => ([2, 0, 1][face] === claim ? 1 : -1);
    expect(namesOf(portraits, names(3), identity)).toEqual(['P1', 'P2', 'P3']);
  });

  it('a name without a face that the identity scores cannot place is a count mismatch, not a guess', () => {
    const assignment = assignClaims(layout(...grid(3, 1)), claims(...names(4)));
    expect(assignment.countMismatch).toEqual({ names: 4, faces: 3, background: 0 });
    expect(assignment.claimOfFace).toEqual([null, null, null]);
  });

  it('a single portrait with a blurred face behind the subject: the name goes to the sharp subject', () => {
    const subject: FaceLayout = { box: box(200, 150, 200, 240), quality: { faceSize: 90, detectorScore: 0.99, sharpness: 300 } };
    const blurred: FaceLayout = { box: box(420, 80, 180, 216), quality: { faceSize: 80, detectorScore: 0.7, sharpness: 20 } };
    const assignment = assignClaims([blurred, subject], claims('Enver Bekirov'));
    expect(assignment.claimOfFace).toEqual([null, 0]);
    expect(assignment.roles).toEqual(['bystander', 'portrait']);
  });

  it('a web photo focused on the man just behind the person named: the name goes to the face that matches that person best, though it is the blurred one', () => {
    // Chen Shui-bian a little out of focus, a sharper man of about his size just behind him, both
    // matching Chen's reference photo above accept (0.96 and 0.94).
    const named: FaceLayout = { box: box(76, 96, 76, 95), quality: { faceSize: 28, detectorScore: 0.54, sharpness: 14 } };
    const behind: FaceLayout = { box: box(143, 88, 77, 113), quality: { faceSize: 37, detectorScore: 0.34, sharpness: 81 } };
    const scores = [0.963, 0.945];
    const identity: IdentitySupport = (_claim, face) => (scores[face] >= 0.933 ? 1 : scores[face] < 0.915 ? -1 : 0);
    const assignment = assignClaims([named, behind], claims('Chen Shui-bian'), identity, undefined, (_claim, face) => scores[face]);
    expect(assignment.claimOfFace).toEqual([0, null]);
    expect(assignment.roles[1]).toBe('bystander');
    // Where the name matches neither face (a stranger's photo above the name), the sharper, larger face keeps it.
    const stranger: IdentitySupport = () => -1;
    const swapped = assignClaims([named, behind], claims('Chen Shui-bian'), stranger, undefined, () => 0.5);
    expect(swapped.claimOfFace).toEqual([null, 0]);
  });
});
