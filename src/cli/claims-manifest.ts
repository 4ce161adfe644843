/**
 * The claims manifest: a CSV `file,names[,category]`. `file` is relative to the manifest's
 * folder; `names` lists the people shown, separated by ";", in reading order; `category` is the
 * category the draft claims for its list. A header row naming the columns is optional. A file must
 * lie in the manifest's folder or below it: a manifest from elsewhere cannot make the checker read
 * (and report on, or upload) files outside it. A PDF's pages may each have a row of their own,
 * `handout.pdf#page=2` (the PDF convention for a page); a row for the whole PDF gives the names of
 * every page without one.
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
  /** Absolute PDF path → page number (from 1) → what that page claims. */
  pages: Map<string, Map<number, CheckRequest>>;
}

/** Every file the manifest names (a PDF once, whether by its pages or whole). */
export function manifestFiles(manifest: ClaimsManifest): string[] {
  return [...new Set([...manifest.requests.keys(), ...manifest.pages.keys()])];
}

/** What the manifest claims for a file, or for one page of a PDF (its own row, else the PDF's). */
export function claimedFor(manifest: ClaimsManifest | null, file: string, page: number | null = null): CheckRequest {
  const own = page === null ? undefined : manifest?.pages.get(file)?.get(page);
  return own ?? manifest?.requests.get(file) ?? { claims: [] };
}

/** `handout.pdf#page=2` → the file and the page. */
const pageRow = /^(.*)#page=(\d+)$/;

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
  const pages = new Map<string, Map<number, CheckRequest>>();
  const problems: string[] = [];
  rows.forEach((cells, index) => {
    if (header && index === 0) return;
    const line = `row ${index + 1}`;
    const [named = '', names = '', category = ''] = cells.map((cell) => cell.trim());
    const onPage = pageRow.exec(named);
    const image = onPage ? onPage[1] : named;
    const page = onPage ? Number(onPage[2]) : null;
    if (cells.length > 3)
      problems.push(`${line}: ${cells.length} columns, expected file,names[,category] (quote a field that holds a comma)`);
    else if (image === '') problems.push(`${line}: the file column is empty`);
    else if (!isInside(base, path.resolve(base, image)))
      problems.push(
        `${line}: ${image} is outside the claims file's folder ${base}; list only images in that folder or below it (move the claims file up)`,
      );
    else if (page !== null && (page < 1 || !Number.isSafeInteger(page))) problems.push(`${line}: ${named}: pages are numbered from 1`);
    else {
      const target = path.resolve(base, image);
      const claims = names
        .split(';')
        .map((name) => name.trim())
        .filter((name) => name !== '')
        .map((text) => ({ text }));
      const request = category === '' ? { claims } : { claims, category };
      if (page === null) {
        if (requests.has(target)) problems.push(`${line}: ${image} is listed twice`);
        requests.set(target, request);
      } else {
        const ofFile = pages.get(target) ?? new Map<number, CheckRequest>();
        if (ofFile.has(page)) problems.push(`${line}: ${named} is listed twice`);
        ofFile.set(page, request);
        pages.set(target, ofFile);
      }
    }
  });
  if (problems.length > 0) throw new AppError('VALIDATION', `the claims file ${file} has problems:\n  ${problems.join('\n  ')}`);
  return { file: path.resolve(file), requests, pages };
}
