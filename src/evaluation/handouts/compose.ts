/**
 * Composes the handout benchmark from labelled photos, per half: a registry folder, printed
 * lists and web photos with known swaps, the claims manifest in the offline checker's format,
 * and truth.json. Deterministic for a seed and an engine model; the engine is used only to find
 * each registry person's look-alike among the strangers.
 */
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { loadReferencePhotos } from '../../cli/reference-photos.js';
import { contentHash } from '../../domain/content-hash.js';
import { descriptorModeOf, descriptorPart } from '../../domain/descriptor-modes.js';
import { checkReferencePhoto } from '../../domain/evaluate.js';
import { similarity } from '../../domain/matching.js';
import { defaultPipelineOptions } from '../../engine/pipeline.js';
import type { FaceEngine } from '../../engine/pool.js';
import { isAppError } from '../../errors.js';
import { DescriptorCache as ReferenceCache } from '../../registry-folder/cache.js';
import { readRegistryFolder } from '../../registry-folder/folder.js';
import { analyseImages } from '../analyse.js';
import { EvaluationCache } from '../cache.js';
import { analyseCached, enrolmentCacheFile, referenceCacheFile } from './analyses.js';
import {
  crimeanCategory,
  cyrillicAlias,
  displayName,
  type Half,
  halfOf,
  halves,
  type Identity,
  type LabelledPhoto,
  listIdentities,
  misspell,
  personId,
  powCategory,
  type Random,
  randomFor,
  shots,
} from './cast.js';
import { renderList, renderSingle } from './render.js';
import {
  type CaptionSpelling,
  claimsFile,
  type DraftTruth,
  draftsFolder,
  type HalfTruth,
  type Portrait,
  type PortraitKind,
  registryFolder,
  truthFile,
} from './truth.js';

export interface ComposeSettings {
  seed: number;
  /** Registry people per half. */
  people: number;
  /** Printed lists per half. */
  lists: number;
  /** Single web photos per half. */
  singles: number;
  /** Portraits on a list (fewer when the half has fewer people). */
  portraitsPerList: number;
  /** Strangers per half whose descriptors are computed to find look-alikes. */
  strangerPool: number;
}

export const defaultComposeSettings: Omit<ComposeSettings, 'seed'> = {
  people: 200,
  lists: 28,
  singles: 20,
  portraitsPerList: 12,
  strangerPool: 250,
};

export const listTitle = 'Crimean political prisoners';
const settingsFile = 'compose.json';
/** Raised whenever the composition changes, so that a work folder made by older code is composed again. */
const compositionVersion = 4;

interface RegistryEntry {
  identity: Identity;
  id: string;
  name: string;
  alias: string;
  category: string;
  references: LabelledPhoto[];
  /** Photos of other shots than the references: what drafts show. */
  draftPhotos: LabelledPhoto[];
  /** The engine's descriptors of the usable reference photos, for choosing look-alikes. */
  referenceDescriptors: number[][];
}

interface Stranger {
  identity: Identity;
  photo: LabelledPhoto;
  descriptor?: number[];
}

interface Cast {
  registry: RegistryEntry[];
  strangers: Stranger[];
  /** Strangers with a descriptor, candidates for look-alikes. */
  pool: Stranger[];
}

/** Whether the work folder already holds a composition made with these settings. */
export async function isComposed(workDir: string, settings: ComposeSettings): Promise<boolean> {
  try {
    const stored = await readFile(path.join(workDir, settingsFile), 'utf8');
    if (stored !== stampOf(settings)) return false;
    await Promise.all(halves.map((half) => readFile(path.join(workDir, half, truthFile))));
    return true;
  } catch {
    return false;
  }
}

