import { createHash } from 'node:crypto';

/**
 * The SHA-256 of a file's bytes, in hex: how the upload store addresses files, the registry push
 * recognises a photo already sent, and the descriptor caches key their analyses.
 */
export function contentHash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
