/** The checker's report: the shared JSON schema (domain/results.ts) plus a summary of the registry it was checked against. */

import type { ImageResult, Report, ReportSummary } from '../domain/results.js';

export interface SkippedReferencePhoto {
  referencePhoto: string;
  reason: string;
}

/** The registry a report was checked against: what was in it, what was used and what was left out (a report shape, filled by the offline loader or from the service). */
export interface RegistrySummary {
  people: number;
  referencePhotos: {
    /** Photos whose face is in the gallery. */
    used: number;
    /** Photos analysed in this run. */
    computed: number;
    /** Photos whose analysis came from the descriptor cache. */
    fromCache: number;
    skipped: SkippedReferencePhoto[];
    /** Photos in use that are below what a good reference shows, with why: they may fail to confirm the person. */
    weak: { referencePhoto: string; warnings: string[] }[];
  };
  /** Names of people left with no usable reference photo: no face can ever match them. */
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
