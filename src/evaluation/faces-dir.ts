import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder, whatever the working directory. */
export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The labelled real photos the evaluations and benchmarks read (their README names sources and
 * licences): `FACES_DIR` when set, else `shared/data/faces` in the nearest folder above the
 * repository (../shared for a clone, ../../shared for a worktree beside it). Nothing is fetched.
 */
export function defaultFacesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FACES_DIR) return path.resolve(env.FACES_DIR);
  const candidates: string[] = [];
  for (let dir = path.dirname(repositoryRoot); ; dir = path.dirname(dir)) {
    candidates.push(path.join(dir, 'shared/data/faces'));
    if (dir === path.dirname(dir)) break;
  }
  return candidates.find((candidate) => existsSync(candidate)) ?? candidates[0];
}
