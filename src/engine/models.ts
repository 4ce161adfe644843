import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.js';

/** The weights ship in the repository (models/README.md says where each file comes from); never fetched. */
export const modelDir = fileURLToPath(new URL('../../models/', import.meta.url));

/** One model file as models/checksums.json lists it: its checksum and provenance. */
export interface ModelFile {
  sha256: string;
  /** Where the file was taken from: package, version, path. */
  source: string;
  /** The licence the weights were published under. */
  licence: string;
}

interface ChecksumManifest {
  files: Record<string, ModelFile>;
}

/** Verifies every model file against models/checksums.json before the engine loads it; a file without provenance is refused too. */
export async function verifyModels(dir = modelDir): Promise<void> {
  const manifest = JSON.parse(await readFile(path.join(dir, 'checksums.json'), 'utf8')) as ChecksumManifest;
  const problems: string[] = [];
  for (const [file, { sha256: expected, source, licence }] of Object.entries(manifest.files)) {
    if (!source || !licence) problems.push(`${file}: no source or licence in checksums.json`);
    try {
      const actual = createHash('sha256')
        .update(await readFile(path.join(dir, file)))
        .digest('hex');
      if (actual !== expected) problems.push(`${file}: sha256 ${actual} != ${expected}`);
    } catch {
      problems.push(`${file}: missing`);
    }
  }
  if (problems.length > 0) {
    throw new AppError('MODEL_INTEGRITY', `face models in ${dir} failed verification: ${problems.join('; ')}`);
  }
}
