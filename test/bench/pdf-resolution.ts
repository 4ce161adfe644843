/**
 * Which image of a PDF handout page to check: the page rendered at 72, 150, 200 or 300 dpi, or the
 * portraits embedded in it. A printed list of 8 LFW portraits (not the registry's photos) of the 4
 * registry people, drawn 70, 96 and 120 points wide from 160-px JPEGs; each face identified
 * against the registry (npx tsx test/bench/pdf-resolution.ts; it imports the test fixtures, so it lives under test/).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { loadReferencePhotos } from '../../src/cli/reference-photos.js';
import { evaluateImage } from '../../src/domain/evaluate.js';
import { startEngine } from '../../src/engine/pool.js';
import { defaultPdfLimits, renderPdf } from '../../src/images/pdf.js';
import { DescriptorCache } from '../../src/registry-folder/cache.js';
import { readRegistryFolder } from '../../src/registry-folder/folder.js';
import { type LfwPersonId, lfwPhoto, lfwRegistryFolder } from '../helpers/fixtures.js';
import { pdfHandout } from '../helpers/pdf.js';

const drafts: Array<[LfwPersonId, number]> = [
  ['colin-powell', 9],
  ['tony-blair', 3],
  ['vladimir-putin', 3],
  ['george-w-bush', 7],
  ['colin-powell', 8],
  ['george-w-bush', 8],
  ['colin-powell', 3],
  ['george-w-bush', 2],
];
const portraits = drafts.map(([person, n]) => ({ photo: lfwPhoto(person, n), caption: person, person }));

const folder = await lfwRegistryFolder();
const engine = await startEngine({ threads: 2, maxPixels: 60_000_000 });
const registry = await readRegistryFolder(folder);
const { gallery } = await loadReferencePhotos(registry, engine, await DescriptorCache.open(path.join(folder, 'cache.json')), () => {});
const score = async (bytes: Buffer, expected: string[]) => {
  const { timings: _t, ...analysis } = await engine.analyze(bytes);
  const result = evaluateImage(analysis, gallery, { claims: [] });
  const named = result.faces.map((face) => (face.verdict === 'identified' ? face.bestMatch?.personId : face.verdict));
  const right = named.filter((name, index) => name === expected[index]).length;
  const sizes = analysis.faces.map((face) => Math.round(face.box.width));
  return { faces: result.faces.length, identifiedRight: right, faceWidthsPx: `${Math.min(...sizes)}-${Math.max(...sizes)}` };
};
console.log('portrait pt | source | faces/8 | identified right/8 | face widths px | ms');
for (const width of [70, 96, 120]) {
  const pdf = await pdfHandout([portraits], { portraitWidth: width, embeddedWidth: 160, columns: width > 100 ? 4 : 6 });
  for (const dpi of [72, 150, 200, 300]) {
    const started = Date.now();
    const [page] = await renderPdf(pdf, { ...defaultPdfLimits, dpi });
    const result = await score(
      page.jpeg,
      portraits.map((p) => p.person),
    );
    console.log(
      `${width} | page at ${dpi} dpi (${page.width}x${page.height}) | ${result.faces} | ${result.identifiedRight} | ${result.faceWidthsPx} | ${Date.now() - started}`,
    );
  }
  // The embedded images themselves: one check per portrait, as pdf.js would extract them.
  let faces = 0;
  let right = 0;
  const started = Date.now();
  for (const portrait of portraits) {
    const jpeg = await sharp(portrait.photo)
      .extract({ left: 45, top: 35, width: 160, height: 200 })
      .resize(160, 200)
      .jpeg({ quality: 80 })
      .toBuffer();
    const result = await score(jpeg, [portrait.person]);
    faces += result.faces;
    right += result.identifiedRight;
  }
  console.log(`${width} | embedded images (160x200 each) | ${faces} | ${right} | - | ${Date.now() - started}`);
}
await engine.close();
await rm(folder, { recursive: true, force: true });
