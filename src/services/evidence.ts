import sharp from 'sharp';
import type { FaceResult } from '../domain/results.js';
import type { Box } from '../domain/types.js';
import { AppError } from '../errors.js';
import { escapeMarkup, faceCrop } from '../images/face-crop.js';
import type { Store } from '../store/index.js';
import type { UploadStore } from '../store/upload-files.js';
import type { CheckService } from './checks.js';

const tile = 240;
const caption = 44;
const gap = 8;

interface Panel {
  image: Buffer;
  box: Box | null;
  lines: string[];
}

/**
 * The evidence for one face: the face as the draft shows it, beside the reference photos it was
 * compared with (the claimed person's best photo, and the photo of whom it matches instead).
 */
export class EvidenceService {
  constructor(
    private readonly store: Store,
    private readonly uploads: UploadStore,
    private readonly checks: CheckService,
  ) {}

  async render(checkId: string, faceIndex: number, format: 'png' | 'jpeg'): Promise<Buffer> {
    const check = await this.checks.get(checkId);
    if (check.status !== 'done') throw new AppError('CONFLICT', `check ${checkId} is ${check.status}; evidence exists once it is done`);
    const face = check.faces[faceIndex];
    if (!face) throw new AppError('NOT_FOUND', `check ${checkId} has no face ${faceIndex} (it has ${check.faces.length})`);
    const panels: Panel[] = [
      {
        image: await this.uploads.get(check.fileHash),
        box: face.box,
        lines: [`Draft face ${faceIndex + 1}: ${face.verdict}`, face.claim ? `captioned ${face.claim.name}` : 'no caption'],
      },
    ];
    for (const reference of referencesOf(face)) {
      const photo = await this.store.referencePhotos.get(reference.id);
      if (!photo) continue;
      panels.push({
        image: await this.uploads.get(photo.fileHash),
        box: photo.faceBox,
        lines: [reference.label, `score ${reference.score.toFixed(2)}`],
      });
    }
    const tiles = await Promise.all(panels.map(renderPanel));
    const width = tiles.length * tile + (tiles.length + 1) * gap;
    const canvas = sharp({ create: { width, height: tile + caption + 2 * gap, channels: 3, background: '#ffffff' } }).composite(
      tiles.map((input, index) => ({ input, left: gap + index * (tile + gap), top: gap })),
    );
    return format === 'png' ? canvas.png().toBuffer() : canvas.jpeg({ quality: 88 }).toBuffer();
  }
}

function referencesOf(face: FaceResult): Array<{ id: string; label: string; score: number }> {
  const references: Array<{ id: string; label: string; score: number }> = [];
  if (face.claim && face.claimReferencePhoto && face.claimScore !== null) {
    references.push({ id: face.claimReferencePhoto, label: `registry: ${face.claim.name}`, score: face.claimScore });
  }
  const other = face.bestMatch ?? face.nearest;
  if (other && other.referencePhoto !== face.claimReferencePhoto) {
    references.push({ id: other.referencePhoto, label: `${face.bestMatch ? 'matches' : 'nearest'}: ${other.name}`, score: other.score });
  }
  return references;
}

async function renderPanel(panel: Panel): Promise<Buffer> {
  const picture = await faceCrop(panel.image, panel.box);
  const face = await picture.resize(tile, tile, { fit: 'contain', background: '#ffffff' }).png().toBuffer();
  const text = panel.lines
    .map(
      (line, index) =>
        `<text x="4" y="${tile + 16 + index * 18}" font-family="DejaVu Sans, sans-serif" font-size="14" fill="#111">${escapeMarkup(line)}</text>`,
    )
    .join('');
  const label = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${tile}" height="${tile + caption}">${text}</svg>`);
  return sharp({ create: { width: tile, height: tile + caption, channels: 3, background: '#ffffff' } })
    .composite([
      { input: face, left: 0, top: 0 },
      { input: label, left: 0, top: 0 },
    ])
    .png()
    .toBuffer();
}
