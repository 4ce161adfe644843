/**
 * The look shared by the offline HTML report and the service's review desk: one stylesheet, the
 * product's words for every verdict and finding, scores said in words, and the numbered face boxes
 * laid over a draft. Pure functions returning markup; no file, network or image library.
 *
 * Class names in `css`:
 * - `.tone-ok`, `.tone-alert`, `.tone-unsure`, `.tone-neutral`: a verdict's tone (see verdictWords);
 *   on `.verdict` a badge (symbol and word, never colour alone), on `.face` a left rule.
 * - `.verdict`: a verdict badge (`<span class="verdict tone-…">✗ mismatch</span>`).
 * - `.summary`: the list of what is wrong at the top; `.summary .ok` a line saying nothing is.
 * - `.draft`: a figure holding the draft `<img>` and the `svg.boxes` overlay (faceBoxesSvg) on it.
 * - `.face`: one face that needs attention; `.face.compact` a confirmed face on one line.
 * - `.evidence`: a row of `.photo` figures (face crop, reference photos); `.photo.matched` is the
 *   reference photo that gave the score; `.photo.missing` a picture that is not available.
 * - `.thumb`: a small inline thumbnail (compact faces).
 * - `.scores`, `.reasons`: the lists under a face's evidence.
 * - `.findings`: an image's findings; `.glossary`: the table of words (glossaryHtml).
 * - `.muted`: secondary text (file names, counts).
 */
import type { CaptionsReport, FaceResult, Match } from '../domain/results.js';
import type { Box, FindingCode, Verdict } from '../domain/types.js';
import { escapeMarkup } from '../images/face-crop.js';

export type Tone = 'ok' | 'alert' | 'unsure' | 'neutral';

export interface Words {
  /** The word a reader sees; the same as the JSON code, in plain letters. */
  label: string;
  meaning: string;
  todo: string;
}

export interface VerdictWords extends Words {
  /** Shown beside the label, so that no verdict is told by its colour alone. */
  symbol: string;
  tone: Tone;
}

/** The README's Concepts table, in plain text (test/unit/look.test.ts keeps the two in step). */
export const verdictWords: Record<Verdict, VerdictWords> = {
  confirmed: {
    label: 'confirmed',
    symbol: '✓',
    tone: 'ok',
    meaning: 'The face matches the claimed person.',
    todo: 'Nothing.',
  },
  identified: {
    label: 'identified',
    symbol: '✓',
    tone: 'ok',
    meaning: 'No claim; the face matches a registry person, named in bestMatch.',
    todo: 'Nothing to correct; make sure the caption names that person.',
  },
  mismatch: {
    label: 'mismatch',
    symbol: '✗',
    tone: 'alert',
    meaning:
      'The face does not match the claimed person. The reasons say whom it matches in the registry instead (a swap between two registry people), or that it matches nobody.',
    todo: "Replace the photo with a verified one, or correct the caption; the evidence shows the face beside the claimed person's reference photos.",
  },
  uncertain: {
    label: 'uncertain',
    symbol: '?',
    tone: 'unsure',
    meaning:
      'Between the thresholds, or another registry person is (almost) as close, or the claimed person has no active reference photo, or the name was a misspelling the checker guessed.',
    todo: 'A person must look at the evidence and decide (in the service: a review decision).',
  },
  unknown: {
    label: 'unknown',
    symbol: '∅',
    tone: 'neutral',
    meaning: 'No claim, and no registry person matches.',
    todo: 'Find out who it is; if the draft means a registry person, name them in the claims.',
  },
  low_quality: {
    label: 'low quality',
    symbol: '▒',
    tone: 'unsure',
    meaning: 'Too small, blurred, turned away or occluded to decide either way.',
    todo: 'Use a larger, sharper, frontal photo, or have a person check it by eye.',
  },
};

