import sharp from 'sharp';
import { isUuid } from '../domain/ids.js';
import { type FaceResult, isFlaggedFace } from '../domain/results.js';
import type { Box } from '../domain/types.js';
import { AppError } from '../errors.js';
import { escapeMarkup, faceCrop } from '../images/face-crop.js';
import type { Store } from '../store/index.js';
import type { UploadStore } from '../store/upload-files.js';

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
 * The worker that judged a check renders its flagged faces' evidence once and stores it
 * (prerender); the API serves what is stored, and renders (then stores) only what is missing, a
 * few at a time: a client asking for evidence again and again costs a file read.
 */
export class EvidenceService {
  private rendering = 0;

  constructor(
    private readonly store: Pick<Store, 'checks' | 'referencePhotos'>,
    private readonly uploads: UploadStore,
    /** config EVIDENCE_RENDERS_AT_ONCE */
    private readonly rendersAtOnce = 2,
  ) {}

  /** One face as the draft shows it (upright, with its margin), as a JPEG thumbnail for the review desk. */
  async faceCrop(checkId: string, faceIndex: number): Promise<Buffer> {
    const check = isUuid(checkId) ? await this.store.checks.getWithResult(checkId) : null;
    const face = check?.faces[faceIndex];
    if (!check || !face) throw new AppError('NOT_FOUND', `check ${checkId} has no face ${faceIndex + 1}`);
    const crop = await faceCrop(await this.uploads.get(check.fileHash), face.box);
    return crop.resize({ height: tile, withoutEnlargement: false }).jpeg({ quality: 85 }).toBuffer();
  }

  /** Renders and stores the evidence of every flagged face of a judged check. */
  async prerender(checkId: string): Promise<number> {
    const check = await this.store.checks.getWithResult(checkId);
    if (check?.status !== 'done') return 0;
    let rendered = 0;
    for (const [index, face] of check.faces.entries()) {
      if (!isFlaggedFace(face) || (await this.store.checks.evidenceHash(checkId, index))) continue;
      const png = await this.compose(check.fileHash, face, index);
      await this.store.checks.setEvidence(checkId, index, (await this.uploads.put(png)).hash);
      rendered++;
    }
    return rendered;
  }

  async render(checkId: string, faceIndex: number, format: 'png' | 'jpeg'): Promise<Buffer> {
    const check = isUuid(checkId) ? await this.store.checks.getWithResult(checkId) : null;
    if (!check) throw new AppError('NOT_FOUND', `no check ${checkId}`);
    if (check.status !== 'done') throw new AppError('CONFLICT', `check ${checkId} is ${check.status}; evidence exists once it is done`);
    const face = check.faces[faceIndex];
    if (!face) throw new AppError('NOT_FOUND', `check ${checkId} has no face ${faceIndex + 1} (it has ${check.faces.length})`);
    const stored = await this.store.checks.evidenceHash(checkId, faceIndex);
    let png: Buffer;
    if (stored) png = await this.uploads.get(stored);
    else {
      if (this.rendering >= this.rendersAtOnce)
        throw new AppError('SERVICE_UNAVAILABLE', 'evidence images are being drawn for other requests; try again in a moment');
      this.rendering++;
      try {
        png = await this.compose(check.fileHash, face, faceIndex);
      } finally {
        this.rendering--;
      }
      await this.store.checks.setEvidence(checkId, faceIndex, (await this.uploads.put(png)).hash);
    }
    return format === 'png' ? png : sharp(png).jpeg({ quality: 88 }).toBuffer();
  }

  private async compose(draftHash: string, face: FaceResult, faceIndex: number): Promise<Buffer> {
    const panels: Panel[] = [
      {
        image: await this.uploads.get(draftHash),
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
    return canvas.png().toBuffer();
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
