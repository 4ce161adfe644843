import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { contentHash } from '../domain/content-hash.js';
import { AppError } from '../errors.js';

/** Uploaded files addressed by their sha256: the same file uploaded twice is stored once. */
export interface UploadStore {
  put(bytes: Buffer): Promise<{ hash: string; stored: boolean }>;
  get(hash: string): Promise<Buffer>;
}

export function createUploadStore(directory: string): UploadStore {
  const root = path.resolve(directory);
  const locate = (hash: string) => {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new AppError('VALIDATION', `not a content hash: ${hash}`);
    return path.join(root, hash.slice(0, 2), hash);
  };
  return {
    async put(bytes) {
      const hash = contentHash(bytes);
      const target = locate(hash);
      if (await exists(target)) return { hash, stored: false };
      await mkdir(path.dirname(target), { recursive: true });
      // Write aside, then rename: a reader on another process never sees half a file.
      const temporary = `${target}.${randomUUID()}.part`;
      await writeFile(temporary, bytes);
      await rename(temporary, target).catch(async (error) => {
        await unlink(temporary).catch(() => undefined);
        throw error;
      });
      return { hash, stored: true };
    },
    async get(hash) {
      try {
        return await readFile(locate(hash));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT')
          throw new AppError('NOT_FOUND', `the uploaded file ${hash} is missing from the upload store`);
        throw error;
      }
    },
  };
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
