import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FaceResult, ImageResult } from '../../domain/results.js';
import { buildEvent, eventTypes, schemaVersion } from './events.js';

const quality = { faceSize: 60, detectorScore: 0.99, sharpness: 300, yaw: 2, pitch: 1, roll: 0 };
const confirmed: FaceResult = {
  box: { x: 20, y: 20, width: 250, height: 250 },
  verdict: 'confirmed',
  claim: { personId: 'colin-powell', name: 'Colin Powell' },
  claimScore: 0.93,
  claimReferencePhoto: 'ref-powell',
  bestMatch: { personId: 'colin-powell', name: 'Colin Powell', score: 0.93, referencePhoto: 'ref-powell' },
  nearest: { personId: 'colin-powell', name: 'Colin Powell', score: 0.93, referencePhoto: 'ref-powell' },
  runnerUp: { personId: 'tony-blair', name: 'Tony Blair', score: 0.61, referencePhoto: 'ref-blair' },
  reasons: ['matches Colin Powell'],
  quality,
};
const swapped: FaceResult = {
  ...confirmed,
  box: { x: 290, y: 20, width: 250, height: 250 },
  verdict: 'mismatch',
  claim: { personId: 'george-w-bush', name: 'George W Bush' },
  claimScore: 0.58,
  claimReferencePhoto: 'ref-bush',
  bestMatch: { personId: 'vladimir-putin', name: 'Vladimir Putin', score: 0.91, referencePhoto: 'ref-putin' },
  nearest: { personId: 'vladimir-putin', name: 'Vladimir Putin', score: 0.91, referencePhoto: 'ref-putin' },
  runnerUp: { personId: 'george-w-bush', name: 'George W Bush', score: 0.58, referencePhoto: 'ref-bush' },
  reasons: ['does not match George W Bush', 'matches Vladimir Putin'],
};
const result: ImageResult = { file: 'summit-handout.jpg', findings: [], faces: [confirmed, swapped], flagged: true };
const now = new Date('2026-11-28T18:00:00.000Z');
const checkId = '5b0c8a4e-2f59-4c1e-9d51-3d3f4b1a9e20';

