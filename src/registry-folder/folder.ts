/**
 * The registry as a folder (DESIGN.md, "Registry folder format"): one sub-folder per person,
 * named by the person's id, with person.json and the reference photos beside it.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { findInvalidText } from '../domain/text.js';
import type { RegistryPerson } from '../domain/types.js';
import { AppError } from '../errors.js';

export const personFile = 'person.json';

/** Notes and provenance kept beside the photos; never taken for a reference photo. */
const notesFile = /\.(json|md|txt|csv)$/i;

const personSchema = z.object({
  name: z.string().trim().min(1),
  aliases: z.array(z.string().trim().min(1)).default([]),
  category: z.string().trim().min(1).optional(),
  region: z.string().trim().min(1).optional(),
  status: z.string().trim().min(1).optional(),
});

export interface ReferencePhotoFile {
  personId: string;
  /** `<person id>/<file name>`: how reports name the photo, relative to the registry folder. */
  referencePhoto: string;
  /** Absolute path. */
  path: string;
}

export interface RegistryFolder {
  root: string;
  people: RegistryPerson[];
  photos: ReferencePhotoFile[];
}

/** A person's id is the folder name: lower case letters, digits and hyphens, so that it can be typed in a claim. */
const idPattern = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Reads people and the paths of their photos; no image is decoded here. Every file in a
 * person's folder is taken for a reference photo (recognised by content later, whatever its
 * name), except person.json, notes (.md, .txt, .csv, .json) and hidden files. All problems are reported at once
 * (VALIDATION); a missing folder is NOT_FOUND.
 */
function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

export async function readRegistryFolder(folder: string): Promise<RegistryFolder> {
  const root = path.resolve(folder);
  const info = await stat(root).catch(() => null);
  if (!info) throw new AppError('NOT_FOUND', `the registry folder ${folder} does not exist`);
  if (!info.isDirectory()) throw new AppError('VALIDATION', `the registry ${folder} is not a folder`);

  const entries = (await readdir(root, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name));
  const people: RegistryPerson[] = [];
  const photos: ReferencePhotoFile[] = [];
  const problems: string[] = [];

  for (const entry of entries) {
    const id = entry.name;
    const personDir = path.join(root, id);
    if (!idPattern.test(id)) {
      problems.push(`${id}/: a person's folder name is their id and must be lower-case letters, digits and hyphens (e.g. enver-bekirov)`);
      continue;
    }
    // A link is followed only to a file inside the registry folder: its content is never read from elsewhere.
    const target = await realpath(path.join(personDir, personFile)).catch(() => null);
    if (!target) {
      problems.push(`${id}/${personFile} is missing`);
      continue;
    }
    if (!isInside(await realpath(root), target)) {
      problems.push(`${id}/${personFile} is a link to a file outside the registry folder; copy the file in instead`);
      continue;
    }
    let raw: string;
    try {
      raw = await readFile(target, 'utf8');
    } catch {
      problems.push(`${id}/${personFile} cannot be read`);
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      // The position only: the parser's message quotes the file's text.
      const position = /position (\d+)/.exec((error as Error).message)?.[1];
      problems.push(`${id}/${personFile} is not valid JSON${position ? ` (at character ${position})` : ''}`);
      continue;
    }
    const invalid = findInvalidText(json, '');
    if (invalid) {
      problems.push(`${id}/${personFile}: ${invalid.path || 'a text'} ${invalid.problem}`);
      continue;
    }
    const parsed = personSchema.safeParse(json);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'the file'}: ${issue.message}`);
      problems.push(`${id}/${personFile}: ${fields.join('; ')}`);
      continue;
    }
    people.push({ id, ...parsed.data });
    const files = (await readdir(personDir, { withFileTypes: true }))
      .filter((file) => file.isFile() && !notesFile.test(file.name) && !file.name.startsWith('.'))
      .map((file) => file.name)
      .sort();
    for (const name of files) photos.push({ personId: id, referencePhoto: `${id}/${name}`, path: path.join(personDir, name) });
  }

  if (problems.length > 0) throw new AppError('VALIDATION', `the registry folder ${folder} has problems:\n  ${problems.join('\n  ')}`);
  if (people.length === 0)
    throw new AppError('VALIDATION', `the registry folder ${folder} holds no person (expected one folder per person with ${personFile})`);
  return { root, people, photos };
}
