/** The checker's report: the shared JSON schema (domain/results.ts) plus a summary of the registry it was checked against. */

import type { ImageResult, Report, ReportSummary } from '../domain/results.js';

export interface SkippedReferencePhoto {
  referencePhoto: string;
  reason: string;
}

export interface WeakReferencePhoto {
  referencePhoto: string;
  warnings: string[];
}

/**
 * The registry a report was checked against: what was in it, what was used and what was left
 * out. The offline check reads a registry folder and knows every photo; check --server is told
 * by the service's registry overview only how many photos are in use, rejected and pending. Both
 * reports have the same keys; what the service does not report is null, never a made-up 0.
 */
export type RegistrySummary = FolderRegistrySummary | ServiceRegistrySummary;

export interface FolderRegistrySummary {
  /** A registry folder, loaded by this run. */
  source: 'folder';
  people: number;
  referencePhotos: {
    /** Photos whose face is in the gallery. */
    used: number;
    /** Photos left out of the gallery: skipped.length. */
    skippedCount: number;
    /** Photos not yet enrolled: always 0, a folder is loaded whole before anything is checked. */
    pending: number;
    /** Photos analysed in this run. */
    computed: number;
    /** Photos whose analysis came from the descriptor cache. */
    fromCache: number;
    skipped: SkippedReferencePhoto[];
    /** Photos in use that are below what a good reference shows, with why: they may fail to confirm the person. */
    weak: WeakReferencePhoto[];
  };
  /** Names of people left with no usable reference photo: no face can ever match them. */
  peopleWithoutPhotos: string[];
}

export interface ServiceRegistrySummary {
  /** The service's registry, as its overview (GET /v1/registry) gave it when the check started. */
  source: 'service';
  people: number;
  referencePhotos: {
    /** Active photos: those whose face is in the gallery. */
    used: number;
    /** Photos the service rejected at enrolment. */
    skippedCount: number;
    /** Photos the service's workers had not enrolled yet: checks may have run without them. */
    pending: number;
    /** The service's workers enrolled the photos; this run analysed none and used no cache. */
    computed: null;
    fromCache: null;
    /** The overview gives counts, not which photos were rejected or are weak (`registry push` lists them). */
    skipped: null;
    weak: null;
  };
  peopleWithoutPhotos: string[];
}

export interface OfflineReport extends Report {
  registry: RegistrySummary;
}

export function summarise(images: readonly ImageResult[]): ReportSummary {
  return {
    images: images.length,
    faces: images.reduce((sum, image) => sum + image.faces.length, 0),
    flagged: images.filter((image) => image.flagged).length,
    errors: images.filter((image) => image.error).length,
  };
}

export function toJson(report: OfflineReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
