import type { NextFunction, Request, Response } from 'express';
import { AppError, isAppError } from '../errors.js';
import type { Log } from '../runtime/log.js';

/** Every failure leaves as `{ error: { code, message } }` with the catalogue's status. */
export function errorHandler(log: Log) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const appError = toAppError(error);
    if (appError.status >= 500)
      log('error', 'request failed', { method: req.method, path: req.path, error: error instanceof Error ? error.stack : String(error) });
    if (res.headersSent) return;
    res.status(appError.status).json({ error: appError.toJSON() });
  };
}

function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const status = (error as { type?: string; status?: number }).type;
  if (status === 'entity.too.large') return new AppError('FILE_TOO_LARGE', 'the request body is larger than the limit');
  if (status === 'entity.parse.failed') return new AppError('VALIDATION', 'the request body is not valid JSON');
  if (typeof status === 'string' && status.startsWith('encoding.'))
    return new AppError('VALIDATION', 'the request body has an unsupported encoding');
  return new AppError('INTERNAL', 'an unexpected error; the details are in the server log');
}

export function notFound(req: Request, _res: Response, next: NextFunction) {
  next(new AppError('NOT_FOUND', `no route ${req.method} ${req.path}`));
}
