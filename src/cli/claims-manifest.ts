/**
 * The claims manifest: a CSV `file,names[,category]`. `file` is relative to the manifest's
 * folder; `names` lists the people shown, separated by ";", in reading order; `category` is the
 * category the draft claims for its list. A header row naming the columns is optional. A file must
 * lie in the manifest's folder or below it: a manifest from elsewhere cannot make the checker read
 * (and report on, or upload) files outside it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCsv } from '../csv.js';
import type { CheckRequest } from '../domain/results.js';
import { AppError } from '../errors.js';

export interface ClaimsManifest {
  file: string;
  /** Absolute image path → what the draft claims. */
  requests: Map<string, CheckRequest>;
}

function isInside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
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
    else if (!isInside(base, path.resolve(base, image)))
      problems.push(
        `${line}: ${image} is outside the claims file's folder ${base}; list only images in that folder or below it (move the claims file up)`,
      );
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
