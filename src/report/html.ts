/**
 * The report as one self-contained HTML page: for each flagged image, every face cropped from
 * the draft beside the claimed person's matching reference photo and the registry's best match,
 * with the scores. Pictures are embedded as data URIs, so the page reads without the files.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { FaceResult, ImageResult } from '../domain/results.js';
import { isFlaggedFace } from '../domain/results.js';
import { escapeMarkup, faceCrop } from '../images/face-crop.js';
import type { OfflineReport } from './report.js';

export interface HtmlSources {
  /** Absolute path of a checked image, by its report name. */
  draftPath(file: string): string | undefined;
  /** The registry folder reference photo names are relative to. */
  registryRoot: string;
}

const pictureHeight = 160;
const score = (value: number | null | undefined) => (value === null || value === undefined ? '–' : value.toFixed(2));

async function thumbnail(input: Sharp): Promise<string> {
  const jpeg = await input.resize({ height: pictureHeight, withoutEnlargement: false }).jpeg({ quality: 82 }).toBuffer();
  return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
}

export async function renderHtml(report: OfflineReport, sources: HtmlSources): Promise<string> {
  const references = new Map<string, Promise<string | null>>();
  const referencePicture = (referencePhoto: string) => {
    if (!references.has(referencePhoto)) {
      const file = path.join(sources.registryRoot, referencePhoto);
      references.set(
        referencePhoto,
        readFile(file)
          .then((bytes) => thumbnail(sharp(bytes).rotate()))
          .catch(() => null),
      );
    }
    return references.get(referencePhoto)!;
  };

  const figure = (src: string | null, caption: string, alt: string) =>
    src
      ? `<figure><img src="${src}" alt="${escapeMarkup(alt)}" height="${pictureHeight}"><figcaption>${caption}</figcaption></figure>`
      : `<figure class="missing"><div>picture unavailable</div><figcaption>${caption}</figcaption></figure>`;

  const faceCard = async (image: ImageResult, face: FaceResult, index: number, bytes: Buffer | null) => {
    const figures: string[] = [];
    const crop = bytes
      ? await faceCrop(bytes, face.box)
          .then(thumbnail)
          .catch(() => null)
      : null;
    figures.push(figure(crop, `face ${index + 1} in the draft`, `face ${index + 1} of ${image.file}`));
    if (face.claim && face.claimReferencePhoto) {
      figures.push(
        figure(
          await referencePicture(face.claimReferencePhoto),
          `claimed: <b>${escapeMarkup(face.claim.name)}</b><br>similarity ${score(face.claimScore)}<br><small>${escapeMarkup(face.claimReferencePhoto)}</small>`,
          `reference photo of ${face.claim.name}`,
        ),
      );
    } else if (face.claim) {
      figures.push(figure(null, `claimed: <b>${escapeMarkup(face.claim.name)}</b><br>no reference photo`, ''));
    }
    const other = face.bestMatch ?? face.nearest;
    if (other && other.personId !== face.claim?.personId) {
      const label = face.bestMatch ? 'matches' : 'nearest, below the threshold';
      figures.push(
        figure(
          await referencePicture(other.referencePhoto),
          `${label}: <b>${escapeMarkup(other.name)}</b><br>similarity ${score(other.score)}<br><small>${escapeMarkup(other.referencePhoto)}</small>`,
          `reference photo of ${other.name}`,
        ),
      );
    }
    const flagged = isFlaggedFace(face);
    return `<section class="face${flagged ? ' flagged' : ''}">
  <h3>Face ${index + 1}: <span class="verdict ${face.verdict}">${face.verdict}</span></h3>
  <div class="evidence">${figures.join('')}</div>
  <ul>${face.reasons.map((reason) => `<li>${escapeMarkup(reason)}</li>`).join('')}</ul>
</section>`;
  };

  const imageSection = async (image: ImageResult) => {
    const draft = sources.draftPath(image.file);
    const bytes = draft && !image.error ? await readFile(draft).catch(() => null) : null;
    const findings = [
      ...(image.error ? [`<li class="error">${escapeMarkup(image.error.code)}: ${escapeMarkup(image.error.message)}</li>`] : []),
      ...image.findings
        .filter((finding) => finding.code !== 'image_error')
        .map((finding) => `<li><b>${finding.code}</b>: ${escapeMarkup(finding.message)}</li>`),
    ];
    const cards: string[] = [];
    for (const [index, face] of image.faces.entries()) cards.push(await faceCard(image, face, index, bytes));
    return `<article>
<h2>${escapeMarkup(image.file)}</h2>
${findings.length > 0 ? `<ul class="findings">${findings.join('')}</ul>` : ''}
${cards.join('\n')}
</article>`;
  };

  const flagged = report.images.filter((image) => image.flagged);
  const passed = report.images.filter((image) => !image.flagged);
  const sections: string[] = [];
  for (const image of flagged) sections.push(await imageSection(image));
  const { summary, registry } = report;
  const { skippedCount, pending } = registry.referencePhotos;
  const skipped = registry.referencePhotos.skipped ?? [];

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>photo-verify report: ${summary.flagged} of ${summary.images} image(s) flagged</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
article { border-top: 2px solid #ccc; margin-top: 2em; }
.face { margin: 1em 0; padding: 0.5em 1em; border-left: 4px solid #8a8; }
.face.flagged { border-left-color: #c33; }
.evidence { display: flex; gap: 1em; flex-wrap: wrap; }
figure { margin: 0; max-width: 220px; }
figure img { display: block; border: 1px solid #999; }
figure.missing div { height: ${pictureHeight}px; width: ${pictureHeight}px; background: #eee; display: grid; place-items: center; }
.verdict { padding: 0 0.4em; border-radius: 3px; background: #eee; }
.verdict.mismatch, .error { color: #a00; }
.verdict.confirmed, .verdict.identified { color: #070; }
.findings li { color: #a00; }
</style>
</head>
<body>
<h1>photo-verify report</h1>
<p>${summary.images} image(s), ${summary.faces} face(s), <b>${summary.flagged} flagged</b>, ${summary.errors} could not be checked.
Registry: ${registry.people} people, ${registry.referencePhotos.used} reference photos in use${skippedCount > 0 ? `, ${skippedCount} skipped` : ''}${pending > 0 ? `, ${pending} not yet enrolled` : ''}.
Scores are similarities (cosine of the face descriptors): higher is more alike. Model: ${escapeMarkup(report.model)}.</p>
${skipped.length > 0 ? `<details><summary>Skipped reference photos</summary><ul>${skipped.map((photo) => `<li>${escapeMarkup(photo.referencePhoto)}: ${escapeMarkup(photo.reason)}</li>`).join('')}</ul></details>` : ''}
${sections.join('\n')}
${passed.length > 0 ? `<article><h2>Not flagged</h2><ul>${passed.map((image) => `<li>${escapeMarkup(image.file)}: ${image.faces.map((face) => `${face.verdict}${face.bestMatch ? ` (${escapeMarkup(face.bestMatch.name)} ${score(face.bestMatch.score)})` : ''}`).join(', ')}</li>`).join('')}</ul></article>` : ''}
</body>
</html>
`;
}