describe('webhook events', () => {
  it('check.flagged lists each flagged face with the claimed person, the verdict, the scores, whom it matches instead and links', () => {
    const event = buildEvent({ type: 'check.flagged', data: { checkId, batchId: null, result } }, 'https://verify.example.org/', now);
    expect(event).toMatchObject({ type: 'check.flagged', timestamp: '2026-11-28T18:00:00.000Z', schemaVersion });
    expect(event.data).toEqual({
      check: {
        id: checkId,
        batchId: null,
        file: 'summit-handout.jpg',
        url: `https://verify.example.org/v1/checks/${checkId}`,
        reviewUrl: `https://verify.example.org/review/checks/${checkId}`,
      },
      findings: [],
      faces: [
        {
          // Faces are numbered from 1, as the reports show them: the swap is the second face.
          face: 2,
          box: swapped.box,
          verdict: 'mismatch',
          claimed: { personId: 'george-w-bush', name: 'George W Bush' },
          scores: { claimed: 0.58, bestMatch: 0.91, nearest: 0.91, runnerUp: 0.58 },
          matchesInstead: { personId: 'vladimir-putin', name: 'Vladimir Putin', score: 0.91, referencePhoto: 'ref-putin' },
          reasons: ['does not match George W Bush', 'matches Vladimir Putin'],
          evidenceUrl: `https://verify.example.org/v1/checks/${checkId}/faces/2/evidence`,
          reviewUrl: `https://verify.example.org/review/checks/${checkId}#face-2`,
        },
      ],
    });
  });

  it('gives the same event the same id when it is published again, and different events different ids', () => {
    const flagged = (at: Date) =>
      buildEvent({ type: 'check.flagged', data: { checkId, batchId: null, result } }, 'https://verify.example.org', at);
    expect(flagged(now).id).toBe(flagged(new Date()).id);
    expect(flagged(now).id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(
      buildEvent({ type: 'check.completed', data: { checkId, batchId: null, result } }, 'https://verify.example.org', now).id,
    ).not.toBe(flagged(now).id);
  });

  it('check.completed counts the verdicts; check.failed carries the reason', () => {
    const completed = buildEvent({ type: 'check.completed', data: { checkId, batchId: 'b1', result } }, 'https://verify.example.org', now);
    expect(completed.data).toMatchObject({
      check: { batchId: 'b1' },
      flagged: true,
      faces: 2,
      verdicts: { confirmed: 1, mismatch: 1 },
      findings: [],
    });
    const failed = buildEvent(
      {
        type: 'check.failed',
        data: {
          checkId,
          batchId: null,
          result: {
            file: 'draft.jpg',
            findings: [],
            faces: [],
            flagged: true,
            error: { code: 'IMAGE_CORRUPT', message: 'the image is truncated' },
          },
        },
      },
      'https://verify.example.org',
      now,
    );
    expect(failed.data).toEqual({
      check: {
        id: checkId,
        batchId: null,
        file: 'draft.jpg',
        url: `https://verify.example.org/v1/checks/${checkId}`,
        reviewUrl: `https://verify.example.org/review/checks/${checkId}`,
      },
      error: { code: 'IMAGE_CORRUPT', message: 'the image is truncated' },
    });
  });

  it('batch.completed has the counts and links to the flagged checks', () => {
    const event = buildEvent(
      {
        type: 'batch.completed',
        data: {
          batchId: 'b1',
          images: 3,
          faces: 7,
          flagged: 1,
          errors: 0,
          verdicts: { confirmed: 6, mismatch: 1 },
          flaggedChecks: [checkId],
        },
      },
      'https://verify.example.org',
      now,
    );
    expect(event.data).toEqual({
      batch: { id: 'b1', url: 'https://verify.example.org/v1/batches/b1' },
      counts: { images: 3, faces: 7, flagged: 1, errors: 0, verdicts: { confirmed: 6, mismatch: 1 } },
      flaggedChecks: [
        {
          id: checkId,
          url: `https://verify.example.org/v1/checks/${checkId}`,
          reviewUrl: `https://verify.example.org/review/checks/${checkId}`,
        },
      ],
    });
  });

  it('check.reviewed says the decision, the note, who made it and when; a changed decision is a new event', () => {
    const review = { decision: 'photo_wrong', note: 'Putin above Bush', reviewedBy: 'Olena', at: '2026-11-30T10:00:00.000Z' };
    const event = buildEvent(
      { type: 'check.reviewed', data: { checkId, batchId: null, file: 'summit-handout.jpg', review } },
      'https://verify.example.org',
      now,
    );
    expect(event.data).toEqual({
      check: {
        id: checkId,
        batchId: null,
        file: 'summit-handout.jpg',
        url: `https://verify.example.org/v1/checks/${checkId}`,
        reviewUrl: `https://verify.example.org/review/checks/${checkId}`,
      },
      review,
    });
    const changed = buildEvent(
      { type: 'check.reviewed', data: { checkId, batchId: null, file: 'x', review: { ...review, at: '2026-11-30T11:00:00.000Z' } } },
      'https://verify.example.org',
      now,
    );
    expect(changed.id).not.toBe(event.id);
  });

  it('refuses to build an event without its subject', () => {
    expect(() => buildEvent({ type: 'check.flagged', data: {} }, 'https://verify.example.org')).toThrow(
      'a check.flagged event needs data.checkId',
    );
  });
});

describe('the README', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Webhooks'));

  it.each(eventTypes)('documents %s with an example payload', (type) => {
    expect(section).toContain(`**\`${type}\`**`);
    expect(section).toContain(`"type": "${type}"`);
  });
});
