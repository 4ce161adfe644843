import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { Box } from '../domain/types.js';
import { AppError } from '../errors.js';
import { parse } from './http.js';

/** Multipart uploads held in memory up to the size limit, then hashed into the upload store. */
export function multipartImages(options: { maxBytes: number; maxFiles: number }): RequestHandler {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: options.maxBytes, files: options.maxFiles, fields: 50, fieldSize: 1024 * 1024 },
  }).array('image', options.maxFiles);
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) {
      next(new AppError('VALIDATION', 'send the image as multipart/form-data in the field "image"'));
      return;
    }
    upload(req, res, (error: unknown) => next(error ? uploadError(error, options.maxBytes) : undefined));
  };
}

function uploadError(error: unknown, maxBytes: number): AppError {
  if (error instanceof multer.MulterError) {
    if (error.code === 'LIMIT_FILE_SIZE')
      return new AppError('FILE_TOO_LARGE', `the file is larger than the limit of ${(maxBytes / 1024 / 1024).toFixed(0)} MiB`);
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
