import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

export const lfwFixtures = fileURLToPath(new URL('../fixtures/faces/lfw-10-people/', import.meta.url));

/** Four LFW people; `references` are frontal, sharp photos that pass the reference gate. */
export const lfwPeople = {
  'colin-powell': { name: 'Colin Powell', file: 'Colin_Powell', aliases: ['Колін Павелл'], references: [2, 6] },
  'tony-blair': { name: 'Tony Blair', file: 'Tony_Blair', aliases: ['Тоні Блер'], references: [2, 9] },
  'george-w-bush': { name: 'George W Bush', file: 'George_W_Bush', aliases: ['Джордж Буш'], references: [6, 10] },
  'vladimir-putin': { name: 'Vladimir Putin', file: 'Vladimir_Putin', aliases: ['Владимир Путин'], references: [2, 10] },
} as const;

/** Other photos of the same people (not in the registry), as a draft would show them. */
export const draftPhotos = { 'colin-powell': 9, 'tony-blair': 3, 'vladimir-putin': 3 } as const;

export type LfwPersonId = keyof typeof lfwPeople;

export const lfwPhoto = (person: LfwPersonId, number: number) =>
  path.join(lfwFixtures, `${lfwPeople[person].file}_${String(number).padStart(4, '0')}.jpg`);

/** A registry folder in DESIGN.md's format, with each person's reference photos. */
export async function lfwRegistryFolder(category = 'test-politicians'): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'pv-registry-'));
  for (const [id, person] of Object.entries(lfwPeople)) {
    await mkdir(path.join(root, id));
    await writeFile(path.join(root, id, 'person.json'), JSON.stringify({ name: person.name, aliases: person.aliases, category }));
    for (const number of person.references)
      await cp(lfwPhoto(id as LfwPersonId, number), path.join(root, id, `${String(number).padStart(4, '0')}.jpg`));
  }
  return root;
}

/** A handout: the given portraits side by side in one row, in reading order, as one JPEG. */
export async function handout(portraits: string[], scale = 1): Promise<Buffer> {
  const size = Math.round(250 * scale);
  const gap = Math.round(20 * scale);
  const tiles = await Promise.all(portraits.map((file) => sharp(file).resize(size, size).toBuffer()));
  return sharp({ create: { width: gap + tiles.length * (size + gap), height: size + 2 * gap, channels: 3, background: '#ffffff' } })
    .composite(tiles.map((input, index) => ({ input, left: gap + index * (size + gap), top: gap })))
    .jpeg({ quality: 92 })
    .toBuffer();
}
