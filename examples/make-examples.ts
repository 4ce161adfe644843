/**
 * Regenerates the example data from the shared LFW photos: a registry folder of five people and
 * draft images with the mistakes the checker exists to catch. The output is committed; run this
 * only to change it:  npx tsx examples/make-examples.ts [path/to/lfw-10-people/images]
 */
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = process.argv[2] ?? '/work/shared/data/faces/lfw-10-people/images';
const photo = (name: string, n: number) => path.join(source, name, `${name}_${String(n).padStart(4, '0')}.jpg`);

/** Categories, regions and statuses are invented for the demonstration; they say nothing about the real people. */
const people = [
  { id: 'colin-powell', lfw: 'Colin_Powell', photos: [1, 2], person: { name: 'Colin Powell', aliases: ['Колин Пауэлл', 'Колін Павелл'], category: 'crimean-political-prisoner', region: 'Crimea', status: 'detained' } },
  { id: 'tony-blair', lfw: 'Tony_Blair', photos: [1, 2, 3], person: { name: 'Tony Blair', aliases: ['Тони Блэр', 'Anthony Charles Lynton Blair'], category: 'crimean-political-prisoner', region: 'Crimea', status: 'detained' } },
  { id: 'hugo-chavez', lfw: 'Hugo_Chavez', photos: [1, 2], person: { name: 'Hugo Chavez', aliases: ['Уго Чавес', 'Hugo Rafael Chávez Frías'], category: 'crimean-political-prisoner', region: 'Crimea', status: 'detained' } },
  { id: 'jacques-chirac', lfw: 'Jacques_Chirac', photos: [1, 2], person: { name: 'Jacques Chirac', aliases: ['Жак Ширак'], category: 'crimean-political-prisoner', region: 'Crimea', status: 'released' } },
  { id: 'gerhard-schroeder', lfw: 'Gerhard_Schroeder', photos: [1, 2], person: { name: 'Gerhard Schroeder', aliases: ['Gerhard Schröder', 'Герхард Шрёдер'], category: 'civilian-hostage', region: 'Donetsk region', status: 'detained' } },
];

interface Portrait {
  file: string | Buffer;
  caption: string;
}

const cell = 250;
const gap = 24;
const captionHeight = 34;
const titleHeight = 64;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** A handout: a title and a grid of captioned portraits, rows top to bottom, left to right. */
async function handout(title: string, portraits: Portrait[], columns: number): Promise<Buffer> {
  const rows = Math.ceil(portraits.length / columns);
  const width = columns * cell + (columns + 1) * gap;
  const height = titleHeight + rows * (cell + captionHeight + gap);
  const at = (index: number) => ({ left: gap + (index % columns) * (cell + gap), top: titleHeight + Math.floor(index / columns) * (cell + captionHeight + gap) });
  const text = [
    `<text x="${width / 2}" y="42" font-family="DejaVu Sans" font-size="26" font-weight="bold" text-anchor="middle">${escape(title)}</text>`,
    ...portraits.map((portrait, index) => {
      const { left, top } = at(index);
      return `<text x="${left + cell / 2}" y="${top + cell + 24}" font-family="DejaVu Sans" font-size="18" text-anchor="middle">${escape(portrait.caption)}</text>`;
    }),
  ];
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${text.join('')}</svg>`);
  return sharp({ create: { width, height, channels: 3, background: '#f4f1ea' } })
    .composite([...portraits.map((portrait, index) => ({ input: portrait.file, ...at(index) })), { input: svg, left: 0, top: 0 }])
    .jpeg({ quality: 86 })
    .toBuffer();
}

const registry = path.join(here, 'registry');
const drafts = path.join(here, 'drafts');
await rm(registry, { recursive: true, force: true });
await rm(drafts, { recursive: true, force: true });

for (const { id, lfw, photos, person } of people) {
  await mkdir(path.join(registry, id), { recursive: true });
  await writeFile(path.join(registry, id, 'person.json'), `${JSON.stringify(person, null, 2)}\n`);
  for (const n of photos) await copyFile(photo(lfw, n), path.join(registry, id, path.basename(photo(lfw, n))));
}

await mkdir(path.join(drafts, 'press'), { recursive: true });
await mkdir(path.join(drafts, 'web'), { recursive: true });
// The stranger: Barack Obama's official portrait (not in the registry), cut to the LFW framing
// around the face the engine finds at x 380-596, y 100-406 of the 910x1137 original.
const stranger = await sharp(path.join(source, '../../face_recognition/tests/test_images/obama.jpg'))
  .extract({ left: 217, top: 0, width: 540, height: 540 })
  .resize(cell, cell)
  .jpeg({ quality: 90 })
  .toBuffer();
// The seed case: a stranger's photo above a registry name, in a list with correct ones.
await writeFile(
  path.join(drafts, 'handout-crimea.jpg'),
  await handout('Crimean political prisoners', [
    { file: photo('Colin_Powell', 5), caption: 'Colin Powell' },
    { file: photo('Tony_Blair', 9), caption: 'Тоні Блер' },
    { file: stranger, caption: 'Jacques Chirac' },
    { file: photo('Hugo_Chavez', 9), caption: 'Hugo Chavez' },
  ], 2),
);
// A person registered under another category in a list of Crimean political prisoners.
await writeFile(
  path.join(drafts, 'handout-regions.jpg'),
  await handout('Crimean political prisoners', [
    { file: photo('Hugo_Chavez', 4), caption: 'Hugo Chavez' },
    { file: photo('Gerhard_Schroeder', 7), caption: 'Gerhard Schroeder' },
  ], 2),
);
// Two registry people's photos swapped: each face is flagged and named for whom it shows.
await writeFile(
  path.join(drafts, 'leaflet-swap.jpg'),
  await handout('Free them', [
    { file: photo('Jacques_Chirac', 9), caption: 'Gerhard Schroeder' },
    { file: photo('Gerhard_Schroeder', 8), caption: 'Jacques Chirac' },
  ], 2),
);
// A misspelt name: the registry does not know it and suggests the nearest.
await copyFile(photo('Hugo_Chavez', 10), path.join(drafts, 'press', 'chavez-interview.jpg'));
// A web page's image without an extension and without a claim: identified by content alone.
await writeFile(path.join(drafts, 'web', 'IMG_0042'), await readFile(photo('Colin_Powell', 7)));

await writeFile(
  path.join(here, 'claims.csv'),
  [
    'file,names,category',
    'drafts/handout-crimea.jpg,"Powell, Colin; Тоні Блер; Jacques Chirac; Hugo Chavez",crimean-political-prisoner',
    'drafts/handout-regions.jpg,Hugo Chavez;Gerhard Schroeder,Crimean political prisoners',
    'drafts/leaflet-swap.jpg,Gerhard Schroeder;Jacques Chirac,',
    'drafts/press/chavez-interview.jpg,Hugo Chaves,',
    '',
  ].join('\n'),
);
console.log(`wrote ${registry}, ${drafts} and claims.csv`);
