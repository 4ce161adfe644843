/**
 * 1:N matching: a face against every active reference photo of every person. A person's score
 * is their best photo's, and the answer names that photo. The references are held as one
 * Float32Array matrix per gallery, scored in one pass, and only the people asked for are sorted.
 */
import type { Gallery } from './gallery.js';
import type { Match } from './results.js';
import { type CoarseKernel, createCoarseKernel, createScoreKernel, type ScoreKernel } from './score-kernel.js';

/** The dot product: the cosine similarity of two unit-length descriptors, as the engine makes them. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** Cosine similarity of any two vectors; for the engine's unit-length descriptors, the dot product. */
export function similarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/** Euclidean distance of unit-length descriptors from their similarity (face-api's usual 0.6 is a distance). */
export function distanceFromSimilarity(score: number): number {
  return Math.sqrt(Math.max(0, 2 - 2 * score));
}

/** A gallery's reference descriptors, L2-normalised, one row per reference photo. */
export interface ReferenceMatrix {
  dimension: number;
  rows: number;
  /** Holds the matrix and scores a probe against every row in one pass. */
  kernel: ScoreKernel;
  /** Per row: the index of its person in `personIds`. */
  personOfRow: Int32Array;
  personIds: string[];
  names: string[];
  /** For a large gallery, the 8-bit first pass (see rankPeople); built on first use. */
  coarse?: { kernel: CoarseKernel; rowsOfPerson: Int32Array[] } | null;
}

/**
 * From this many reference photos on, a face asked for its best few people is first scored on
 * 8-bit rows (a quarter of the memory read per face), and only the rows of the people that pass
 * ahead are scored again exactly: at 100,000 fused references the float pass reads 256 MB.
 */
export const coarseMinRows = 20_000;
/** People taken into the exact pass beyond those asked for: the 8-bit scores are off by about 0.001. */
const coarseSlack = 16;

const matrices = new WeakMap<Gallery, ReferenceMatrix>();

/** The gallery's matrix, built on first use and kept as long as the gallery is. */
export function referenceMatrix(gallery: Gallery): ReferenceMatrix {
  let built = matrices.get(gallery);
  if (built) return built;
  const dimension = gallery.references[0]?.descriptor.length ?? 0;
  const kernel = createScoreKernel(gallery.references.length, dimension);
  const personOfRow = new Int32Array(gallery.references.length);
  const personIndex = new Map<string, number>();
  const personIds: string[] = [];
  gallery.references.forEach((reference, row) => {
    if (reference.descriptor.length !== dimension) {
      throw new Error(
        `reference photo ${reference.referencePhoto} has a ${reference.descriptor.length}-d descriptor, the gallery ${dimension}-d`,
      );
    }
    kernel.matrix.set(unitRow(reference.descriptor), row * dimension);
    let index = personIndex.get(reference.personId);
    if (index === undefined) {
      index = personIds.length;
      personIndex.set(reference.personId, index);
      personIds.push(reference.personId);
    }
    personOfRow[row] = index;
  });
  const nameOf = new Map(gallery.people.map((person) => [person.id, person.name]));
  built = {
    dimension,
    rows: gallery.references.length,
    kernel,
    personOfRow,
    personIds,
    names: personIds.map((id) => nameOf.get(id) ?? id),
  };
  matrices.set(gallery, built);
  return built;
}

function unitRow(vector: ArrayLike<number>): Float32Array {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i] * vector[i];
  const scale = norm === 0 ? 0 : 1 / Math.sqrt(norm);
  const row = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) row[i] = vector[i] * scale;
  return row;
}

export interface RankOptions {
  /** Only the best `top` people (all when absent). */
  top?: number;
  /** People to include whatever their rank (the claimed person), placed by score. */
  include?: string[];
}

/**
 * Registry people with at least one reference photo, best first (ties by id, so the order is
 * stable): every one of them by default, else the best `top` and those asked for by `include`.
 */