export async function composeBenchmark(
  facesDir: string,
  workDir: string,
  settings: ComposeSettings,
  engine: FaceEngine,
  log: (line: string) => void,
): Promise<void> {
  const identities = await listIdentities(facesDir);
  if (identities.length === 0) throw new Error(`no LFW photos (<Name>_NNNN.jpg) under ${facesDir}/{lfw-view1,lfw-10-people}`);
  await rm(path.join(workDir, settingsFile), { force: true });
  for (const half of halves) {
    const halfDir = path.join(workDir, half);
    for (const part of [registryFolder, draftsFolder, claimsFile, truthFile])
      await rm(path.join(halfDir, part), { recursive: true, force: true });
    await mkdir(halfDir, { recursive: true });
    log(`${half}: enrolling registry people (reference photos the checker accepts)`);
    const enrolment = await ReferenceCache.open(enrolmentCacheFile(halfDir));
    const cast = await chooseCast(
      facesDir,
      identities.filter((identity) => halfOf(identity.label) === half),
      half,
      settings,
      engine,
      enrolment,
    );
    await enrolment.save(engine.model);
    await writeRegistry(facesDir, path.join(halfDir, registryFolder), cast.registry, enrolment, referenceCacheFile(halfDir), engine.model);
    log(
      `${half}: ${cast.registry.length} registry people, ${cast.strangers.length} strangers; computing reference and stranger descriptors`,
    );
    await describeCast(facesDir, halfDir, cast, engine);
    const truth = await composeDrafts(facesDir, halfDir, half, cast, settings);
    await writeFile(path.join(halfDir, claimsFile), claimsManifest(truth.drafts));
    await writeFile(path.join(halfDir, truthFile), `${JSON.stringify(truth, null, 1)}\n`);
    log(`${half}: composed ${truth.drafts.length} drafts in ${halfDir}`);
  }
  await writeFile(path.join(workDir, settingsFile), stampOf(settings));
}

const stampOf = (settings: ComposeSettings) => `${JSON.stringify({ compositionVersion, ...settings })}\n`;

/** A registry candidate with every random choice made up front, so that the analyses' order does not matter. */
interface Candidate {
  identity: Identity;
  id: string;
  category: string;
  wanted: number;
  /** One file per shot, in the order the curator tries them as reference photos. */
  tries: LabelledPhoto[];
  byShot: Map<string, LabelledPhoto[]>;
}

/**
 * Registry people as a careful curator enrols them: photos are tried in turn and only those the
 * checker accepts as reference photos are kept (150-px LFW portraits often have the eyes too
 * close together for the reference gate, or a second face); one shot is always left for drafts.
 * About a fifth hold two or three reference photos. A person with no acceptable photo is left out.
 */
async function chooseCast(
  facesDir: string,
  identities: Identity[],
  half: Half,
  settings: ComposeSettings,
  engine: FaceEngine,
  enrolment: ReferenceCache,
): Promise<Cast> {
  const random = randomFor(settings.seed, `${half}:cast`);
  const ids = new Set<string>();
  const candidates: Candidate[] = [];
  for (const identity of random.shuffle(identities.filter((identity) => shots(identity) >= 2))) {
    const id = personId(identity.label);
    if (id === '' || ids.has(id)) continue;
    ids.add(id);
    const byShot = groupByShot(identity.photos);
    const tries = random.shuffle([...byShot.keys()].sort()).map((shot) => random.pick(byShot.get(shot)!));
    const wanted = random.chance(0.2) ? random.int(2, 3) : 1;
    candidates.push({ identity, id, category: random.chance(0.15) ? powCategory : crimeanCategory, wanted, tries, byShot });
  }

  const accepted = async (photo: LabelledPhoto) => {
    try {
      const { analysis } = await analyseCached(engine, enrolment, await readFile(path.join(facesDir, photo.file)));
      return checkReferencePhoto(analysis).accepted;
    } catch (error) {
      if (isAppError(error)) return false;
      throw error;
    }
  };
  const registry: RegistryEntry[] = [];
  for (let start = 0; start < candidates.length && registry.length < settings.people; ) {
    // Enough candidates for the people still wanted, with room for those without a usable photo.
    const batch = candidates.slice(start, start + Math.ceil((settings.people - registry.length) * 1.3) + 2);
    start += batch.length;
    const enrolled = await pLimit(engine.threads * 2).map(batch, async (candidate) => {
      const references: LabelledPhoto[] = [];
      for (const photo of candidate.tries) {
        if (references.length >= candidate.wanted || references.length >= candidate.tries.length - 1) break;
        if (await accepted(photo)) references.push(photo);
      }
      return references;
    });
    batch.forEach((candidate, index) => {
      const references = enrolled[index];
      if (references.length === 0 || registry.length >= settings.people) return;
      const referenceShots = new Set(references.map((photo) => photo.shot));
      const name = displayName(candidate.identity.label);
      registry.push({
        identity: candidate.identity,
        id: candidate.id,
        name,
        alias: cyrillicAlias(name),
        category: candidate.category,
        references,
        draftPhotos: [...candidate.byShot].filter(([shot]) => !referenceShots.has(shot)).flatMap(([, photos]) => photos),
        referenceDescriptors: [],
      });
    });
  }
  const inRegistry = new Set(registry.map((entry) => entry.identity.label));
  const strangers = identities
    .filter((identity) => !inRegistry.has(identity.label))
    .map((identity) => ({ identity, photo: random.pick(identity.photos) }));
  return { registry, strangers, pool: random.shuffle(strangers).slice(0, settings.strangerPool) };
}

