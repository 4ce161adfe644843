import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';

const terminal = (isTTY: boolean, columns: number) => {
  const written: string[] = [];
  return { written, stream: { isTTY, columns, write: (text: string) => written.push(text) > 0 } };
};

describe('progress bar', () => {
  it('draws a bar with the count on a terminal and clears it when done', () => {
    const { written, stream } = terminal(true, 60);
    const progress = createProgress(stream, 'checking', 4);
    progress.tick('drafts/a.jpg');
    progress.tick('drafts/b.jpg');
    progress.done();
    expect(written[2]).toMatch(/^\rchecking \[#{14}-{14}\] 2\/4 drafts\/b\.jpg/);
    expect(written.every((line) => line.replace(/^\r|\r$/g, '').length === 59)).toBe(true);
    expect(written.at(-1)!.trim()).toBe('');
  });

  it('copes with a terminal that reports no width', () => {
    const { written, stream } = terminal(true, 0);
    const progress = createProgress(stream, 'checking', 1);
    progress.tick('x');
    progress.done();
    expect(written).toHaveLength(3);
  });

  it('writes nothing when the output is a file or a pipe', () => {
    const { written, stream } = terminal(false, 80);
    const progress = createProgress(stream, 'checking', 3);
    progress.tick('x');
    progress.done();
    expect(written).toEqual([]);
  });
});