export const findingWords: Record<FindingCode, Words> = {
  no_face: {
    label: 'no face',
    meaning: 'No face was found in the image; or, with the name as its subject, a name that no face in the image carries.',
    todo: "Check that the portrait is there and that the name belongs to this image; a portrait the detector missed needs a person's eye.",
  },
  claim_count_mismatch: {
    label: 'names and faces do not line up',
    meaning:
      'The names and the faces cannot be aligned (three names, two faces, with nothing to tell which name is missing); each face is then identified against the whole registry.',
    todo: 'Check the names against the portraits, in reading order, or give claims with boxes.',
  },
  unknown_claim: {
    label: 'unknown name',
    meaning: 'A name the registry does not know; the nearest registry names are suggested, never picked silently.',
    todo: "Correct the spelling, or add the spelling to the person's aliases in the registry.",
  },
  category_mismatch: {
    label: 'category mismatch',
    meaning:
      'The check says "Crimean political prisoners" and a person it names, or a face it shows, is registered under another category.',
    todo: "Take the person out of the list or change its title; if the registry is wrong, correct the person's category.",
  },
  image_error: {
    label: 'could not be checked',
    meaning:
      'Offline reports only: the file could not be checked at all; the message starts with its error code (IMAGE_CORRUPT, IMAGE_UNSUPPORTED, ...). The service ends such a check failed with the code instead.',
    todo: 'Export the image again in a supported format.',
  },
};

/** Text colours (on white, contrast 7:1 or more), badge backgrounds, and the brighter strokes of face boxes on a photo. */
const palette: Record<Tone, { text: string; background: string; stroke: string; dash: string }> = {
  ok: { text: '#14532d', background: '#dcfce7', stroke: '#16a34a', dash: '' },
  alert: { text: '#8b0000', background: '#fee2e2', stroke: '#e11d48', dash: '' },
  unsure: { text: '#713f12', background: '#fef3c7', stroke: '#f59e0b', dash: '6 3' },
  neutral: { text: '#1f2937', background: '#e5e7eb', stroke: '#64748b', dash: '2 3' },
};

const toneRules = (Object.keys(palette) as Tone[])
  .map(
    (tone) =>
      `.verdict.tone-${tone} { color: ${palette[tone].text}; background: ${palette[tone].background}; border-color: ${palette[tone].stroke}; }\n` +
      `.face.tone-${tone} { border-left-color: ${palette[tone].stroke}; }`,
  )
  .join('\n');

/** The one stylesheet: system fonts, dark text on white, readable printed and on a laptop. Class names: see the top of this file. */
export const css = `:root { color-scheme: light; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; color: #111; background: #fff; margin: 0 auto; padding: 1.5em; max-width: 72em; }
h1 { font-size: 1.6em; margin: 0 0 0.3em; }
h2 { font-size: 1.3em; margin: 1.6em 0 0.5em; padding-top: 0.6em; border-top: 2px solid #d1d5db; }
h3 { font-size: 1.05em; margin: 0 0 0.4em; }
a { color: #1d4ed8; }
.muted { color: #4b5563; font-size: 0.92em; }
.verdict { display: inline-block; padding: 0 0.45em; border: 1px solid; border-radius: 4px; font-weight: 600; white-space: nowrap; }
${toneRules}
.summary { padding-left: 1.2em; }
.summary li { margin: 0.25em 0; }
.summary .ok { list-style: none; margin-left: -1.2em; }
.findings { padding-left: 1.2em; }
.findings li { margin: 0.2em 0; }
.draft { position: relative; display: inline-block; margin: 0.5em 0 1em; max-width: 100%; line-height: 0; }
.draft img { display: block; max-width: 100%; height: auto; border: 1px solid #9ca3af; }
.draft svg.boxes { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; }
.face { margin: 0.8em 0; padding: 0.6em 1em; border-left: 6px solid #9ca3af; background: #f9fafb; break-inside: avoid; }
.face.compact { margin: 0.3em 0; padding: 0.25em 0.8em; border-left-width: 4px; background: none; display: flex; align-items: center; gap: 0.6em; }
.evidence { display: flex; gap: 1em; flex-wrap: wrap; align-items: flex-start; margin: 0.4em 0; }
.photo { margin: 0; max-width: 13em; }
.photo img { display: block; height: 10em; width: auto; max-width: 13em; object-fit: contain; border: 1px solid #9ca3af; background: #fff; }
.photo.matched img { outline: 3px solid #111; outline-offset: 1px; }
.photo.missing > div { height: 10em; width: 10em; display: grid; place-items: center; background: #e5e7eb; color: #374151; text-align: center; }
.photo figcaption { font-size: 0.9em; line-height: 1.35; margin-top: 0.25em; overflow-wrap: anywhere; }
.thumb { height: 2.5em; width: auto; border: 1px solid #9ca3af; vertical-align: middle; }
.scores, .reasons { margin: 0.3em 0; padding-left: 1.2em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.35em 0.6em; border-bottom: 1px solid #d1d5db; }
thead th { border-bottom: 2px solid #6b7280; }
.glossary code, details code { font-size: 0.9em; }
details { margin: 1.5em 0; }
summary { cursor: pointer; font-weight: 600; }
@media print {
  body { padding: 0; max-width: none; font-size: 11pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; }
  .draft img { max-height: 60vh; width: auto; }
  a { color: inherit; }
}
`;

