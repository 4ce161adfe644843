/**
 * 1:N at registry scale: milliseconds to score one face against every reference photo and pick
 * the best two people and the claimed one, as a check does (src/domain/matching.ts), for 1k, 10k
 * and 100k synthetic unit descriptors (two photos per person) in face-api's 128 dimensions and
 * the fused descriptor's, and the fused mode's whole search with face-api's second opinion (a
 * second pass over the registry's face-api part, src/domain/verdicts.ts). With --json, one line per
 * size: {"references": N, "dimension": D, "msPerFace": x, "cpuMsPerFace": y} (and "secondOpinion": true).
 * msPerFace is wall time; cpuMsPerFace the process's CPU time, the figure that holds on a machine
 * whose cores other work shares (the search itself runs on one core).
 */

import { descriptorPart } from '../src/domain/descriptor-modes.js';
import { type Gallery, galleryOfPart } from '../src/domain/gallery.js';
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
    // A fused model id where the vectors are fused-sized, so that galleryOfPart reads their face-api part.
    model: dimension === descriptorDimension('fused') ? `synthetic/fused(face-api:1,fr-feature:1)` : `synthetic-${dimension}`,
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
  const runs: { dimension: number; secondOpinion: boolean }[] = [
    { dimension: descriptorDimension('face-api'), secondOpinion: false },
    { dimension: descriptorDimension('fused'), secondOpinion: false },
    { dimension: descriptorDimension('fused'), secondOpinion: true },
  ];
  for (const { dimension, secondOpinion } of runs) {
    for (const references of [1_000, 10_000, 100_000]) {
      const gallery = syntheticGallery(references, dimension);
      const search = (probe: number[]) => {
        rankPeople(probe, gallery, { top: 2, include: ['person-0'] });
        if (secondOpinion)
          rankPeople(descriptorPart(probe, 'fused', 'face-api'), galleryOfPart(gallery, 'face-api'), { top: 2, include: ['person-0'] });
      };
      const built = performance.now();
      referenceMatrix(gallery);
      if (secondOpinion) referenceMatrix(galleryOfPart(gallery, 'face-api'));
      const buildMs = performance.now() - built;
      const next = random(7);
      const probes = Array.from({ length: 20 }, () => unitVector(next, dimension));
      // The first face also builds the 8-bit first pass of a large gallery (src/domain/matching.ts).
      const first = performance.now();
      search(probes[0]);
      const firstFaceMs = performance.now() - first;
      for (const probe of probes.slice(1, 3)) search(probe);
      const cpu = process.cpuUsage();
      const started = performance.now();
      for (const probe of probes) search(probe);
      const msPerFace = (performance.now() - started) / probes.length;
      const used = process.cpuUsage(cpu);
      const cpuMsPerFace = (used.user + used.system) / 1000 / probes.length;
      const round = (v: number) => Number(v.toFixed(3));
      if (json)
        console.log(
          JSON.stringify({
            references,
            dimension,
            ...(secondOpinion ? { secondOpinion } : {}),
            msPerFace: round(msPerFace),
            cpuMsPerFace: round(cpuMsPerFace),
            matrixBuildMs: round(buildMs),
            firstFaceMs: round(firstFaceMs),
          }),
        );
      else
        console.log(
          `  1:N ${String(references).padStart(6)} references x ${dimension}-d${secondOpinion ? " + face-api's second opinion" : ''}: ${msPerFace.toFixed(2)} ms per face (CPU ${cpuMsPerFace.toFixed(2)} ms; matrix built once in ${buildMs.toFixed(0)} ms, first face ${firstFaceMs.toFixed(0)} ms)`,
        );
    }
  }
}
