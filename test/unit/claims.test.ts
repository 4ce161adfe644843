import { describe, expect, it } from 'vitest';
import { assignClaims, backgroundFaces, readingOrder } from '../../src/domain/claims.js';
import { box } from './synthetic.js';

const claims = (...names: string[]) => names.map((text) => ({ text }));
/** The claim text each face got, in the input order of the faces. */
const namesOf = (faces: ReturnType<typeof box>[], names: string[]) => {
  const assignment = assignClaims(faces, claims(...names));
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
    const assignment = assignClaims([bystander, portrait], claims('Enver Bekirov'));
    expect(assignment.claimOfFace).toEqual([null, 0]);
    expect(assignment.background).toEqual([true, false]);
    expect(assignment.countMismatch).toBeNull();
  });

  it('in a row of portraits, a small face in the background between them does not shift the names', () => {
    const faces = [box(100, 100, 200, 240), box(330, 60, 50, 60), box(500, 100, 200, 240)];
    expect(namesOf(faces, ['A', 'B'])).toEqual(['A', null, 'B']);
  });

  it('when the list names every face, small ones included, the small faces are named people too', () => {
    const faces = [box(100, 100, 200, 240), box(500, 100, 80, 96)];
    const assignment = assignClaims(faces, claims('A', 'B'));
    expect(assignment.claimOfFace).toEqual([0, 1]);
    expect(assignment.background).toEqual([false, false]);
  });

  it('three names for two faces are not placed by guesswork: the count mismatch is reported', () => {
    const assignment = assignClaims([box(100, 100), box(400, 100)], claims('A', 'B', 'C'));
    expect(assignment.claimOfFace).toEqual([null, null]);
    expect(assignment.countMismatch).toEqual({ names: 3, faces: 2, background: 0 });
  });

  it('a claim with a box goes to the face it covers best, and the other names keep their reading order', () => {
    const faces = [box(100, 100), box(400, 100), box(700, 100)];
    const assignment = assignClaims(faces, [{ text: 'A' }, { text: 'Boxed', box: { x: 380, y: 60, width: 150, height: 200 } }, { text: 'C' }]);
    expect(assignment.claimOfFace).toEqual([0, 1, 2]);
  });

  it('a claim whose box holds no face is reported', () => {
    const assignment = assignClaims([box(100, 100)], [{ text: 'A', box: { x: 600, y: 600, width: 100, height: 100 } }]);
    expect(assignment.emptyBoxes).toEqual([0]);
    expect(assignment.claimOfFace).toEqual([null]);
  });

  it('faces much smaller than the largest are background faces', () => {
    expect(backgroundFaces([box(0, 0, 200, 200), box(0, 0, 120, 120), box(0, 0, 60, 60)])).toEqual([false, false, true]);
  });
});
