/**
 * What the benchmark knows about every draft it composed (`truth.json` beside the claims
 * manifest): where each portrait is, whom it claims and whom it really shows.
 */
import type { Box } from '../../domain/types.js';
import type { Half } from './cast.js';

/**
 * - `genuine`: the claimed person, in another photo than their reference photo.
 * - `random_stranger`: someone outside the registry above a registry name.
 * - `lookalike_stranger`: the stranger whose face the engine finds nearest the named person's reference.
 * - `registry_swap`: another registry person's photo above the name.
 * - `pow_in_crimean_list`: a prisoner of war, genuine photo, in a list titled Crimean political prisoners.
 */
export const portraitKinds = ['genuine', 'random_stranger', 'lookalike_stranger', 'registry_swap', 'pow_in_crimean_list'] as const;
export type PortraitKind = (typeof portraitKinds)[number];
export type SwapKind = Exclude<PortraitKind, 'genuine' | 'pow_in_crimean_list'>;

/** How the caption spells the claimed name: a misspelt one is not in the registry. */
export type CaptionSpelling = 'latin' | 'cyrillic' | 'misspelt';

export interface Portrait {
  /** Where the photo is on the draft, in its pixels. */
  rect: Box;
  /** The caption as printed (and as the claims manifest gives it). */
  claimedName: string;
  /** The registry id the caption means. */
  claimedPersonId: string;
  spelling: CaptionSpelling;
  kind: PortraitKind;
  /** The registry id of whom the photo shows, or null for a stranger. */
  truePersonId: string | null;
  /** The LFW label of whom the photo shows. */
  trueLabel: string;
  /** The source photo, relative to the faces folder. */
  photo: string;
}

export interface Bystander {
  rect: Box;
  trueLabel: string;
  photo: string;
}

export interface DraftTruth {
  /** Relative to the half's folder, as in claims.csv. */
  file: string;
  layout: 'list' | 'single';
  title?: string;
  /** The category the claims manifest gives, for lists. */
  category?: string;
  holdsPow: boolean;
  greyscale: boolean;
  jpegQuality: number;
  /** Width of each portrait on a list, or the subject's on a single photo. */
  portraitWidth: number;
  /** In reading order. */
  portraits: Portrait[];
  bystanders: Bystander[];
}

export interface HalfTruth {
  seed: number;
  half: Half;
  registry: { people: number; prisonersOfWar: number; referencePhotos: number };
  strangers: { pool: number; withDescriptor: number };
  drafts: DraftTruth[];
}

export const truthFile = 'truth.json';
export const claimsFile = 'claims.csv';
export const registryFolder = 'registry';
export const draftsFolder = 'drafts';
