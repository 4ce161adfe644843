import { type Request, type RequestHandler, type Response, Router } from 'express';
import type { z } from 'zod';
import { findInvalidText } from '../domain/text.js';
import { AppError } from '../errors.js';
import type { Role } from '../services/keys.js';
import type { ApiContext } from './context.js';
import { allow, apiKeyOf, handle, parse } from './http.js';
import { fileNameOf, multipartImages, uploadSlots } from './uploads.js';

export type Method = 'get' | 'post' | 'patch' | 'delete';

/**
 * Who may call a route: `public` needs no API key (probes, this document); `any` is any valid key;
 * a list names the roles allowed besides admin (an empty list: admin only).
 */
export type Access = 'public' | 'any' | readonly Exclude<Role, 'admin'>[];

/** One answer a route gives: a JSON body described by a zod schema, or another content type (images, metrics). */
export interface ResponseSpec {
  description: string;
  /** The JSON body; `z.toJSONSchema` of it (output side) is what the document shows. */
  schema?: z.ZodType;
  /** Content types of a body that is not JSON, e.g. image/png. */
  content?: readonly string[];
}

/** A request body: JSON, or multipart form fields beside the image file(s) in the field "image". */
export interface BodySpec<B extends z.ZodType> {
  /** What the error message calls it: "invalid person: name: ...". */
  name: string;
  schema: B;
  /** Multipart with image files: how many the route takes, and what the file field says. */
  upload?: { maxFiles: number; description: string };
}

export interface RouteInput<P extends z.ZodObject, Q extends z.ZodObject, B extends z.ZodType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
  /** Uploaded images of a multipart route, in the order sent; empty otherwise. */
  files: Express.Multer.File[];
  /** The API key's id, for the audit log; null on public routes. */
  actor: string | null;
}

/**
 * A route declared once: the router validates path parameters, query and body with these schemas,
 * and the OpenAPI document is generated from the same schemas (src/api/openapi.ts).
 */
export interface RouteSpec<P extends z.ZodObject = z.ZodObject, Q extends z.ZodObject = z.ZodObject, B extends z.ZodType = z.ZodType> {
  method: Method;
  /** Express syntax: /v1/checks/:checkId. */
  path: string;
  tag: string;
  summary: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: BodySpec<B>;
  /** Every answer by status; errors from the catalogue are documented for every route besides these. */
  responses: Record<number, ResponseSpec>;
  handle(ctx: ApiContext, input: RouteInput<P, Q, B>, res: Response): Promise<void> | void;
}

/** A declared route, its types erased so that routes of different shapes sit in one list. */
export type Route = RouteSpec<z.ZodObject, z.ZodObject, z.ZodType>;

/** Declares a route; the generic parameters only make `handle` see the parsed input's types. */
export function route<
  P extends z.ZodObject = z.ZodObject<Record<string, never>>,
  Q extends z.ZodObject = z.ZodObject<Record<string, never>>,
  B extends z.ZodType = z.ZodUndefined,
>(spec: RouteSpec<P, Q, B>): Route {
  return spec as unknown as Route;
}

/** The OpenAPI path of an express path: /v1/checks/:checkId becomes /v1/checks/{checkId}. */
export function openApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}');
}

/** A router serving the routes in order: access check, upload, validation, then the handler. */
export function routerOf(ctx: ApiContext, routes: readonly Route[]): Router {
  const router = Router();
  const slots = uploadSlots({
    total: ctx.config.MAX_UPLOADS_IN_FLIGHT,
    perKey: ctx.config.MAX_UPLOADS_PER_KEY,
    waitMs: ctx.config.UPLOAD_WAIT_MS,
  });
  for (const spec of routes) {
    const handlers: RequestHandler[] = [];
    if (Array.isArray(spec.access)) handlers.push(allow(...spec.access));
    const upload = spec.body?.upload;
    if (upload) {
      handlers.push(slots);
      handlers.push(
        multipartImages({
          maxBytes: ctx.config.MAX_UPLOAD_BYTES,
          maxFiles: upload.maxFiles,
          maxRequestBytes: ctx.config.MAX_REQUEST_BYTES,
          maxFieldBytes: ctx.config.MAX_FIELD_BYTES,
        }),
      );
    }
    handlers.push(
      handle(async (req: Request, res: Response) => {
        rejectInvalidText(req, upload ? ((req.files as Express.Multer.File[] | undefined) ?? []) : []);
        const input = {
          params: spec.params ? parse(spec.params, req.params, 'params') : {},
          query: spec.query ? parse(spec.query, req.query, 'query') : {},
          body: spec.body ? parse(spec.body.schema, req.body ?? {}, spec.body.name) : undefined,
          files: upload ? ((req.files as Express.Multer.File[] | undefined) ?? []) : [],
          actor: spec.access === 'public' ? null : apiKeyOf(res).id,
        };
        await spec.handle(ctx, input, res);
      }),
    );
    router[spec.method](spec.path, ...handlers);
  }
  return router;
}

/** NUL and lone surrogates anywhere a request carries text are a 400 naming the field, never a database error. */
function rejectInvalidText(req: Request, files: Express.Multer.File[]): void {
  const invalid =
    findInvalidText(req.params, 'path parameter') ??
    findInvalidText(req.query, 'query parameter') ??
    findInvalidText(req.body, 'body') ??
    findInvalidText(
      files.map((file) => fileNameOf(file) ?? ''),
      'file name',
    );
  if (invalid) throw new AppError('VALIDATION', `${invalid.path.replace(/^(path parameter|query parameter)\./, '$1 ')} ${invalid.problem}`);
}
