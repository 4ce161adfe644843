/**
 * Who appears in the handout benchmark: labelled LFW photos split by a hash of the name into a
 * calibration and a report half, each with its registry people and its strangers. Pure apart
 * from listing the photo folders; every random choice comes from a seeded generator.
 */
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

export const halves = ['calibration', 'report'] as const;
export type Half = (typeof halves)[number];

export const crimeanCategory = 'crimean-political-prisoner';
export const powCategory = 'prisoner-of-war';

export interface LabelledPhoto {
  /** Relative to the faces folder. */
  file: string;
  /** The LFW photo number: the same photo in lfw-view1 (150 px) and lfw-10-people (250 px) shares it. */
  shot: string;
}

export interface Identity {
  /** LFW folder name, e.g. `Colin_Powell`. */
  label: string;
  photos: LabelledPhoto[];
}

/** The LFW photo folders the benchmark draws from, under the faces folder. */
export const lfwFolders = ['lfw-view1', 'lfw-10-people'];

const lfwFile = /^(.+)_(\d{4})\.(jpe?g|png)$/i;

/**
 * Every `<Name>_NNNN.jpg` under the LFW folders, grouped by name: works for the shared layout
 * (`images/<Name>/<Name>_NNNN.jpg`) and for the flat copies in test/fixtures alike.
 */
export async function listIdentities(facesDir: string): Promise<Identity[]> {
  const byLabel = new Map<string, LabelledPhoto[]>();
  for (const folder of lfwFolders) {
    const root = path.join(facesDir, folder);
    const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const match = entry.isFile() ? lfwFile.exec(entry.name) : null;
      if (!match) continue;
      const file = path.relative(facesDir, path.join(entry.parentPath, entry.name));
      const photos = byLabel.get(match[1]) ?? [];
      photos.push({ file, shot: match[2] });
      byLabel.set(match[1], photos);
    }
  }
  return [...byLabel]
    .map(([label, photos]) => ({ label, photos: photos.sort((a, b) => a.file.localeCompare(b.file)) }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** Distinct photos: the same LFW shot at two sizes counts once. */
export const shots = (identity: Identity) => new Set(identity.photos.map((photo) => photo.shot)).size;

/** The half a person belongs to, by a hash of the name alone: the same for every seed. */
export function halfOf(label: string): Half {
  return createHash('sha256').update(label).digest()[0] % 2 === 0 ? 'calibration' : 'report';
}

/** A seeded generator (mulberry32) per purpose, so that one choice changing does not shift the others. */
export function randomFor(seed: number, purpose: string): Random {
  let state = createHash('sha256').update(`${seed}:${purpose}`).digest().readUInt32LE(0);
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return new Random(next);
}

export class Random {
  constructor(readonly next: () => number) {}

  /** A whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** One of the items, each with its weight's share of the chances. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [item, weight] of items) {
      roll -= weight;
      if (roll < 0) return item;
    }
    return items[items.length - 1][0];
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

/** `Colin_Powell` → `Colin Powell`. */
export const displayName = (label: string) => label.replace(/_/g, ' ');

/** `Colin_Powell` → `colin-powell`: a registry id (lower-case letters, digits and hyphens). */
export const personId = (label: string) =>
  label
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

// Latin to Ukrainian-looking Cyrillic, longest spellings first: the reverse of a passport transliteration.
const toCyrillic: [string, string][] = [
  ['shch', 'щ'],
  ['sch', 'ш'],
  ['zh', 'ж'],
  ['kh', 'х'],
  ['ch', 'ч'],
  ['sh', 'ш'],
  ['ts', 'ц'],
  ['tz', 'ц'],
  ['ya', 'я'],
  ['yu', 'ю'],
  ['ye', 'є'],
  ['yi', 'ї'],
  ['ph', 'ф'],
  ['th', 'т'],
  ['ck', 'к'],
  ['qu', 'кв'],
  ['a', 'а'],
  ['b', 'б'],
  ['c', 'к'],
  ['d', 'д'],
  ['e', 'е'],
  ['f', 'ф'],
  ['g', 'г'],
  ['h', 'х'],
  ['i', 'і'],
  ['j', 'дж'],
  ['k', 'к'],
  ['l', 'л'],
  ['m', 'м'],
  ['n', 'н'],
  ['o', 'о'],
  ['p', 'п'],
  ['q', 'к'],
  ['r', 'р'],
  ['s', 'с'],
  ['t', 'т'],
  ['u', 'у'],
  ['v', 'в'],
  ['w', 'в'],
  ['x', 'кс'],
  ['y', 'и'],
  ['z', 'з'],
];

/** `Colin Powell` → `Колін Повелл`: what a Ukrainian caption writer might print. */
export function cyrillicAlias(name: string): string {
  const plain = name.normalize('NFKD').replace(/\p{M}/gu, '');
  return plain
    .split(/\s+/)
    .map((word) => {
      const lower = word.toLowerCase();
      let out = '';
      for (let i = 0; i < lower.length; ) {
        const hit = toCyrillic.find(([latin]) => lower.startsWith(latin, i));
        if (hit) {
          out += hit[1];
          i += hit[0].length;
        } else {
          out += lower[i];
          i++;
        }
      }
      return out.length > 0 ? out[0].toUpperCase() + out.slice(1) : out;
    })
    .join(' ');
}

// Letters no transliteration rule or loose name key treats as equivalent to another.
const plainLetters = 'bdflmnpr';

/**
 * The name with one letter of its last word changed, so that no spelling rule restores it: the
 * checker must report it as an unknown name, not pick the person silently. Null when no letter fits.
 */
export function misspell(name: string, random: Random): string | null {
  const words = name.split(' ');
  const last = words.at(-1)!;
  const positions = [...last].flatMap((letter, i) => (i > 0 && plainLetters.includes(letter) ? [i] : []));
  if (positions.length === 0) return null;
  const at = random.pick(positions);
  const around = new Set([last[at - 1], last[at], last[at + 1]]);
  const replacement = random.pick([...plainLetters].filter((letter) => !around.has(letter)));
  words[words.length - 1] = last.slice(0, at) + replacement + last.slice(at + 1);
  return words.join(' ');
}
