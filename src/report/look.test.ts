import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FaceResult } from '../domain/results.js';
import type { FindingCode, Verdict } from '../domain/types.js';
import { faceBoxesSvg, findingWords, glossaryHtml, scoreInWords, verdictWords } from './look.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The README's Concepts table as [kind, code, meaning, todo], markdown taken out. */
function conceptsRows(): string[][] {
  const plain = (cell: string) =>
    cell
      .trim()
      .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
      .replace(/`/g, '');
  return readme
    .split('\n')
    .filter((line) => /^\| (verdict|finding) \|/.test(line))
    .map((line) => line.split('|').slice(1, -1).map(plain));
}

const face = (overrides: Partial<FaceResult>): FaceResult => ({
  box: { x: 10, y: 10, width: 50, height: 60 },
  verdict: 'confirmed',
  claim: null,
  claimScore: null,
  claimReferencePhoto: null,
  bestMatch: null,
  nearest: null,
  runnerUp: null,
  reasons: [],
  quality: { faceSize: 30, detectorScore: 0.9, sharpness: 50, yaw: 0, pitch: 0, roll: 0 },
  ...overrides,
});
const bekirov = { personId: 'enver-bekirov', name: 'Enver Bekirov' };
const match = (personId: string, name: string, score: number) => ({ personId, name, score, referencePhoto: `${personId}/a.jpg` });

describe('the shared look', () => {
  it("says every verdict and finding in the README's words, with a word and a symbol for each verdict", () => {
    const rows = conceptsRows();
    expect(rows.map(([kind, code]) => `${kind} ${code}`).sort()).toEqual(
      [...Object.keys(verdictWords).map((code) => `verdict ${code}`), ...Object.keys(findingWords).map((code) => `finding ${code}`)].sort(),
    );
    for (const [kind, code, meaning, todo] of rows) {
      const words = kind === 'verdict' ? verdictWords[code as Verdict] : findingWords[code as FindingCode];
      expect({ code, meaning: words.meaning, todo: words.todo }).toEqual({ code, meaning, todo });
    }
    for (const words of Object.values(verdictWords)) expect(words.symbol.length).toBeGreaterThan(0);
    expect(new Set(Object.values(verdictWords).map((words) => words.label)).size).toBe(Object.keys(verdictWords).length);
  });

  it('says a mismatch below the reject threshold in words, with the thresholds its reasons state', () => {
    const lines = scoreInWords(
      face({
        verdict: 'mismatch',
        claim: bekirov,
        claimScore: 0.83,
        nearest: match('lviv-man', 'Ivan Petrenko', 0.84),
        reasons: [
          'the face is not Enver Bekirov (similarity 0.83, below 0.86) and matches nobody in the registry (the nearest is Ivan Petrenko, similarity 0.84)',
        ],
      }),
    );
    expect(lines[0]).toBe("0.83 with Enver Bekirov's photo: clearly not Enver Bekirov (below 0.86 means a different person)");
    expect(lines[1]).toBe("0.84 with Ivan Petrenko's photo: the nearest in the registry, and still clearly not Ivan Petrenko (below 0.86)");
  });

  it('names whom a swapped photo matches instead, and makes up no threshold the reasons do not state', () => {
    const lines = scoreInWords(
      face({
        verdict: 'mismatch',
        claim: bekirov,
        claimScore: 0.81,
        bestMatch: match('other', 'Server Mustafayev', 0.95),
        nearest: match('other', 'Server Mustafayev', 0.95),
        reasons: [
          'the face is not Enver Bekirov (similarity 0.81): it matches Server Mustafayev (similarity 0.95, reference photo other/a.jpg)',
        ],
      }),
    );
    expect(lines).toEqual([
      "0.81 with Enver Bekirov's photo: too low to confirm Enver Bekirov: Server Mustafayev matches better, by 0.14",
      "0.95 with Server Mustafayev's photo: matches Server Mustafayev instead",
    ]);
  });

  it('shows a third decimal where two would put a score on the wrong side of a threshold', () => {
    const [line] = scoreInWords(
      face({
        verdict: 'mismatch',
        claim: bekirov,
        claimScore: 0.8597,
        reasons: ['the face is not Enver Bekirov (similarity 0.86, below 0.86) and matches nobody in the registry'],
      }),
    );
    expect(line).toBe("0.860 with Enver Bekirov's photo: clearly not Enver Bekirov (below 0.86 means a different person)");
  });

  it('draws one numbered box per face, in image pixels, with names escaped', () => {
    const svg = faceBoxesSvg(800, 600, [
      { box: { x: 10, y: 100, width: 80, height: 100 }, verdict: 'confirmed', number: 1 },
      { box: { x: 300, y: 0, width: 80, height: 100 }, verdict: 'mismatch', number: 2 },
    ]);
    expect(svg).toContain('viewBox="0 0 800 600"');
    expect(svg.match(/<g class="face-box/g)).toHaveLength(2);
    expect(svg).toContain('>1 ✓</text>');
    expect(svg).toContain('>2 ✗</text>');
  });

  it('lists every verdict and finding in the glossary', () => {
    const html = glossaryHtml();
    for (const code of [...Object.keys(verdictWords), ...Object.keys(findingWords)]) expect(html).toContain(`<code>${code}</code>`);
    expect(html).toContain('<th scope="col">What to do</th>');
  });
});