/** A verdict as a badge: symbol and word, coloured by its tone. */
export function verdictBadge(verdict: Verdict): string {
  const words = verdictWords[verdict];
  return `<span class="verdict tone-${words.tone}">${words.symbol} ${escapeMarkup(words.label)}</span>`;
}

/** What the reasons of a face say about the thresholds it was judged by (a FaceResult does not carry them). */
interface StatedThresholds {
  accept?: number;
  reject?: number;
  /** The score needed to name a face from the whole registry. */
  identify?: number;
}

const number = String.raw`(\d+(?:\.\d+)?)`;
const statedPatterns: Array<[keyof StatedThresholds, RegExp]> = [
  ['accept', new RegExp(`${number} needed to confirm`)],
  ['accept', new RegExp(`too little to confirm \\(${number} needed\\)`)],
  ['reject', new RegExp(`below ${number}\\)`)],
  ['identify', new RegExp(`to name it from the registry \\(${number} needed\\)`)],
];

function statedThresholds(reasons: readonly string[]): StatedThresholds {
  const stated: StatedThresholds = {};
  for (const reason of reasons) {
    for (const [key, pattern] of statedPatterns) {
      const found = pattern.exec(reason);
      if (found && stated[key] === undefined) stated[key] = Number(found[1]);
    }
  }
  return stated;
}

/** Two decimals, or three where two would put the score on the other side of a threshold. */
function scoreText(score: number, thresholds: StatedThresholds): string {
  const short = Number(score.toFixed(2));
  const misleads = Object.values(thresholds).some((threshold) => short >= threshold !== score >= threshold);
  return score.toFixed(misleads ? 3 : 2);
}

/**
 * The scores of a face, one line each, with the thresholds it was judged by as far as its reasons
 * state them (the JSON report does not carry the thresholds; no number is made up). E.g.
 * "0.83 with Enver Bekirov's photo: clearly not Enver Bekirov (below 0.86 means a different person); 0.915 needed to confirm".
 */
