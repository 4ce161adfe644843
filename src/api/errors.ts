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
    // Busy or a dependency down: a client may try again; say when.
    if (appError.status === 503) res.setHeader('Retry-After', '2');
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
  // Every PostgreSQL connection busy for connectionTimeoutMillis: the service is saturated, not broken.
  if (error instanceof Error && /timeout exceeded when trying to connect/.test(error.message))
    return new AppError('SERVICE_UNAVAILABLE', 'the service is busy (every database connection is in use); try again in a moment');
  // PostgreSQL or Redis restarting or out of reach: a retry shortly after will do.
  if (isConnectionLoss(error))
    return new AppError('SERVICE_UNAVAILABLE', 'the database or the queue is not reachable at the moment; try again shortly');
  return new AppError('INTERNAL', 'an unexpected error; the details are in the server log');
}

const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
]);

function isConnectionLoss(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isConnectionLoss);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && connectionCodes.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|Connection is closed|the database system is (starting up|shutting down)/i.test(message);
}

export function notFound(req: Request, _res: Response, next: NextFunction) {
  next(new AppError('NOT_FOUND', `no route ${req.method} ${req.path}`));
}
