/** The report as a terminal table: one line per face, then each image's names read, findings and errors. */
import type { FaceResult } from '../domain/results.js';
import { isFlaggedFace } from '../domain/results.js';
import type { OfflineReport } from './report.js';

const score = (value: number | null | undefined) => (value === null || value === undefined ? '' : value.toFixed(2));

function bestMatchText(face: FaceResult): string {
  if (face.bestMatch) return `${face.bestMatch.name} ${score(face.bestMatch.score)}`;
  if (face.verdict === 'low_quality') return '';
  return face.nearest ? `nobody (nearest ${face.nearest.name} ${score(face.nearest.score)})` : 'nobody';
}

const colours: Record<string, string> = {
  confirmed: '32',
  identified: '32',
  mismatch: '31',
  uncertain: '33',
  low_quality: '33',
  unknown: '33',
  error: '31',
};

export function renderTable(report: OfflineReport, options: { colour?: boolean } = {}): string {
  const header = ['FILE', 'FACE', 'VERDICT', 'CLAIM', 'SCORE', 'BEST MATCH'];
  const rows: string[][] = [];
  for (const image of report.images) {
    if (image.error) rows.push([image.file, '', 'error', '', '', image.error.code]);
    else if (image.faces.length === 0) rows.push([image.file, '', 'no face', '', '', '']);
    image.faces.forEach((face, index) => {
      const verdict = face.setAside ? `${face.verdict} (${face.setAside === 'bystander' ? 'bystander' : 'not a face'})` : face.verdict;
      const claim = face.claimText ? `${face.claimText}?${face.claim ? ` (${face.claim.name})` : ''}` : (face.claim?.name ?? '');
      rows.push([image.file, String(index + 1), verdict, claim, score(face.claimScore), bestMatchText(face)]);
    });
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const paint = (verdict: string, text: string) => {
    const colour = colours[verdict.split(' ')[0]];
    return options.colour && colour ? `\x1b[${colour}m${text}\x1b[0m` : text;
  };
  const line = (row: string[]) =>
    row
      .map((text, column) => (column === 2 ? paint(text, text.padEnd(widths[column])) : text.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  const out = [line(header), ...rows.map(line)];

  const notes: string[] = [];
  for (const image of report.images) {
    if (image.error) notes.push(`${image.file}: ${image.error.code}: ${image.error.message}`);
    if (image.captions?.error) notes.push(`${image.file}: the captions could not be read: ${image.captions.error}`);
    else if (image.captions?.used && image.captions.names.length > 0) {
      const sources = [...new Set(image.captions.names.map((name) => (name.source === 'ocr' ? 'OCR' : 'text layer')))].join(', ');
      const names = image.captions.names.map((name) => `"${name.text}" (${name.face === null ? 'no face' : `face ${name.face + 1}`})`);
      notes.push(`${image.file}: names read from the captions (${sources}): ${names.join(', ')}`);
    }
    for (const finding of image.findings)
      if (finding.code !== 'image_error') notes.push(`${image.file}: ${finding.code}: ${finding.message}`);
    image.faces.forEach((face, index) => {
      if (isFlaggedFace(face)) notes.push(`${image.file} face ${index + 1}: ${face.verdict}: ${face.reasons.join('; ')}`);
    });
  }
  if (notes.length > 0) out.push('', 'Findings:', ...notes.map((note) => `  ${note}`));
  const { images, faces, flagged, errors } = report.summary;
  out.push('', `${images} image(s), ${faces} face(s), ${flagged} flagged, ${errors} could not be checked`);
  return `${out.join('\n')}\n`;
}
