/**
 * The registry a check ran against, as the command-line tool tells it: from a registry folder
 * (the offline check) or from the service's registry overview (check --server), one wording.
 */
import type { RegistrySummary, ServiceRegistrySummary } from '../report/report.js';
import type { RegistryOverview } from '../store/reference-photos.js';

/** The report's registry summary from the service's overview: what it counts, and null for what it does not report. */
export function serviceRegistrySummary(overview: RegistryOverview): ServiceRegistrySummary {
  return {
    source: 'service',
    people: overview.people,
    referencePhotos: {
      used: overview.referencePhotos.active,
      skippedCount: overview.referencePhotos.rejected,
      pending: overview.referencePhotos.pending,
      computed: null,
      fromCache: null,
      skipped: null,
      weak: null,
    },
    peopleWithoutPhotos: overview.peopleWithoutPhotos,
  };
}

/** Warns of a person no face can be matched to (the offline check, check --server and registry push say it alike). */
export const noUsablePhotoWarning = (name: string) =>
  `warning: ${name} has no usable reference photo, so no face can be confirmed as them; add a photo where the face is clear`;

/** Warns of a reference photo in use that may fail to confirm its person. */
export const weakPhotoNote = (photo: { referencePhoto: string; warnings: string[] }) =>
  `weak ${photo.referencePhoto} (in use; a clearer photo would confirm more faces): ${photo.warnings.join('; ')}`;

/** What a curator must act on first: people no face can be matched to, then photos left out, then weak photos in use. */
export function describeRegistry(where: string, summary: RegistrySummary): string {
  const { used, skippedCount, pending } = summary.referencePhotos;
  const lines =
    summary.source === 'folder'
      ? [
          `registry ${where}: ${summary.people} people; reference photos: ${used} in use (${summary.referencePhotos.weak.length} weak), ${skippedCount} skipped; ${summary.referencePhotos.fromCache} from cache, ${summary.referencePhotos.computed} computed`,
        ]
      : [
          `registry of ${where}: ${summary.people} people; reference photos: ${used} in use, ${skippedCount} rejected, ${pending} not yet enrolled (which ones: photo-verify registry push lists them)`,
        ];
  lines.push(...summary.peopleWithoutPhotos.map((name) => `  ${noUsablePhotoWarning(name)}`));
  if (pending > 0)
    lines.push(
      `  warning: ${pending} reference photo(s) not yet enrolled when the check started may be missing from it; check again once enrolment is done`,
    );
  if (summary.source === 'folder') {
    lines.push(...summary.referencePhotos.skipped.map((photo) => `  skipped ${photo.referencePhoto}: ${photo.reason}`));
    lines.push(...summary.referencePhotos.weak.map((photo) => `  ${weakPhotoNote(photo)}`));
  }
  return `${lines.join('\n')}\n\n`;
}
