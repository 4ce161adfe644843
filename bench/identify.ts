/**
 * 1:N at registry scale: milliseconds to score one face against every reference photo and pick
 * the best two people and the claimed one, as a check does (src/domain/matching.ts), for 1k, 10k
 * and 100k synthetic unit descriptors (two photos per person) in face-api's 128 dimensions and
 * the fused descriptor's. With --json, one line per size: {"references": N, "dimension": D, "msPerFace": x, "cpuMsPerFace": y}.
 * msPerFace is wall time; cpuMsPerFace the process's CPU time, the figure that holds on a machine
 * whose cores other work shares (the search itself runs on one core).
 */

import type { Gallery } from '../src/domain/gallery.js';
import { rankPeople, referenceMatrix } from '../src/domain/matching.js';
import { descriptorDimension } from '../src/engine/descriptors.js';

/** A deterministic generator, so every run scores the same registry. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

function unitVector(next: () => number, dimension: number): number[] {
  const vector = Array.from({ length: dimension }, next);
  const norm = Math.hypot(...vector);
  return vector.map((v) => v / norm);
}

function syntheticGallery(references: number, dimension: number): Gallery {
  const next = random(references + dimension);
  const people = Array.from({ length: Math.ceil(references / 2) }, (_, i) => ({ id: `person-${i}`, name: `Person ${i}`, aliases: [] }));
  return {
    model: `synthetic-${dimension}`,
    people,
    references: Array.from({ length: references }, (_, i) => ({
      personId: people[Math.floor(i / 2)].id,
      referencePhoto: `photo-${i}.jpg`,
      descriptor: unitVector(next, dimension),
    })),
  };
}

export async function identifyBenchmark(): Promise<void> {
  const json = process.argv.includes('--json');
  for (const dimension of [descriptorDimension('face-api'), descriptorDimension('fused')]) {
    for (const references of [1_000, 10_000, 100_000]) {
      const gallery = syntheticGallery(references, dimension);
      const built = performance.now();
      referenceMatrix(gallery);
      const buildMs = performance.now() - built;
      const next = random(7);
      const probes = Array.from({ length: 20 }, () => unitVector(next, dimension));
      // The first face also builds the 8-bit first pass of a large gallery (src/domain/matching.ts).
      const first = performance.now();
      rankPeople(probes[0], gallery, { top: 2, include: ['person-0'] });
      const firstFaceMs = performance.now() - first;
      for (const probe of probes.slice(1, 3)) rankPeople(probe, gallery, { top: 2, include: ['person-0'] });
      const cpu = process.cpuUsage();
      const started = performance.now();
      for (const probe of probes) rankPeople(probe, gallery, { top: 2, include: ['person-0'] });
      const msPerFace = (performance.now() - started) / probes.length;
      const used = process.cpuUsage(cpu);
      const cpuMsPerFace = (used.user + used.system) / 1000 / probes.length;
      const round = (v: number) => Number(v.toFixed(3));
      if (json)
        console.log(
          JSON.stringify({
            references,
            dimension,
            msPerFace: round(msPerFace),
            cpuMsPerFace: round(cpuMsPerFace),
            matrixBuildMs: round(buildMs),
            firstFaceMs: round(firstFaceMs),
          }),
        );
      else
        console.log(
          `  1:N ${String(references).padStart(6)} references x ${dimension}-d: ${msPerFace.toFixed(2)} ms per face (CPU ${cpuMsPerFace.toFixed(2)} ms; matrix built once in ${buildMs.toFixed(0)} ms, first face ${firstFaceMs.toFixed(0)} ms)`,
        );
    }
  }
}
