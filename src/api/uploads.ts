import { mkdir, readFile, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { findInvalidText } from '../domain/text.js';
import type { Box } from '../domain/types.js';
import { AppError } from '../errors.js';
import { parse } from './http.js';

/** Where uploads are streamed while a request is read; each request's files are deleted when it ends. */
const spoolDir = path.join(os.tmpdir(), 'photo-verify-uploads');

/**
 * Multipart uploads streamed to temporary files (never a whole batch in memory), each file up to
 * maxBytes; the handler reads them one at a time (fileBytes) into the upload store. A request
 * whose Content-Length is above maxRequestBytes is refused before it is read.
 */
export function multipartImages(options: {
  maxBytes: number;
  maxFiles: number;
  maxRequestBytes: number;
  maxFieldBytes: number;
}): RequestHandler {
  const upload = multer({
    storage: multer.diskStorage({ destination: spoolDir }),
    limits: { fileSize: options.maxBytes, files: options.maxFiles, fields: 50, fieldSize: options.maxFieldBytes },
  }).array('image', options.maxFiles);
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) {
      next(new AppError('VALIDATION', 'send the image as multipart/form-data in the field "image"'));
      return;
    }
    const length = Number(req.headers['content-length']);
    if (Number.isFinite(length) && length > options.maxRequestBytes) {
      next(
        new AppError('FILE_TOO_LARGE', `the request is larger than the limit of ${(options.maxRequestBytes / 1024 / 1024).toFixed(0)} MiB`),
      );
      return;
    }
    res.on('close', () => {
      for (const file of (req.files as Express.Multer.File[] | undefined) ?? []) void unlink(file.path).catch(() => undefined);
    });
    mkdir(spoolDir, { recursive: true }).then(
      () => upload(req, res, (error: unknown) => next(error ? uploadError(error, options) : undefined)),
      next,
    );
  };
}

/** An uploaded file's bytes, read from where multer streamed it. */
export function fileBytes(file: Express.Multer.File): Promise<Buffer> {
  return readFile(file.path);
}

/**
 * At most `perKey` uploads of one API key are read at once: a client sending more is answered 503
 * with Retry-After at once (its own uploads go on). At most `total` are read in all: beyond that an
 * upload waits its turn (first come, first served) up to `waitMs`, then is answered 503. So one
 * client can take no more than its share, and a crowd of well-behaved clients is slowed, not refused.
 */
export function uploadSlots(limits: { total: number; perKey: number; waitMs: number }): RequestHandler {
  let inFlight = 0;
  const byKey = new Map<string, number>();
  const waiting: Array<() => void> = [];
  const leave = (key: string) => {
    const left = (byKey.get(key) ?? 1) - 1;
    if (left > 0) byKey.set(key, left);
    else byKey.delete(key);
  };
  return (_req: Request, res: Response, next: NextFunction) => {
    const key = (res.locals.apiKey as { id?: string } | undefined)?.id ?? 'anonymous';
    const mine = byKey.get(key) ?? 0;
    if (mine >= limits.perKey) {
      next(
        new AppError(
          'SERVICE_UNAVAILABLE',
          `this API key already has ${mine} uploads in progress; send the next when one has been answered`,
        ),
      );
      return;
    }
    byKey.set(key, mine + 1);
    let state: 'waiting' | 'running' | 'done' = 'waiting';
    let timer: NodeJS.Timeout | undefined;
    const run = () => {
      state = 'running';
      next();
    };
    // A slot handed over by a request that ended keeps inFlight as it is.
    const turn = () => {
      clearTimeout(timer);
      run();
    };
    // Ends the request's claim however it ends: answered, refused, or the client gone while it waited.
    res.on('close', () => {
      if (state === 'done') return;
      const was = state;
      state = 'done';
      leave(key);
      if (was === 'waiting') {
        clearTimeout(timer);
        waiting.splice(waiting.indexOf(turn), 1);
        return;
      }
      const nextTurn = waiting.shift();
      if (nextTurn) nextTurn();
      else inFlight -= 1;
    });
    if (inFlight < limits.total) {
      inFlight += 1;
      run();
      return;
    }
    timer = setTimeout(() => {
      waiting.splice(waiting.indexOf(turn), 1);
      state = 'done';
      leave(key);
      next(new AppError('SERVICE_UNAVAILABLE', 'the service is reading as many uploads as it takes; try again in a moment'));
    }, limits.waitMs);
    waiting.push(turn);
  };
}

