/**
 * The report as one self-contained HTML page, to read in a browser or send by e-mail: what is wrong
 * at the top, one line per problem; then each image's draft with its faces framed and numbered,
 * every face that needs attention beside the claimed person's reference photos with the scores in
 * words, confirmed faces on one line each; the words explained at the bottom. Pictures are
 * embedded as downscaled JPEG data URIs; the page needs no script and fetches nothing.
 */
import { readFile } from 'node:fs/promises';
import sharp, { type Sharp } from 'sharp';
import type { FaceResult, ImageResult, Match } from '../domain/results.js';
import { isFlaggedFace } from '../domain/results.js';
import type { Verdict } from '../domain/types.js';
import { escapeMarkup, faceRegion } from '../images/face-crop.js';
import {
  captionsHtml,
  css,
  faceBoxesSvg,
  findingWords,
  glossaryHtml,
  scoreInWords,
  type Tone,
  verdictBadge,
  verdictWords,
} from './look.js';
import type { OfflineReport } from './report.js';

/** A reference photo as the report shows it. */
export interface ReferencePicture {
  /** How the JSON report names it (`claimReferencePhoto`, `Match.referencePhoto`). */
  referencePhoto: string;
  /** How a reader names it: `<person id>/<file name>`. */
  name: string;
  /** The file; null when it cannot be had. */
  bytes(): Promise<Buffer | null>;
}

export interface HtmlSources {
  /** Absolute path of a checked image, by its report name. */
  draftPath(file: string): string | undefined;
  /** A person's reference photos in use, and any other of theirs the report names. */
  referencePhotos(personId: string): Promise<ReferencePicture[]>;
}

/** Widths of the embedded drafts, pixels: enough to see each face on a laptop, small enough to send by e-mail. */
const draftWidth = { flagged: 960, passed: 480 };
/** Heights of the embedded face crops and reference photos, and of the thumbnails beside a confirmed face. */
const pictureHeight = 160;
const thumbHeight = 48;

const jpegUri = async (image: Sharp, quality = 80) =>
  `data:image/jpeg;base64,${(await image.jpeg({ quality, mozjpeg: true }).toBuffer()).toString('base64')}`;