export function rankPeople(descriptor: ArrayLike<number>, gallery: Gallery, options: RankOptions = {}): Match[] {
  const index = referenceMatrix(gallery);
  const people = index.personIds.length;
  if (people === 0) return [];
  const best = new Float64Array(people).fill(-Infinity);
  const bestRow = new Int32Array(people).fill(-1);
  const probe = unitRow(descriptor);
  if (probe.length !== index.dimension)
    throw new Error(`a ${probe.length}-d descriptor cannot be compared with a ${index.dimension}-d gallery`);
  const before = (a: number, b: number) => best[a] > best[b] || (best[a] === best[b] && index.personIds[a] < index.personIds[b]);
  const included = (options.include ?? []).map((id) => index.personIds.indexOf(id)).filter((person) => person >= 0);
  let chosen: number[];
  const coarse = options.top !== undefined && options.top < people ? coarsePass(index) : null;
  if (coarse && options.top !== undefined) {
    // 8-bit scores for everyone; then exact scores for the people ahead and those asked for.
    scoreRows(probe, index, best, bestRow, coarse.kernel.score(probe));
    const candidates = new Set([...topPeople(best, options.top + coarseSlack, before), ...included]);
    for (const person of candidates) exactPerson(probe, index, coarse.rowsOfPerson[person], person, best, bestRow);
    chosen = [...candidates].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0)).slice(0, options.top);
  } else {
    scoreRows(probe, index, best, bestRow);
    chosen = options.top === undefined || options.top >= people ? allPeople(people) : topPeople(best, options.top, before);
  }
  const wanted = new Set(chosen);
  for (const person of included) {
    if (!wanted.has(person)) {
      wanted.add(person);
      chosen.push(person);
    }
  }
  chosen.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  return chosen.map((person) => ({
    personId: index.personIds[person],
    name: index.names[person],
    score: best[person],
    referencePhoto: gallery.references[bestRow[person]].referencePhoto,
  }));
}

/** The gallery's 8-bit first pass, where it is large enough to need one (see coarseMinRows). */
function coarsePass(index: ReferenceMatrix): ReferenceMatrix['coarse'] {
  if (index.coarse === undefined) {
    const kernel = index.rows >= coarseMinRows ? createCoarseKernel(index.kernel.matrix, index.rows, index.dimension) : null;
    if (!kernel) index.coarse = null;
    else {
      const counts = new Int32Array(index.personIds.length);
      for (const person of index.personOfRow) counts[person]++;
      const rowsOfPerson = Array.from(counts, (count) => new Int32Array(count));
      counts.fill(0);
      index.personOfRow.forEach((person, row) => {
        rowsOfPerson[person][counts[person]++] = row;
      });
      index.coarse = { kernel, rowsOfPerson };
    }
  }
  return index.coarse;
}

/** A person's best score and row, computed exactly over their rows of the float matrix. */
function exactPerson(
  probe: Float32Array,
  index: ReferenceMatrix,
  rows: Int32Array,
  person: number,
  best: Float64Array,
  bestRow: Int32Array,
) {
  const { matrix } = index.kernel;
  const { dimension } = index;
  best[person] = -Infinity;
  for (const row of rows) {
    // Summed in float64, where the kernels sum float32 lanes (the last bits may differ); stored in float32 like theirs.
    const rounded = Math.fround(dot(probe, matrix.subarray(row * dimension, (row + 1) * dimension)));
    if (rounded > best[person]) {
      best[person] = rounded;
      bestRow[person] = row;
    }
  }
}

/** One pass over the matrix (or the given scores of every row): each person's best score and the row it came from. */
function scoreRows(probe: Float32Array, index: ReferenceMatrix, best: Float64Array, bestRow: Int32Array, given?: Float32Array): void {
  const { rows, personOfRow } = index;
  const scores = given ?? index.kernel.score(probe);
  for (let row = 0; row < rows; row++) {
    const score = scores[row];
    const person = personOfRow[row];
    if (score > best[person]) {
      best[person] = score;
      bestRow[person] = row;
    }
  }
}

function allPeople(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

/** The best k people by insertion into a k-long list: O(people x k) with small k, no full sort. */
function topPeople(best: Float64Array, k: number, before: (a: number, b: number) => boolean): number[] {
  const top: number[] = [];
  if (k <= 0) return top;
  for (let person = 0; person < best.length; person++) {
    if (top.length === k && !before(person, top[k - 1])) continue;
    let at = top.length < k ? top.length : k - 1;
    top[at] = person;
    while (at > 0 && before(top[at], top[at - 1])) {
      [top[at], top[at - 1]] = [top[at - 1], top[at]];
      at--;
    }
  }
  return top;
}
