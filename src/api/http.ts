import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { AppError } from '../errors.js';
import type { ApiKeyRecord, Role } from '../services/keys.js';

/** Express 4 does not catch rejected promises: forward them to the error handler. */
export function handle(handler: (req: Request, res: Response) => Promise<unknown>): RequestHandler {
  return (req, res, next) => {
    handler(req, res).catch(next);
  };
}

/** Validates input with a zod schema; every problem is named in one VALIDATION error. */
export function parse<T extends z.ZodType>(schema: T, input: unknown, where: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : where}: ${issue.message}`);
  throw new AppError('VALIDATION', `invalid ${where}: ${problems.join('; ')}`);
}

export function apiKeyOf(res: Response): ApiKeyRecord {
  return res.locals.apiKey as ApiKeyRecord;
}

/** Lets the request through only for these roles; admin may do everything. */
export function allow(...roles: Role[]): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    const key = apiKeyOf(res);
    if (key.role === 'admin' || roles.includes(key.role)) return next();
    next(new AppError('FORBIDDEN', `this action needs the role ${['admin', ...roles].join(' or ')}; the key has role ${key.role}`));
  };
}