/** A draft decoded once, turned upright (EXIF orientation): face boxes are in these pixels. */
interface UprightDraft {
  pixels: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

async function uprightDraft(bytes: Buffer): Promise<UprightDraft | null> {
  try {
    const { data, info } = await sharp(bytes, { failOn: 'none' }).rotate().raw().toBuffer({ resolveWithObject: true });
    return { pixels: data, width: info.width, height: info.height, channels: info.channels };
  } catch {
    return null;
  }
}

const fromRaw = (draft: UprightDraft) =>
  sharp(draft.pixels, { raw: { width: draft.width, height: draft.height, channels: draft.channels } });

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** The name the draft gave a face: as written when it is not a registry name. */
const captionOf = (face: FaceResult) => face.claimText ?? face.claim?.name ?? null;

/** Whom a face shows instead of its caption, if the registry says. */
const otherPerson = (face: FaceResult): Match | null =>
  [face.bestMatch, face.nearest].find((match): match is Match => match !== null && match.personId !== face.claim?.personId) ?? null;

/** One line saying what is wrong with a face, e.g. "captioned George W Bush, shows Vladimir Putin". */
function problemInWords(face: FaceResult): string {
  const caption = captionOf(face);
  const other = otherPerson(face);
  const captioned = caption ? `captioned ${caption}` : 'no name given';
  switch (face.verdict) {
    case 'mismatch':
      return face.bestMatch && face.bestMatch.personId !== face.claim?.personId
        ? `${captioned}, shows ${face.bestMatch.name}`
        : `${captioned}, shows someone else: nobody in the registry matches`;
    case 'low_quality':
      return `${captioned}: the face is too poor to decide (${face.reasons[0]})`;
    case 'unknown':
      return `${captioned}: nobody in the registry matches`;
    case 'uncertain':
      if (face.claimText && face.claim) return `${captioned}: not a registry name (compared with ${face.claim.name}); a person must look`;
      if (face.claim && face.claimScore === null) return `${captioned}: ${face.claim.name} has no reference photo; a person must look`;
      if (!face.claim && other) return `${captioned}: may be ${other.name}; a person must look`;
      if (other && face.claimScore !== null && other.score > face.claimScore)
        return `${captioned}: looks more like ${other.name}; a person must look`;
      return `${captioned}: too close to call; a person must look`;
    default:
      return `${captioned}: ${verdictWords[face.verdict].label}`;
  }
}

/** One line for a face that holds up, e.g. "Colin Powell, 0.95 with colin-powell/a.jpg". */
function holdsUpInWords(face: FaceResult, photoName: (referencePhoto: string) => string): string {
  const setAside = face.setAside === 'bystander' ? 'set aside as a bystander' : face.setAside ? 'set aside: not a face' : null;
  const person = face.verdict === 'identified' ? face.bestMatch : face.claim;
  const score = face.verdict === 'identified' ? face.bestMatch?.score : face.claimScore;
  const photo = face.verdict === 'identified' ? face.bestMatch?.referencePhoto : face.claimReferencePhoto;
  const who = person
    ? `${person.name}${score !== null && score !== undefined ? `, ${score.toFixed(2)} with ${photoName(photo ?? '')}` : ''}`
    : (captionOf(face) ?? 'no name given');
  return setAside ? `${who} (${setAside}; it takes no name and flags nothing)` : who;
}

export async function renderHtml(report: OfflineReport, sources: HtmlSources): Promise<string> {
  const photoLists = new Map<string, Promise<ReferencePicture[]>>();
  const photosOf = (personId: string) => {
    if (!photoLists.has(personId))
      photoLists.set(
        personId,
        sources.referencePhotos(personId).catch(() => []),
      );
    return photoLists.get(personId)!;
  };
  // Learn every photo name the report's faces point to, so that reasons can say `person/file` rather than an id.
  const names = new Map<string, string>();
  const people = new Set<string>();
  for (const face of report.images.flatMap((image) => image.faces)) {
    for (const ref of [face.claim, face.bestMatch, face.nearest, face.runnerUp]) if (ref) people.add(ref.personId);
  }
  for (const personId of people) for (const picture of await photosOf(personId)) names.set(picture.referencePhoto, picture.name);
  const photoName = (referencePhoto: string) => names.get(referencePhoto) ?? referencePhoto;
  const namedInText = (text: string) => {
    let named = text;
    for (const [id, name] of names) if (id !== name) named = named.split(id).join(name);
    return named;
  };

  const thumbnails = new Map<string, Promise<string | null>>();
  const referenceThumbnail = async (personId: string, referencePhoto: string) => {
    if (!thumbnails.has(referencePhoto)) {
      const picture = (await photosOf(personId)).find((candidate) => candidate.referencePhoto === referencePhoto);
      thumbnails.set(
        referencePhoto,
        (async () => {
          const bytes = await picture?.bytes().catch(() => null);
          if (!bytes) return null;
          return jpegUri(sharp(bytes, { failOn: 'none' }).rotate().resize({ height: pictureHeight, withoutEnlargement: true }));
        })().catch(() => null),
      );
    }
    return thumbnails.get(referencePhoto)!;
  };

  const figure = (src: string | null, caption: string, alt: string, className = '') =>
    src
      ? `<figure class="photo${className}"><img src="${src}" alt="${escapeMarkup(alt)}"><figcaption>${caption}</figcaption></figure>`
      : `<figure class="photo missing${className}"><div>picture unavailable</div><figcaption>${caption}</figcaption></figure>`;

  const referenceFigure = async (personId: string, name: string, referencePhoto: string, note: string, matched: boolean) =>
    figure(
      await referenceThumbnail(personId, referencePhoto),
      `${note}<br><span class="muted">${escapeMarkup(photoName(referencePhoto))}</span>`,
      `reference photo of ${name}`,
      matched ? ' matched' : '',
    );

  const faceCrop = async (draft: UprightDraft | null, face: FaceResult, height: number) => {
    if (!draft) return null;
    try {
      return await jpegUri(
        fromRaw(draft)
          .extract(faceRegion(face.box, draft.width, draft.height))
          .resize({ height }),
      );
    } catch {
      return null;
    }
  };

  const faceId = (imageIndex: number, number: number) => `image-${imageIndex + 1}-face-${number}`;

  /** A face that needs attention: the evidence side by side, the scores in words, the reasons. */
  const faceCard = async (image: ImageResult, imageIndex: number, face: FaceResult, number: number, draft: UprightDraft | null) => {
    const tone = verdictWords[face.verdict].tone;
    const figures = [figure(await faceCrop(draft, face, pictureHeight), `face ${number} in the draft`, `face ${number} of ${image.file}`)];
    const caption = captionOf(face);
    if (face.claim) {
      const claim = face.claim;
      const claimed = [...(await photosOf(claim.personId))];
      if (face.claimReferencePhoto && !claimed.some((picture) => picture.referencePhoto === face.claimReferencePhoto)) {
        claimed.unshift({ referencePhoto: face.claimReferencePhoto, name: photoName(face.claimReferencePhoto), bytes: async () => null });
      }
      const heading = face.claimText
        ? `captioned “${escapeMarkup(face.claimText)}”, compared with <b>${escapeMarkup(claim.name)}</b>`
        : `captioned <b>${escapeMarkup(claim.name)}</b>`;
      if (claimed.length === 0) figures.push(figure(null, `${heading}<br>no reference photo`, ''));
      for (const picture of claimed) {
        const matched = picture.referencePhoto === face.claimReferencePhoto;
        const note = matched ? `${heading}<br>✓ closest of their photos: ${face.claimScore?.toFixed(2)}` : heading;
        figures.push(await referenceFigure(claim.personId, claim.name, picture.referencePhoto, note, matched));
      }
    } else if (caption) {
      figures.push(figure(null, `captioned “${escapeMarkup(caption)}”<br>not in the registry`, ''));
    }
    const other = otherPerson(face);
    if (other) {
      const label = face.bestMatch?.personId === other.personId ? (face.claim ? 'matches instead' : 'matches') : 'nearest in the registry';
      figures.push(
        await referenceFigure(
          other.personId,
          other.name,
          other.referencePhoto,
          `${label}: <b>${escapeMarkup(other.name)}</b><br>${other.score.toFixed(2)}`,
          false,
        ),
      );
    }
    const scores = scoreInWords(face).map((line) => `<li>${escapeMarkup(namedInText(line))}</li>`);
    return `<section class="face tone-${tone}" id="${faceId(imageIndex, number)}">
<h3>Face ${number}: ${verdictBadge(face.verdict)} <span class="muted">${escapeMarkup(problemInWords(face))}</span></h3>
<div class="evidence">${figures.join('')}</div>
${scores.length > 0 ? `<p class="muted">Scores (1 is the same picture; higher is more alike):</p><ul class="scores">${scores.join('')}</ul>` : ''}
<p class="muted">Why:</p><ul class="reasons">${face.reasons.map((reason) => `<li>${escapeMarkup(namedInText(reason))}</li>`).join('')}</ul>
<p class="muted">What to do: ${escapeMarkup(verdictWords[face.verdict].todo)}</p>
</section>`;
  };

  /** A face that holds up (or was set aside): one line with a small thumbnail. */
  const compactFace = async (image: ImageResult, imageIndex: number, face: FaceResult, number: number, draft: UprightDraft | null) => {
    const thumb = await faceCrop(draft, face, thumbHeight);
    const picture = thumb ? `<img class="thumb" src="${thumb}" alt="face ${number} of ${escapeMarkup(image.file)}">` : '';
    return `<li class="face compact tone-${verdictWords[face.verdict].tone}" id="${faceId(imageIndex, number)}">${picture}<span>Face ${number}: ${verdictBadge(face.verdict)} ${escapeMarkup(holdsUpInWords(face, photoName))}</span></li>`;
  };

  const findingsOf = (image: ImageResult) =>
    image.findings.map((finding) => ({
      label: findingWords[finding.code].label,
      code: finding.code,
      message: image.error && finding.code === 'image_error' ? `${image.error.code}: ${image.error.message}` : finding.message,
    }));

  const verdictCounts = (faces: readonly FaceResult[]) => {
    const counts = new Map<Verdict, number>();
    for (const face of faces.filter((candidate) => !candidate.setAside)) counts.set(face.verdict, (counts.get(face.verdict) ?? 0) + 1);
    const setAside = faces.filter((face) => face.setAside).length;
    return [
      ...(Object.keys(verdictWords) as Verdict[])
        .filter((verdict) => counts.has(verdict))
        .map((verdict) => `${counts.get(verdict)} ${verdictWords[verdict].label}`),
      ...(setAside > 0 ? [`${setAside} set aside`] : []),
    ].join(', ');
  };

  const statusBadge = (image: ImageResult) => {
    const [tone, symbol, word]: [Tone, string, string] = image.error
      ? ['alert', '✗', 'could not be checked']
      : image.flagged
        ? ['alert', '✗', 'needs attention']
        : ['ok', '✓', 'nothing to correct'];
    return `<span class="verdict tone-${tone}">${symbol} ${word}</span>`;
  };

  const imageSection = async (image: ImageResult, imageIndex: number) => {
    const draftFile = sources.draftPath(image.file);
    const bytes = draftFile && !image.error ? await readFile(draftFile).catch(() => null) : null;
    const draft = bytes ? await uprightDraft(bytes) : null;
    const numbered = image.faces.map((face, index) => ({ face, number: index + 1 }));

    let picture = '';
    if (draft) {
      const width = image.flagged ? draftWidth.flagged : draftWidth.passed;
      const src = await jpegUri(fromRaw(draft).resize({ width, withoutEnlargement: true }), 75);
      const faces = numbered.map(({ face, number }) => `${number} ${verdictWords[face.verdict].label}`);
      const alt = `the draft ${image.file}${faces.length > 0 ? `, its faces framed and numbered: ${faces.join(', ')}` : ''}`;
      const shown = Math.min(width, draft.width);
      picture = `<figure class="draft" style="width: ${shown}px"><img src="${src}" alt="${escapeMarkup(alt)}" width="${shown}" height="${Math.round((draft.height * shown) / draft.width)}">${faceBoxesSvg(
        draft.width,
        draft.height,
        numbered.map(({ face, number }) => ({ box: face.box, verdict: face.verdict, number })),
      )}</figure>`;
    } else if (!image.error) {
      picture = '<p class="muted">The draft itself is not available to show.</p>';
    }

    const findings = findingsOf(image).map(
      (finding) => `<li><b>${escapeMarkup(finding.label)}</b> <code>${finding.code}</code>: ${escapeMarkup(finding.message)}</li>`,
    );
    const attention = numbered.filter(({ face }) => isFlaggedFace(face));
    const holdsUp = numbered.filter(({ face }) => !isFlaggedFace(face));
    const cards: string[] = [];
    for (const { face, number } of attention) cards.push(await faceCard(image, imageIndex, face, number, draft));
    const lines: string[] = [];
    for (const { face, number } of holdsUp) lines.push(await compactFace(image, imageIndex, face, number, draft));
    const counts = image.faces.length > 0 ? `${plural(image.faces.length, 'face')}: ${verdictCounts(image.faces)}.` : '';

    return `<section id="image-${imageIndex + 1}">
<h2>${escapeMarkup(image.file)} ${statusBadge(image)}</h2>
${counts ? `<p class="muted">${counts}</p>` : ''}
${findings.length > 0 ? `<ul class="findings">${findings.join('')}</ul>` : ''}
${picture}
${captionsHtml(image.captions)}
${cards.join('\n')}
${lines.length > 0 ? `<h3>${attention.length > 0 ? 'The other faces' : 'Faces'}</h3><ul class="compact-faces">${lines.join('')}</ul>` : ''}
</section>`;
  };

  // Flagged images first, each group in the report's order; the numbering of sections follows the page.
  const ordered = [...report.images.filter((image) => image.flagged), ...report.images.filter((image) => !image.flagged)];
  const problems: string[] = [];
  ordered.forEach((image, imageIndex) => {
    for (const finding of findingsOf(image)) {
      problems.push(
        `<li><a href="#image-${imageIndex + 1}">${escapeMarkup(image.file)}</a>: <b>${escapeMarkup(finding.label)}</b>: ${escapeMarkup(finding.message)}</li>`,
      );
    }
    image.faces.forEach((face, index) => {
      if (!isFlaggedFace(face)) return;
      problems.push(
        `<li><a href="#${faceId(imageIndex, index + 1)}">${escapeMarkup(image.file)}, face ${index + 1}</a>: ${verdictBadge(face.verdict)} ${escapeMarkup(problemInWords(face))}</li>`,
      );
    });
  });
  const passed = ordered.filter((image) => !image.flagged);
  const sections: string[] = [];
  for (const [index, image] of ordered.entries()) sections.push(await imageSection(image, index));

  const { summary, registry } = report;
  const allFaces = report.images.flatMap((image) => image.faces);
  const headline =
    summary.flagged === 0
      ? `Nothing to correct in ${plural(summary.images, 'image')}.`
      : `${summary.flagged} of ${plural(summary.images, 'image')} need${summary.flagged === 1 ? 's' : ''} attention${summary.errors > 0 ? ` (${summary.errors} could not be checked)` : ''}: ${plural(problems.length, 'problem')}.`;
  const { skippedCount, pending } = registry.referencePhotos;
  const skipped = registry.referencePhotos.skipped ?? [];
  const weak = registry.referencePhotos.weak ?? [];
  const detailList = (items: string[]) => (items.length > 0 ? `<ul>${items.join('')}</ul>` : '');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>photo-verify report: ${summary.flagged} of ${plural(summary.images, 'image')} flagged</title>
<style>
${css}</style>
</head>
<body>
<h1>photo-verify report</h1>
<p><b>${escapeMarkup(headline)}</b> ${plural(summary.faces, 'face')} found: ${escapeMarkup(verdictCounts(allFaces) || 'none')}.
Checked against a registry of ${plural(registry.people, 'person', 'people')}.</p>
<h2 id="summary">What is wrong</h2>
${problems.length > 0 ? `<ul class="summary">${problems.join('\n')}</ul>` : '<p>Nothing: every face matches its caption or a registry person.</p>'}
${passed.length > 0 ? `<p class="muted">Nothing to correct in ${passed.map((image) => escapeMarkup(image.file)).join(', ')}.</p>` : ''}
${sections.join('\n')}
${glossaryHtml(2)}
<details>
<summary>Technical details</summary>
<p>Model: <code>${escapeMarkup(report.model)}</code>. Scores are cosine similarities of the face descriptors.</p>
<p>Registry${registry.source === 'service' ? ' of the service' : ' folder'}: ${plural(registry.people, 'person', 'people')}, ${plural(registry.referencePhotos.used, 'reference photo')} in use${skippedCount > 0 ? `, ${skippedCount} ${registry.source === 'service' ? 'rejected' : 'skipped'}` : ''}${pending > 0 ? `, ${pending} not yet enrolled (checks may have run without them)` : ''}.</p>
${registry.peopleWithoutPhotos.length > 0 ? `<p>No usable reference photo, so no face can match them: ${registry.peopleWithoutPhotos.map(escapeMarkup).join(', ')}.</p>` : ''}
${skipped.length > 0 ? `<p>Reference photos left out:</p>${detailList(skipped.map((photo) => `<li>${escapeMarkup(photo.referencePhoto)}: ${escapeMarkup(photo.reason)}</li>`))}` : ''}
${weak.length > 0 ? `<p>Weak reference photos, in use (they may fail to confirm the person):</p>${detailList(weak.map((photo) => `<li>${escapeMarkup(photo.referencePhoto)}: ${escapeMarkup(photo.warnings.join('; '))}</li>`))}` : ''}
</details>
</body>
</html>
`;
}
