/**
 * The one catalogue of coded errors. The API turns these into `{ error: { code, message } }`
 * with the status given here; the command-line tool prints `code: message`.
 * README.md's "Error codes" table is kept in step with this list by a test.
 */
export const errorCatalogue = {
  IMAGE_EMPTY: { status: 400, description: 'The upload holds no bytes.' },
  IMAGE_UNSUPPORTED: { status: 415, description: 'The content is not an image in a supported format (JPEG, PNG, WebP, AVIF, TIFF, GIF).' },
  IMAGE_CORRUPT: { status: 422, description: 'The image is damaged or truncated and cannot be decoded.' },
  IMAGE_TOO_LARGE: { status: 413, description: 'The image has more pixels than the configured limit (a decompression bomb guard).' },
  PDF_ENCRYPTED: { status: 422, description: 'The PDF is protected by a password; send it without protection.' },
  PDF_CORRUPT: { status: 422, description: 'The PDF is damaged or is not a readable PDF, or one of its pages cannot be drawn.' },
  PDF_TOO_MANY_PAGES: { status: 413, description: 'The PDF has more pages than the configured limit (MAX_PDF_PAGES); split it.' },
  PDF_PAGE_TOO_LARGE: {
    status: 413,
    description: 'A PDF page is so large that even at 72 dpi it would pass the pixel limit (MAX_IMAGE_PIXELS).',
  },
  PDF_IMAGE_TOO_LARGE: {
    status: 413,
    description: 'A PDF page holds an embedded image with more pixels than the configured limit (MAX_IMAGE_PIXELS); it is not decoded.',
  },
  PDF_TIMEOUT: { status: 422, description: 'A PDF page took longer to draw than the configured limit (PDF_PAGE_TIMEOUT_MS).' },
  FILE_TOO_LARGE: { status: 413, description: 'The upload or request body is larger than the configured limit.' },
  MODEL_INTEGRITY: { status: 500, description: 'A face model file is missing or does not match its checksum.' },
  ENGINE_UNAVAILABLE: { status: 503, description: 'No usable TensorFlow.js backend (tfjs-node or wasm) could be started.' },
  VALIDATION: { status: 400, description: 'The request is malformed: a field is missing or has the wrong form.' },
  NOT_FOUND: { status: 404, description: 'No such resource.' },
  UNAUTHORIZED: { status: 401, description: 'A valid API key is required (Authorization: Bearer KEY).' },
  FORBIDDEN: { status: 403, description: "The API key's role does not allow this action." },
  CONFLICT: { status: 409, description: 'The request conflicts with the current state of the resource.' },
  REFERENCE_PHOTO_REJECTED: {
    status: 422,
    description: 'A reference photo failed enrolment: no face, several faces without a chosen box, or below the reference-quality gate.',
  },
  WEBHOOK_URL_REFUSED: {
    status: 422,
    description: 'The webhook URL is not allowed (scheme, or an address that is private, loopback, link-local or metadata).',
  },
  SERVICE_UNAVAILABLE: { status: 503, description: 'A service the request needs (PostgreSQL, Redis, models) is not ready.' },
  INTERNAL: { status: 500, description: 'An unexpected error; the details are in the server log.' },
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; details?: unknown } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** Image errors are permanent: retrying the same bytes cannot succeed. */
export function isPermanentImageError(error: unknown): boolean {
  return (
    isAppError(error) &&
    [
      'IMAGE_EMPTY',
      'IMAGE_UNSUPPORTED',
      'IMAGE_CORRUPT',
      'IMAGE_TOO_LARGE',
      'PDF_ENCRYPTED',
      'PDF_CORRUPT',
      'PDF_TOO_MANY_PAGES',
      'PDF_PAGE_TOO_LARGE',
      'PDF_IMAGE_TOO_LARGE',
      'PDF_TIMEOUT',
    ].includes(error.code)
  );
}

/** A connection URL fit for a message: the password, if any, is starred out. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/** The short cause of a connection failure (ECONNREFUSED, …) for a one-line message. */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describeError(error.errors[0]);
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.message;
  return String(error);
}
