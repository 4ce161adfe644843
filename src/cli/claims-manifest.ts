/**
 * The claims manifest: a CSV `file,names[,category]`. `file` is relative to the manifest's
 * folder; `names` lists the people shown, separated by ";", in reading order; `category` is the
 * category the draft claims for its list. A header row naming the columns is optional.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CheckRequest } from '../domain/results.js';
import { AppError } from '../errors.js';

export interface ClaimsManifest {
  file: string;
  /** Absolute image path → what the draft claims. */
  requests: Map<string, CheckRequest>;
}

/** RFC 4180 CSV: quoted fields may hold commas, line breaks and doubled quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (quoted) throw new AppError('VALIDATION', 'a quoted field is not closed');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((cells) => cells.some((cell) => cell.trim() !== ''));
}

export async function readClaimsManifest(file: string): Promise<ClaimsManifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AppError(
      'NOT_FOUND',
      `cannot read the claims file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (error) {
    throw new AppError('VALIDATION', `the claims file ${file} is not valid CSV: ${(error as Error).message}`);
  }
  const base = path.dirname(path.resolve(file));
  const first = rows[0]?.map((cell) => cell.trim().toLowerCase());
  const header = first?.[0] === 'file' && first[1] === 'names';
  const requests = new Map<string, CheckRequest>();
  const problems: string[] = [];
  rows.forEach((cells, index) => {
    if (header && index === 0) return;
    const line = `row ${index + 1}`;
    const [image = '', names = '', category = ''] = cells.map((cell) => cell.trim());
    if (cells.length > 3)
      problems.push(`${line}: ${cells.length} columns, expected file,names[,category] (quote a field that holds a comma)`);
    else if (image === '') problems.push(`${line}: the file column is empty`);
    else {
      const target = path.resolve(base, image);
      if (requests.has(target)) problems.push(`${line}: ${image} is listed twice`);
      const claims = names
        .split(';')
        .map((name) => name.trim())
        .filter((name) => name !== '')
        .map((text) => ({ text }));
      requests.set(target, category === '' ? { claims } : { claims, category });
    }
  });
  if (problems.length > 0) throw new AppError('VALIDATION', `the claims file ${file} has problems:\n  ${problems.join('\n  ')}`);
  return { file: path.resolve(file), requests };
}
