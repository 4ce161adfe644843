import { describe, expect, it } from 'vitest';
import { identify, type LabelledDescriptor, type SecondOpinion } from './identification.js';

const unit = (values: number[]) => values.map((v) => v / Math.hypot(...values));
/** A "fused" descriptor of two 2-d parts: the first is face-api's. */
const fused = (faceApi: number[], other: number[]) => [...unit(faceApi), ...unit(other)].map((v) => v / Math.SQRT2);
const part = (descriptor: number[]) => unit(descriptor.slice(0, 2));

describe('1:N figures in the fused mode', () => {
  // Ann's reference and probe agree in the second network; in face-api's part, the probe is unlike her.
  const images: LabelledDescriptor[] = [
    { path: 'ann_1.jpg', identity: 'ann', descriptor: fused([1, 0], [1, 0]) },
    { path: 'ann_2.jpg', identity: 'ann', descriptor: fused([0.5, -Math.sqrt(0.75)], [1, 0]) },
    { path: 'bob_1.jpg', identity: 'bob', descriptor: fused([0, 1], [0, 1]) },
    { path: 'bob_2.jpg', identity: 'bob', descriptor: fused([0.2, 1], [0.2, 1]) },
  ];
  const accept = () => 0.7;

  it('a probe the fused score names, but face-api alone matches to nobody, is not counted as confirmed', () => {
    const without = identify(images, 1, 'max', accept, 0.01);
    expect(without.top1).toBe(1);
    expect(without.confirmed).toBe(1);
    const second: SecondOpinion = { part, acceptFor: () => 0.9, reject: 0.8, margin: 0.01 };
    const withSecond = identify(images, 1, 'max', accept, 0.01, second);
    expect(withSecond.top1).toBe(1);
    // Ann's probe scores 0.5 against her reference in face-api's part: below its reject, so not named.
    expect(withSecond.confirmed).toBe(0.5);
    expect(withSecond.wronglyConfirmed).toBe(0);
  });
});
