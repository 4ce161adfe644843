/**
 * The images a check covers: every file given, and every file under every folder given,
 * recursively. Files are recognised as images by their content later, so a photo without an
 * extension is checked and a stray non-image is reported rather than silently passed over.
 * Hidden files and folders (.git, .DS_Store, the descriptor cache) are left out of folders.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';

export interface InputFile {
  /** Absolute path. */
  path: string;
  /** As reports show it: relative to the working folder when inside it. */
  file: string;
}

export function displayPath(absolute: string, cwd = process.cwd()): string {
  const relative = path.relative(cwd, absolute);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative.split(path.sep).join('/');
}

/**
 * The images under the paths given. A path that does not exist is a NOT_FOUND error (a mistyped
 * argument), unless `missing` is 'report': then it is kept as an input, and reading it fails for
 * that image alone (the files of a claims manifest: one missing file does not stop the others).
 */
export async function collectInputs(
  paths: readonly string[],
  exclude: ReadonlySet<string> = new Set(),
  missing: 'refuse' | 'report' = 'refuse',
): Promise<InputFile[]> {
  const found: string[] = [];
  const absent: string[] = [];
  const walk = async (folder: string) => {
    const entries = (await readdir(folder, { withFileTypes: true })).filter((entry) => !entry.name.startsWith('.'));
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const child = path.join(folder, entry.name);
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile() || (entry.isSymbolicLink() && (await stat(child).catch(() => null))?.isFile())) found.push(child);
    }
  };
  for (const given of paths) {
    const absolute = path.resolve(given);
    const info = await stat(absolute).catch(() => null);
    if (!info && missing === 'report') found.push(absolute);
    else if (!info) absent.push(given);
    else if (info.isDirectory()) await walk(absolute);
    else found.push(absolute);
  }
  if (absent.length > 0) throw new AppError('NOT_FOUND', `no such file or folder: ${absent.join(', ')}`);
  const unique = [...new Set(found)].filter((file) => !exclude.has(file));
  return unique.map((absolute) => ({ path: absolute, file: displayPath(absolute) }));
}
