import { describe, expect, it } from 'vitest';
import type { Point } from '../../src/domain/types.js';
import {
  chipFrame,
  distinctFaces,
  extractChip,
  eyeAngle,
  frontalNoseDrop,
  headPose,
  l2normalise,
  noseDrop,
} from '../../src/engine/geometry.js';

/** A schematic frontal 68-point face: eyes at y=0, mouth centre at y=1, nose tip at `drop`. */
function face(drop = frontalNoseDrop, noseX = 0): Point[] {
  const p: Point[] = [];
  for (let i = 0; i <= 16; i++) {
    const t = (i / 16) * Math.PI;
    p.push({ x: -Math.cos(t), y: -0.2 + Math.sin(t) * 1.4 }); // jaw, left to right
  }
  for (let i = 0; i < 10; i++) p.push({ x: -0.8 + (i < 5 ? i * 0.15 : 0.3 + (i - 5) * 0.15), y: -0.3 }); // brows
  for (let i = 0; i < 4; i++) p.push({ x: noseX * (i / 3), y: (drop * i) / 3 }); // nose bridge 27..30, tip at 30
  for (let i = 0; i < 5; i++) p.push({ x: noseX - 0.2 + i * 0.1, y: drop + 0.05 }); // nostrils 31..35
  const eye = (cx: number) =>
    [0, 1, 2, 3, 4, 5].map((k) => ({ x: cx + 0.15 * Math.cos((k * Math.PI) / 3), y: 0.05 * Math.sin((k * Math.PI) / 3) }));
  p.push(...eye(-0.4), ...eye(0.4));
  for (let i = 0; i < 20; i++) {
    const t = (i / 20) * 2 * Math.PI;
    p.push({ x: 0.3 * Math.cos(t), y: 1 + 0.1 * Math.sin(t) }); // mouth
  }
  return p.map((q) => ({ x: 100 + q.x * 40, y: 100 + q.y * 40 }));
}

const rotateAbout = (points: Point[], degrees: number, c: Point = { x: 100, y: 100 }) => {
  const a = (degrees * Math.PI) / 180;
  return points.map((q) => ({
    x: c.x + (q.x - c.x) * Math.cos(a) - (q.y - c.y) * Math.sin(a),
    y: c.y + (q.x - c.x) * Math.sin(a) + (q.y - c.y) * Math.cos(a),
  }));
};

describe('head pose from landmarks', () => {
  it('reads a frontal face as looking straight ahead', () => {
    const pose = headPose(face());
    expect(face()).toHaveLength(68);
    expect(Math.abs(pose.yaw)).toBeLessThan(1);
    expect(Math.abs(pose.pitch)).toBeLessThan(1);
    expect(Math.abs(pose.roll)).toBeLessThan(1);
  });

  it('reads a nose tip nearer the mouth as a head tilted down, nearer the eyes as tilted up', () => {
    expect(headPose(face(frontalNoseDrop + 0.1)).pitch).toBeGreaterThan(10);
    expect(headPose(face(frontalNoseDrop - 0.1)).pitch).toBeLessThan(-10);
  });

  it('reads a nose off the middle as a turned head, with the sign of the side', () => {
    const right = headPose(face(frontalNoseDrop, 0.3)).yaw;
    const left = headPose(face(frontalNoseDrop, -0.3)).yaw;
    expect(right).toBeGreaterThan(10);
    expect(left).toBeCloseTo(-right, 5);
  });

  it('reads a tilted frontal face as rolled, and its yaw and pitch stay put', () => {
    const tilted = rotateAbout(face(), 25);
    const pose = headPose(tilted);
    expect(pose.roll).toBeCloseTo(25, 5);
    expect(Math.abs(pose.yaw)).toBeLessThan(1);
    expect(Math.abs(pose.pitch)).toBeLessThan(1);
    expect(noseDrop(tilted)).toBeCloseTo(frontalNoseDrop, 5);
  });
});

describe('the chip the recognition network reads', () => {
  it('levels the eyes when aligning, and not otherwise', () => {
    const tilted = rotateAbout(face(), -15);
    expect((chipFrame(tilted, true).angle * 180) / Math.PI).toBeCloseTo(-15, 5);
    expect(chipFrame(tilted, false).angle).toBe(0);
    expect(eyeAngle(face())).toBeCloseTo(0, 10);
  });

  it("frames face-api's descriptor crop: a square of side eye-to-mouth / 0.45, the eyes-and-mouth centre 43% down", () => {
    const scaled = face();
    // Eye centres (84, 100) and (116, 100), mouth centre (100, 140): eye-to-mouth sqrt(16^2 + 40^2).
    const side = Math.hypot(16, 40) / 0.45;
    const frame = chipFrame(scaled, false, 'dlib');
    expect(frame.side).toBeCloseTo(side, 6);
    expect(frame.centre.x).toBeCloseTo(100, 6);
    // The reference point (mean of the three centres) is at y = 100 + 40/3, 43% of the side from the top.
    expect(frame.centre.y - frame.side / 2).toBeCloseTo(100 + 40 / 3 - 0.43 * side, 6);
    // It is a tighter view of the face than the landmark box padded by 20%.
    expect(frame.side).toBeLessThan(chipFrame(scaled, false, 'bbox').side);
  });

  it('gives a tilted face the same descriptor crop, turned with it, when aligning', () => {
    const level = chipFrame(face(), true, 'dlib');
    const tilted = chipFrame(rotateAbout(face(), -15), true, 'dlib');
    expect(tilted.side).toBeCloseTo(level.side, 6);
    expect((tilted.angle * 180) / Math.PI).toBeCloseTo(-15, 5);
  });

  it('mirrors the chip column for column', () => {
    const width = 40;
    const height = 30;
    const rgb = Buffer.alloc(width * height * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37) % 251;
    const frame = { angle: 0, centre: { x: 20, y: 15 }, side: 20 };
    const chip = extractChip(rgb, width, height, frame, false, 20);
    const mirrored = extractChip(rgb, width, height, frame, true, 20);
    for (let v = 0; v < 20; v++) {
      for (let u = 0; u < 20; u++) {
        for (let c = 0; c < 3; c++) expect(mirrored[(v * 20 + u) * 3 + c]).toBe(chip[(v * 20 + 19 - u) * 3 + c]);
      }
    }
  });

  it('scales descriptors to unit length', () => {
    const v = l2normalise([3, 4]);
    expect(v[0]).toBeCloseTo(0.6, 10);
    expect(v[1]).toBeCloseTo(0.8, 10);
  });
});

describe('each face of an image once', () => {
  const shifted = (points: Point[], dx: number, dy: number) => points.map((q) => ({ x: q.x + dx, y: q.y + dy }));

  it('a face the detector boxed twice, the second box shifted, is reported once: the surer detection is kept', () => {
    // Eyes 32 px apart; the second detection's landmarks 8 px right and 3 px down, as tiles and the rescan give.
    const first = { score: 0.72, landmarks: face() };
    const second = { score: 0.96, landmarks: shifted(face(), 8, 3) };
    const elsewhere = { score: 0.5, landmarks: shifted(face(), 300, 0) };
    expect(distinctFaces([first, second, elsewhere])).toEqual([second, elsewhere]);
  });

  it('two people side by side in one photo, eyes 24 px (0.75 eye distances) apart, are two faces', () => {
    const subject = { score: 0.43, landmarks: face() };
    const beside = { score: 0.85, landmarks: shifted(face(), 24, 2) };
    expect(distinctFaces([subject, beside])).toEqual([subject, beside]);
  });
});
