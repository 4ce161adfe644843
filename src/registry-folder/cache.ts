/**
 * Reference photo analyses cached on disk, keyed by the photo's content (SHA-256) and the model
 * that analysed it: a second run over the same registry decodes and embeds nothing again, and a
 * changed photo or a new model is analysed afresh. The verdict on whether a photo is usable is
 * made again each run from the cached faces, so a stricter gate applies to old entries too.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageAnalysis } from '../domain/types.js';

export const defaultCacheName = '.photo-verify-cache.json';

interface CacheFile {
  version: 1;
  /** model id → content hash → analysis */
  models: Record<string, Record<string, ImageAnalysis>>;
}

export class DescriptorCache {
  private readonly used = new Map<string, ImageAnalysis>();

  private constructor(
    readonly file: string,
    private readonly stored: CacheFile,
  ) {}

  /** Opens the cache file; a missing or unreadable one starts empty (it is only a cache). */
  static async open(file: string): Promise<DescriptorCache> {
    let stored: CacheFile = { version: 1, models: {} };
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<CacheFile>;
      if (parsed.version === 1 && parsed.models && typeof parsed.models === 'object') stored = parsed as CacheFile;
    } catch {
      // absent or damaged: rebuilt on save
    }
    return new DescriptorCache(file, stored);
  }

  get(model: string, hash: string): ImageAnalysis | undefined {
    const analysis = this.stored.models[model]?.[hash];
    if (analysis?.model !== model) return undefined;
    this.used.set(hash, analysis);
    return analysis;
  }

  set(hash: string, analysis: ImageAnalysis): void {
    const { width, height, format, faces, model } = analysis;
    this.used.set(hash, {
      width,
      height,
      format,
      model,
      faces: faces.map(({ box, landmarks, quality, descriptor }) => ({ box, landmarks, quality, descriptor })),
    });
  }

  /**
   * Writes the entries used in this run for `model` (photos removed from the registry drop out)
   * and keeps other models' entries. Written to a temporary file and renamed, so a crash never
   * leaves half a cache.
   */
  async save(model: string): Promise<void> {
    const models = { ...this.stored.models, [model]: Object.fromEntries([...this.used].sort(([a], [b]) => a.localeCompare(b))) };
    await mkdir(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify({ version: 1, models } satisfies CacheFile));
    await rename(temporary, this.file);
  }
}