function uploadError(error: unknown, { maxBytes, maxFieldBytes }: { maxBytes: number; maxFieldBytes: number }): AppError {
  if (error instanceof multer.MulterError) {
    if (error.code === 'LIMIT_FILE_SIZE')
      return new AppError('FILE_TOO_LARGE', `the file is larger than the limit of ${(maxBytes / 1024 / 1024).toFixed(0)} MiB`);
    if (error.code === 'LIMIT_FIELD_VALUE')
      return new AppError(
        'VALIDATION',
        `the field "${error.field}" is longer than ${maxFieldBytes / 1024} KiB: a check takes at most a few hundred names`,
      );
    if (error.code === 'LIMIT_UNEXPECTED_FILE')
      return new AppError('VALIDATION', `unexpected file field "${error.field}" or too many files: send images in the field "image"`);
    return new AppError('VALIDATION', `the multipart body is not acceptable: ${error.message}`);
  }
  if (error instanceof Error) return new AppError('VALIDATION', `the multipart body cannot be read: ${error.message}`);
  return new AppError('INTERNAL', String(error));
}

/** The uploaded images, or VALIDATION when there are none. */
export function uploadedFiles(files: Express.Multer.File[]): Express.Multer.File[] {
  if (files.length === 0) throw new AppError('VALIDATION', 'no image: send the file in the multipart field "image"');
  return files;
}

export function fileNameOf(file: Express.Multer.File): string | null {
  // Multer decodes the file name as latin1; browsers and curl send UTF-8.
  return file.originalname ? Buffer.from(file.originalname, 'latin1').toString('utf8') : null;
}

const boxSchema = z.object({ x: z.number(), y: z.number(), width: z.number().positive(), height: z.number().positive() });
export const claimSchema = z.object({ text: z.string().trim().min(1), box: boxSchema.optional() });

/** A multipart field holding JSON (or, for names, one name per line). */
export function jsonField<T extends z.ZodType>(value: unknown, schema: T, field: string): z.infer<T> | undefined {
  if (value === undefined || value === '') return undefined;
  let decoded: unknown;
  try {
    decoded = typeof value === 'string' ? JSON.parse(value) : value;
  } catch {
    throw new AppError('VALIDATION', `the field "${field}" is not valid JSON`);
  }
  const invalid = findInvalidText(decoded, field);
  if (invalid) throw new AppError('VALIDATION', `${invalid.path} ${invalid.problem}`);
  return parse(schema, decoded, field);
}

/** `names` as a JSON array, as repeated fields, or as lines of text, in reading order. */
export function namesField(value: unknown): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  if (Array.isArray(value))
    return value
      .map(String)
      .map((name) => name.trim())
      .filter(Boolean);
  const text = String(value).trim();
  if (text.startsWith('[')) return jsonField(text, z.array(z.string().trim().min(1)), 'names');
  return text
    .split(/\r?\n/)
    .map((name) => name.trim())
    .filter(Boolean);
}

export function boxField(value: unknown): Box | undefined {
  return jsonField(value, boxSchema, 'box');
}

/**
 * The request's Idempotency-Key header, or null: 1 to 200 visible ASCII characters (a UUID, say).
 * An upload sent again with the same key answers the checks the first one created.
 */
export function idempotencyKeyOf(req: Request): string | null {
  const key = req.get('idempotency-key');
  if (key === undefined) return null;
  if (!/^[\x21-\x7e]{1,200}$/.test(key))
    throw new AppError('VALIDATION', 'the Idempotency-Key header is 1 to 200 visible ASCII characters, e.g. a UUID');
  return key;
}
