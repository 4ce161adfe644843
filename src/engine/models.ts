import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { AppError } from '../errors.js';

/** The weights ship in the repository (copied from the face-api npm package); never fetched. */
export const modelDir = fileURLToPath(new URL('../../models/', import.meta.url));

interface ChecksumManifest {
  source: string;
  files: Record<string, string>;
}

/** Verifies every model file against models/checksums.json before the engine loads it. */
export async function verifyModels(dir = modelDir): Promise<void> {
  const manifest = JSON.parse(await readFile(path.join(dir, 'checksums.json'), 'utf8')) as ChecksumManifest;
  const problems: string[] = [];
  for (const [file, expected] of Object.entries(manifest.files)) {
    try {
      const actual = createHash('sha256').update(await readFile(path.join(dir, file))).digest('hex');
      if (actual !== expected) problems.push(`${file}: sha256 ${actual} != ${expected}`);
    } catch {
      problems.push(`${file}: missing`);
    }
  }
  if (problems.length > 0) {
    throw new AppError('MODEL_INTEGRITY', `face models in ${dir} failed verification: ${problems.join('; ')}`);
  }
}
