import { describe, expect, it } from 'vitest';
import type { FaceResult } from '../../domain/results.js';
import type { Box } from '../../domain/types.js';
import { placeFaces } from './score.js';
import type { DraftTruth, Portrait } from './truth.js';

const portrait = (rect: Box): Portrait => ({
  rect,
  claimedName: 'John Negroponte',
  claimedPersonId: 'john-negroponte',
  spelling: 'latin',
  kind: 'genuine',
  truePersonId: 'john-negroponte',
  trueLabel: 'John_Negroponte',
  photo: 'lfw-view1/images/John_Negroponte/John_Negroponte_0001.jpg',
});

const draft = (rects: Box[]): DraftTruth => ({
  file: 'drafts/list-01.jpg',
  layout: 'list',
  holdsPow: false,
  greyscale: false,
  jpegQuality: 60,
  portraitWidth: 100,
  portraits: rects.map(portrait),
  bystanders: [],
});

const answered = (box: Box, verdict: FaceResult['verdict']) => ({ box, verdict }) as FaceResult;

describe('the handout benchmark judges the face each portrait shows', () => {
  it('of two faces in one portrait, judges the one at its centre, where LFW puts the labelled person, even when the other is larger', () => {
    const rect = { x: 0, y: 0, width: 100, height: 125 };
    const subject = answered({ x: 30, y: 40, width: 40, height: 45 }, 'confirmed');
    const beside = answered({ x: 62, y: 10, width: 45, height: 50 }, 'uncertain');
    const placed = placeFaces(draft([rect]), [beside, subject]);
    expect(placed.portraits).toEqual([subject]);
    expect(placed.extra).toEqual([beside]);
  });

  it('a face outside every portrait is an extra face, and a portrait without a face has none', () => {
    const face = answered({ x: 300, y: 300, width: 40, height: 45 }, 'unknown');
    const placed = placeFaces(draft([{ x: 0, y: 0, width: 100, height: 125 }]), [face]);
    expect(placed.portraits).toEqual([undefined]);
    expect(placed.extra).toEqual([face]);
  });
});
