/** The report as CSV, one row per face (an image without faces gets one row, so errors show). */
import type { OfflineReport } from './report.js';

const columns = [
  'file',
  'face',
  'verdict',
  'claim_id',
  'claim_name',
  'claim_score',
  'claim_reference_photo',
  'best_match_id',
  'best_match_name',
  'best_match_score',
  'best_match_reference_photo',
  'box_x',
  'box_y',
  'box_width',
  'box_height',
  'reasons',
  'findings',
  'error',
] as const;

type Cell = string | number | null | undefined;

/** Quotes where needed; text that a spreadsheet would run as a formula gets a leading apostrophe. */
function cell(value: Cell): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'number' ? String(Number(value.toFixed(4))) : value;
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(report: OfflineReport): string {
  const lines = [columns.join(',')];
  for (const image of report.images) {
    const findings = image.findings.map((finding) => `${finding.code}: ${finding.message}`).join(' | ');
    const error = image.error ? `${image.error.code}: ${image.error.message}` : '';
    if (image.faces.length === 0) {
      lines.push([image.file, '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', findings, error].map(cell).join(','));
      continue;
    }
    image.faces.forEach((face, index) => {
      const row: Cell[] = [
        image.file,
        index + 1,
        face.verdict,
        face.claim?.personId,
        face.claim?.name,
        face.claimScore,
        face.claimReferencePhoto,
        face.bestMatch?.personId,
        face.bestMatch?.name,
        face.bestMatch?.score,
        face.bestMatch?.referencePhoto,
        Math.round(face.box.x),
        Math.round(face.box.y),
        Math.round(face.box.width),
        Math.round(face.box.height),
        face.reasons.join(' | '),
        findings,
        error,
      ];
      lines.push(row.map(cell).join(','));
    });
  }
  return `${lines.join('\r\n')}\r\n`;
}
