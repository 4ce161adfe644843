/** The offline checker's report: the shared JSON schema (domain/results.ts) plus what the registry folder gave. */

import type { RegistrySummary } from '../cli/reference-photos.js';
import type { ImageResult, Report, ReportSummary } from '../domain/results.js';

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