function groupByShot(photos: LabelledPhoto[]): Map<string, LabelledPhoto[]> {
  const byShot = new Map<string, LabelledPhoto[]>();
  for (const photo of photos) byShot.set(photo.shot, [...(byShot.get(photo.shot) ?? []), photo]);
  return byShot;
}

/** Categories, regions and statuses are invented for the benchmark; they say nothing about the real people. */
async function writeRegistry(
  facesDir: string,
  folder: string,
  registry: RegistryEntry[],
  enrolment: ReferenceCache,
  cacheFile: string,
  model: string,
): Promise<void> {
  // The offline checker's cache for this registry, filled from the enrolment's analyses.
  const cache = await ReferenceCache.open(cacheFile);
  for (const entry of registry) {
    const dir = path.join(folder, entry.id);
    await mkdir(dir, { recursive: true });
    const region = entry.category === powCategory ? 'Zaporizhzhia region' : 'Crimea';
    await writeFile(
      path.join(dir, 'person.json'),
      `${JSON.stringify({ name: entry.name, aliases: [entry.alias], category: entry.category, region, status: 'detained' }, null, 2)}\n`,
    );
    for (const photo of entry.references) {
      await copyFile(path.join(facesDir, photo.file), path.join(dir, path.basename(photo.file)));
      const hash = contentHash(await readFile(path.join(facesDir, photo.file)));
      const analysis = enrolment.get(model, hash);
      if (analysis) cache.set(hash, analysis);
    }
  }
  await cache.save(model);
}

/**
 * Reference descriptors through the offline checker's own loading and cache (so the run finds
 * them cached), stranger descriptors through the evaluation's cache (shared with `npm run eval`).
 * Look-alikes are chosen by face-api's descriptor whatever mode the checker runs in, so that every
 * mode is measured on the same material: a fused reference vector gives back its face-api part.
 */
async function describeCast(facesDir: string, halfDir: string, cast: Cast, engine: FaceEngine): Promise<void> {
  const registry = await readRegistryFolder(path.join(halfDir, registryFolder));
  const cache = await ReferenceCache.open(referenceCacheFile(halfDir));
  const { gallery } = await loadReferencePhotos(registry, engine, cache);
  await cache.save(engine.model);
  const byId = new Map(cast.registry.map((entry) => [entry.id, entry]));
  for (const reference of gallery.references)
    byId
      .get(reference.personId)
      ?.referenceDescriptors.push(descriptorPart(reference.descriptor, descriptorModeOf(gallery.model), 'face-api'));

  const images = await analyseImages(
    engine,
    new EvaluationCache(),
    facesDir,
    cast.pool.map((stranger) => stranger.photo.file),
    { ...defaultPipelineOptions, descriptor: 'face-api' },
  );
  for (const stranger of cast.pool) stranger.descriptor = images.get(stranger.photo.file)?.face?.descriptor;
}

/** Hands out strangers: look-alikes nearest to a person, each stranger used once per half where possible. */
class StrangerPicker {
  private readonly usedLookalikes = new Set<Stranger>();

  constructor(private readonly cast: Cast) {}

  random(random: Random, except: Set<string>): Stranger {
    const candidates = this.cast.strangers.filter((stranger) => !except.has(stranger.identity.label));
    return random.pick(candidates.length > 0 ? candidates : this.cast.strangers);
  }

  /** The stranger whose face is nearest the person's reference photos, or null when none has a descriptor. */
  lookalike(entry: RegistryEntry): Stranger | null {
    const targets = entry.referenceDescriptors;
    let best: Stranger | null = null;
    let bestScore = -Infinity;
    for (const stranger of this.cast.pool) {
      if (!stranger.descriptor || this.usedLookalikes.has(stranger) || targets.length === 0) continue;
      const score = Math.max(...targets.map((target) => similarity(target, stranger.descriptor!)));
      if (score > bestScore) {
        best = stranger;
        bestScore = score;
      }
    }
    if (best) this.usedLookalikes.add(best);
    return best;
  }
}

type PlannedPortrait = Omit<Portrait, 'rect'>;

