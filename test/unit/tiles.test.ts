import { describe, expect, it } from 'vitest';
import { mayHaveMissedLargerFace, mayHoldFace, mergeDetections, tilesOf, wantsTiles } from '../../src/engine/pipeline.js';

const face = (x: number, y: number, side: number, score = 0.9) => ({ box: { x, y, width: side, height: side }, score });

describe('detection on tiles, for small faces on large pages', () => {
  it('looks again on tiles only on a large image where no face, or only small ones, was found', () => {
    expect(wantsTiles({ width: 568, height: 800 }, [face(40, 60, 35)])).toBe(true);
    expect(wantsTiles({ width: 568, height: 800 }, [])).toBe(true);
    // A portrait: its face is large.
    expect(wantsTiles({ width: 800, height: 600 }, [face(250, 100, 300)])).toBe(false);
    // A small image: the detector already sees it at about its size.
    expect(wantsTiles({ width: 250, height: 250 }, [face(100, 100, 20)])).toBe(false);
  });

  it('detects again at other paddings when the only faces found are small for the image: a web photo where only the bystander was found', () => {
    // The benchmark's web photo: a 40-px bystander found, the 70-px subject missed.
    expect(mayHaveMissedLargerFace({ width: 357, height: 226 }, [face(101, 53, 40)])).toBe(true);
    // The subject found: nothing to look for.
    expect(mayHaveMissedLargerFace({ width: 357, height: 226 }, [face(101, 53, 40), face(212, 94, 72)])).toBe(false);
    // An LFW portrait (250 px, face about 100 px) and an image with no face at all (the retries handle it).
    expect(mayHaveMissedLargerFace({ width: 250, height: 250 }, [face(75, 75, 100)])).toBe(false);
    expect(mayHaveMissedLargerFace({ width: 357, height: 226 }, [])).toBe(false);
  });

  it('covers the image with overlapping tiles, so that every face narrower than the overlap lies whole in one', () => {
    const tiles = tilesOf(568, 800);
    expect(tiles).toHaveLength(2 * 3);
    for (const tile of tiles) {
      expect(tile.left + tile.width).toBeLessThanOrEqual(568);
      expect(tile.top + tile.height).toBeLessThanOrEqual(800);
    }
    // Every 40-px square of the page lies whole in some tile.
    for (let x = 0; x + 40 <= 568; x += 8)
      for (let y = 0; y + 40 <= 800; y += 8)
        expect(tiles.some((t) => x >= t.left && x + 40 <= t.left + t.width && y >= t.top && y + 40 <= t.top + t.height)).toBe(true);
    expect(tilesOf(300, 200)).toEqual([{ left: 0, top: 0, width: 300, height: 200 }]);
    // An A4 page drawn at 200 dpi: nine tiles, not fifty.
    expect(tilesOf(1654, 2339)).toHaveLength(9);
  });

  it('adds a face found on a tile, once, and not the part of a face a tile cut off', () => {
    const whole = [face(10, 10, 40)];
    const merged = mergeDetections(whole, [
      face(12, 12, 38, 0.95), // the same face, found again on a tile
      face(200, 300, 36, 0.7), // a face the whole image missed, found on two tiles
      face(201, 301, 35, 0.6),
      face(200, 300, 18, 0.4), // half of it, at a tile's edge
    ]);
    expect(merged).toEqual([face(10, 10, 40), face(200, 300, 36, 0.7)]);
  });

  it('does not search the bare paper of a page for faces, but does search any photograph on it', () => {
    // A 320-px tile of light paper, painted where `paint` gives a brightness.
    const tileHoldsFace = (paint: (x: number, y: number) => number | null) => {
      const rgb = Buffer.alloc(320 * 320 * 3, 245);
      for (let y = 0; y < 320; y++)
        for (let x = 0; x < 320; x++) {
          const value = paint(x, y);
          if (value !== null) rgb.fill(value, (y * 320 + x) * 3, (y * 320 + x) * 3 + 3);
        }
      return mayHoldFace(rgb, 320, 320);
    };
    expect(tileHoldsFace(() => null)).toBe(false);
    // A rule across the page and a page number: thin print.
    expect(tileHoldsFace((x, y) => (y === 100 || (y > 300 && x > 150 && x < 160 && x % 3 === 0) ? 20 : null))).toBe(false);
    // A 16-px speck of photograph (a stamp, a logo): too small to hold a face the detector finds.
    expect(tileHoldsFace((x, y) => (x >= 304 && y >= 304 ? 90 + ((x * 7 + y * 13) % 80) : null))).toBe(false);
    // A 40-px photograph in a corner: a portrait this small can already hold a face the detector finds.
    expect(tileHoldsFace((x, y) => (x >= 280 && y >= 280 ? 90 + ((x * 7 + y * 13) % 80) : null))).toBe(true);
    // A dark photograph, and a page scanned grey.
    expect(tileHoldsFace((x, y) => (x < 100 && y < 100 ? 40 : null))).toBe(true);
    expect(tileHoldsFace(() => 200)).toBe(true);
  });
});