export function scoreInWords(face: FaceResult): string[] {
  const stated = statedThresholds(face.reasons);
  const said = (score: number) => scoreText(score, stated);
  const lines: string[] = [];
  const claim = face.claim;
  const other = [face.bestMatch, face.nearest].find((match): match is Match => match !== null && match.personId !== claim?.personId);

  if (claim && face.claimScore === null) {
    lines.push(`${claim.name} has no reference photo to compare the face with`);
  } else if (claim && face.claimScore !== null) {
    const score = face.claimScore;
    const needed = stated.accept !== undefined ? `${stated.accept} needed to confirm` : null;
    let judgement: string;
    if (face.verdict === 'low_quality') judgement = 'not judged: the face is too poor to decide';
    else if (stated.reject !== undefined && score < stated.reject)
      judgement = `clearly not ${claim.name} (below ${stated.reject} means a different person)${needed ? `; ${needed}` : ''}`;
    else if (stated.accept !== undefined && score < stated.accept)
      judgement = `too low to confirm ${claim.name} (${needed})${stated.reject !== undefined ? ` and too high to rule them out (below ${stated.reject} would)` : ''}`;
    else if (face.verdict === 'confirmed') judgement = `high enough to confirm ${claim.name}`;
    else if (face.claimText && face.verdict === 'uncertain')
      judgement = `close enough to ${claim.name}, but the name given, "${face.claimText}", is not the registry's`;
    else if (other && other.score > score && face.verdict === 'mismatch')
      judgement = `too low to confirm ${claim.name}: ${other.name} matches better, by ${(other.score - score).toFixed(2)}`;
    else if (other && face.reasons.some((reason) => /is (even closer|almost as close) to/.test(reason)))
      judgement = `high enough alone, but ${other.name} is ${other.score > score ? 'even closer' : 'almost as close'}`;
    else judgement = `judged ${verdictWords[face.verdict].label}`;
    lines.push(`${said(score)} with ${claim.name}'s photo: ${judgement}`);
  }

  if (other) {
    let judgement: string;
    if (face.bestMatch?.personId === other.personId) judgement = claim ? `matches ${other.name} instead` : `matches ${other.name}`;
    else if (stated.identify !== undefined) judgement = `the nearest, too low to name ${other.name} (${stated.identify} needed)`;
    else if (stated.reject !== undefined && other.score < stated.reject)
      judgement = `the nearest in the registry, and still clearly not ${other.name} (below ${stated.reject})`;
    else judgement = `the nearest in the registry, too low to name ${other.name}`;
    lines.push(`${said(other.score)} with ${other.name}'s photo: ${judgement}`);
  }

  const shown = new Set([claim?.personId, other?.personId]);
  if (face.runnerUp && !shown.has(face.runnerUp.personId) && face.verdict !== 'low_quality') {
    lines.push(`${said(face.runnerUp.score)} with ${face.runnerUp.name}'s photo: the next nearest person`);
  }
  return lines;
}

export interface NumberedFace {
  box: Box;
  verdict: Verdict;
  /** From 1, as a reader counts. */
  number: number;
}

/**
 * An SVG to lay over a draft (`.draft svg.boxes`): each face's box in its verdict's colour and dash
 * (a white halo keeps it visible on any photo), labelled with its number and verdict symbol. The
 * viewBox is in the image's pixels, so it scales with the image it covers.
 */
export function faceBoxesSvg(width: number, height: number, faces: readonly NumberedFace[]): string {
  const stroke = Math.max(2, Math.round(Math.max(width, height) / 300));
  const fontSize = Math.max(12, Math.round(Math.max(width, height) / 40));
  const labelHeight = Math.round(fontSize * 1.35);
  const boxes = faces.map(({ box, verdict, number }) => {
    const words = verdictWords[verdict];
    const colours = palette[words.tone];
    const text = `${number} ${words.symbol}`;
    const labelWidth = Math.round(fontSize * (0.62 * text.length + 0.8));
    const labelX = Math.max(0, Math.min(width - labelWidth, box.x));
    // Above the box where there is room, else just inside its top edge.
    const labelY = box.y - labelHeight >= 0 ? box.y - labelHeight : Math.max(0, box.y);
    const dash = colours.dash ? ` stroke-dasharray="${colours.dash.split(' ').map((part) => Number(part) * stroke)}"` : '';
    const rect = `x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" fill="none"`;
    return `<g class="face-box tone-${words.tone}"><title>face ${number}: ${escapeMarkup(words.label)}</title>
<rect ${rect} stroke="#fff" stroke-width="${stroke * 2}"/><rect ${rect} stroke="${colours.stroke}" stroke-width="${stroke}"${dash}/>
<rect x="${labelX}" y="${labelY}" width="${labelWidth}" height="${labelHeight}" fill="${colours.text}" stroke="#fff" stroke-width="1"/>
<text x="${labelX + labelWidth / 2}" y="${labelY + labelHeight * 0.78}" font-family="system-ui, sans-serif" font-size="${fontSize}" font-weight="700" fill="#fff" text-anchor="middle">${escapeMarkup(text)}</text></g>`;
  });
  return `<svg class="boxes" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" aria-hidden="true">
${boxes.join('\n')}
</svg>`;
}