function caption(entry: RegistryEntry, random: Random, allowTypo: boolean): { text: string; spelling: CaptionSpelling } {
  const roll = random.next();
  if (allowTypo && roll < 0.05) {
    const wrong = misspell(entry.name, random);
    if (wrong) return { text: wrong, spelling: 'misspelt' };
  }
  if (roll > 0.78) return { text: entry.alias, spelling: 'cyrillic' };
  return { text: entry.name, spelling: 'latin' };
}

function portraitOf(
  claimed: RegistryEntry,
  shown: { label: string; personId: string | null; photo: LabelledPhoto },
  kind: PortraitKind,
  random: Random,
): PlannedPortrait {
  const { text, spelling } = caption(claimed, random, kind === 'genuine');
  return {
    claimedName: text,
    claimedPersonId: claimed.id,
    spelling,
    kind,
    truePersonId: shown.personId,
    trueLabel: shown.label,
    photo: shown.photo.file,
  };
}

const genuinePhoto = (entry: RegistryEntry, random: Random) => ({
  label: entry.identity.label,
  personId: entry.id,
  photo: random.pick(entry.draftPhotos),
});
const strangerPhoto = (stranger: Stranger) => ({ label: stranger.identity.label, personId: null, photo: stranger.photo });

/** Look-alikes are the swaps that matter most (DESIGN.md: swaps chosen because the faces look alike), so they come most often. */
const swapWeights = [
  ['lookalike_stranger', 0.4],
  ['random_stranger', 0.2],
  ['registry_swap', 0.2],
  ['pow_in_crimean_list', 0.2],
] as const;

/** A list's portraits in reading order: genuine Crimean political prisoners with 0-2 swaps. */
function planList(cast: Cast, picker: StrangerPicker, random: Random, size: number): PlannedPortrait[] {
  const crimean = cast.registry.filter((entry) => entry.category === crimeanCategory);
  const prisonersOfWar = cast.registry.filter((entry) => entry.category === powCategory);
  const people = random.shuffle(crimean).slice(0, size);
  const portraits: (PlannedPortrait | null)[] = people.map(() => null);
  const roll = random.next();
  const swaps = roll < 0.2 ? 0 : roll < 0.6 ? 1 : 2;
  const free = () => portraits.flatMap((portrait, index) => (portrait === null ? [index] : []));
  for (let s = 0; s < swaps; s++) {
    const kinds = swapWeights.filter(([kind]) =>
      kind === 'pow_in_crimean_list'
        ? prisonersOfWar.length > 0
        : kind === 'registry_swap'
          ? free().length >= 2
          : cast.strangers.length > 0,
    );
    if (kinds.length === 0) break;
    const kind = random.weighted(kinds);
    const open = random.shuffle(free());
    if (open.length === 0) break;
    const at = open[0];
    const claimed = people[at];
    if (kind === 'registry_swap') {
      const other = open[1];
      portraits[at] = portraitOf(claimed, genuinePhoto(people[other], random), kind, random);
      portraits[other] = portraitOf(people[other], genuinePhoto(claimed, random), kind, random);
    } else if (kind === 'pow_in_crimean_list') {
      const prisoner = random.pick(prisonersOfWar);
      portraits[at] = portraitOf(prisoner, genuinePhoto(prisoner, random), kind, random);
    } else {
      const lookalike = kind === 'lookalike_stranger' ? picker.lookalike(claimed) : null;
      const stranger = lookalike ?? picker.random(random, new Set());
      portraits[at] = portraitOf(claimed, strangerPhoto(stranger), lookalike ? 'lookalike_stranger' : 'random_stranger', random);
    }
  }
  return portraits.map((portrait, index) => portrait ?? portraitOf(people[index], genuinePhoto(people[index], random), 'genuine', random));
}

/** A web photo's subject: genuine half of the time, else a stranger, a look-alike or another registry person. */
function planSingle(cast: Cast, picker: StrangerPicker, random: Random): PlannedPortrait {
  const claimed = random.pick(cast.registry);
  const roll = random.next();
  if (roll < 0.5 || cast.registry.length < 2) return portraitOf(claimed, genuinePhoto(claimed, random), 'genuine', random);
  if (roll < 0.7) {
    const lookalike = picker.lookalike(claimed);
    if (lookalike) return portraitOf(claimed, strangerPhoto(lookalike), 'lookalike_stranger', random);
  }
  if (roll < 0.85) {
    const other = random.pick(cast.registry.filter((entry) => entry !== claimed));
    return portraitOf(claimed, genuinePhoto(other, random), 'registry_swap', random);
  }
  return portraitOf(claimed, strangerPhoto(picker.random(random, new Set())), 'random_stranger', random);
}