/**
 * Every verdict and finding with what it means and what to do, as a table with headers under a
 * heading (level 2 unless told).
 */
export function glossaryHtml(headingLevel = 2): string {
  const h = `h${headingLevel}`;
  const row = (term: string, code: string, words: Words) =>
    `<tr><th scope="row">${term} <code>${code}</code></th><td>${escapeMarkup(words.meaning)}</td><td>${escapeMarkup(words.todo)}</td></tr>`;
  const verdictRows = (Object.keys(verdictWords) as Verdict[]).map((verdict) => row(verdictBadge(verdict), verdict, verdictWords[verdict]));
  const findingRows = (Object.keys(findingWords) as FindingCode[]).map((code) =>
    row(`<b>${escapeMarkup(findingWords[code].label)}</b>`, code, findingWords[code]),
  );
  const table = (caption: string, first: string, rows: string[]) =>
    `<table><caption class="muted">${caption}</caption><thead><tr><th scope="col">${first}</th><th scope="col">What it means</th><th scope="col">What to do</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  return `<section class="glossary"><${h} id="glossary">What the words mean</${h}>
<p>Every face found gets one verdict; an image may also get findings. An image is flagged when it has a finding, or a face whose verdict is not confirmed or identified.</p>
${table('Verdicts, one per face', 'Verdict', verdictRows)}
${table('Findings, per image', 'Finding', findingRows)}
<p class="muted">A score says how alike two faces are: 1 is the same picture, and the higher, the more alike. At or above the accept threshold a face is the person; below the reject threshold it is not; in between, a person must look.</p>
</section>`;
}

const readFrom = { 'text-layer': "the PDF's text layer", ocr: 'OCR' } as const;
const sureness = (confidence: number) => `${Math.round(confidence * 100)}%`;

/**
 * What was read from a draft's captions, for the HTML report and the review desk: each name with
 * where it was read from, how sure the reading is, the face it captions and the registry person it
 * names (or the registry's suggestions: never picked silently).
 */
export function captionsHtml(captions: CaptionsReport | null | undefined, headingLevel = 3): string {
  if (!captions) return '';
  const h = `h${headingLevel}`;
  if (captions.error)
    return `<${h}>Names read from the captions</${h}><p>The captions could not be read: ${escapeMarkup(captions.error)}. The faces were only identified.</p>`;
  const title = captions.title
    ? `<p>Title read: “${escapeMarkup(captions.title.text)}” (${readFrom[captions.title.source]}, ${sureness(captions.title.confidence)} sure)${captions.title.setsCategory ? ': it sets the claimed category' : ''}.</p>`
    : '';
  const usage = captions.used
    ? '<p class="muted">No names were given, so these names are the claims checked.</p>'
    : '<p class="muted">Names were given with the draft; those were checked, not these.</p>';
  if (captions.names.length === 0)
    return `<${h}>Names read from the captions</${h}>${title}<p>No name was read under or beside a face.</p>`;
  const rows = captions.names.map((name) => {
    const person = name.person
      ? escapeMarkup(name.person.name)
      : `<b>not in the registry</b>${name.suggestions?.length ? ` (did you mean ${name.suggestions.map(escapeMarkup).join(', ')}?)` : ''}`;
    return `<tr><td>${escapeMarkup(name.text)}</td><td>${name.face === null ? 'no face above or beside it' : `Face ${name.face + 1}`}</td><td>${person}</td><td>${readFrom[name.source]}, ${sureness(name.confidence)}</td></tr>`;
  });
  return `<${h}>Names read from the captions</${h}>${title}${usage}
<table class="captions"><thead><tr><th scope="col">Name read</th><th scope="col">Captions</th><th scope="col">Registry person</th><th scope="col">Read from, how sure</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