async function composeDrafts(facesDir: string, halfDir: string, half: Half, cast: Cast, settings: ComposeSettings): Promise<HalfTruth> {
  const picker = new StrangerPicker(cast);
  const drafts: DraftTruth[] = [];
  const photo = (file: string) => readFile(path.join(facesDir, file));
  await mkdir(path.join(halfDir, draftsFolder), { recursive: true });
  const crimeanCount = cast.registry.filter((entry) => entry.category === crimeanCategory).length;
  const size = Math.min(settings.portraitsPerList, crimeanCount);

  for (let n = 1; n <= settings.lists && size > 0; n++) {
    const random = randomFor(settings.seed, `${half}:list:${n}`);
    const planned = planList(cast, picker, random, size);
    const layout = {
      title: listTitle,
      columns: random.pick([3, 4]),
      portraitWidth: random.int(70, 120),
      greyscale: random.chance(0.3),
      jpegQuality: random.int(50, 70),
    };
    const entries = await Promise.all(
      planned.map(async (portrait) => ({ photo: await photo(portrait.photo), caption: portrait.claimedName })),
    );
    const { image, rects } = await renderList(layout, entries);
    const file = `${draftsFolder}/list-${String(n).padStart(2, '0')}.jpg`;
    await writeFile(path.join(halfDir, file), image);
    drafts.push({
      file,
      layout: 'list',
      title: layout.title,
      category: listTitle,
      holdsPow: planned.some((portrait) => portrait.kind === 'pow_in_crimean_list'),
      greyscale: layout.greyscale,
      jpegQuality: layout.jpegQuality,
      portraitWidth: layout.portraitWidth,
      portraits: planned.map((portrait, index) => ({ rect: rects[index], ...portrait })),
      bystanders: [],
    });
  }

  // A web photo needs strangers for its bystander and background.
  for (let n = 1; n <= settings.singles && cast.registry.length > 0 && cast.strangers.length > 0; n++) {
    const random = randomFor(settings.seed, `${half}:single:${n}`);
    const planned = planSingle(cast, picker, random);
    const bystander = picker.random(random, new Set([planned.trueLabel]));
    const backdrop = picker.random(random, new Set([planned.trueLabel, bystander.identity.label]));
    const layout = {
      subjectSide: random.int(180, 260),
      bystanderScale: 0.4 + random.next() * 0.3,
      bystanderBlur: random.chance(0.5) ? 1 + random.next() * 2 : 0,
      bystanderLeft: random.chance(0.5),
      jpegQuality: random.int(65, 75),
    };
    const { image, subjectRect, bystanderRect } = await renderSingle(
      layout,
      await photo(planned.photo),
      await photo(bystander.photo.file),
      await photo(backdrop.photo.file),
    );
    const file = `${draftsFolder}/web-${String(n).padStart(2, '0')}.jpg`;
    await writeFile(path.join(halfDir, file), image);
    drafts.push({
      file,
      layout: 'single',
      holdsPow: false,
      greyscale: false,
      jpegQuality: layout.jpegQuality,
      portraitWidth: layout.subjectSide,
      portraits: [{ rect: subjectRect, ...planned }],
      bystanders: [{ rect: bystanderRect, trueLabel: bystander.identity.label, photo: bystander.photo.file }],
    });
  }

  return {
    seed: settings.seed,
    half,
    registry: {
      people: cast.registry.length,
      prisonersOfWar: cast.registry.filter((entry) => entry.category === powCategory).length,
      referencePhotos: cast.registry.reduce((sum, entry) => sum + entry.references.length, 0),
    },
    strangers: { pool: cast.strangers.length, withDescriptor: cast.pool.filter((stranger) => stranger.descriptor).length },
    drafts,
  };
}

const csvField = (text: string) => (/[",;\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** The offline checker's claims manifest: file,names,category with names in reading order. */
function claimsManifest(drafts: DraftTruth[]): string {
  const rows = drafts.map((draft) =>
    [draft.file, draft.portraits.map((portrait) => portrait.claimedName).join('; '), draft.category ?? ''].map(csvField).join(','),
  );
  return ['file,names,category', ...rows, ''].join('\n');
}
