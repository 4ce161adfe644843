/**
 * The OpenAPI 3.1 document, generated from the route declarations: request parameters and bodies
 * from the zod schemas the router validates with (input side), answers from the response schemas
 * (output side). Nothing here is written by hand but the titles and the error reference.
 */
import type { Router } from 'express';
import { z } from 'zod';
import { type Access, openApiPath, type Route } from './route.js';
import { errorBody } from './schemas.js';

export type JsonSchema = Record<string, unknown>;
export type Operation = Record<string, unknown>;
export type Paths = Record<string, Record<string, Operation>>;

/** `z.toJSONSchema` without the `$schema` line: OpenAPI 3.1 schemas are JSON Schema 2020-12 already. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const errorRef = { $ref: '#/components/schemas/Error' };
const otherRoles = ['curator', 'submitter', 'reviewer'];

/** The multipart body of an upload route: the image file(s) in "image" beside the declared fields. */
export function multipartSchema(route: Route): JsonSchema {
  const upload = route.body!.upload!;
  const fields = jsonSchema(route.body!.schema, 'input');
  const file = { type: 'string', contentMediaType: 'application/octet-stream', description: upload.description };
  return {
    ...fields,
    properties: {
      image: upload.maxFiles > 1 ? { type: 'array', maxItems: upload.maxFiles, items: file } : file,
      ...(fields.properties as JsonSchema | undefined),
    },
    required: ['image', ...((fields.required as string[] | undefined) ?? [])],
  };
}

function parameters(route: Route): JsonSchema[] {
  const of = (schema: z.ZodObject | undefined, where: 'path' | 'query') => {
    if (!schema) return [];
    const json = jsonSchema(schema, 'input');
    const required = new Set((json.required as string[] | undefined) ?? []);
    return Object.entries(json.properties as Record<string, JsonSchema>).map(([name, property]) => ({
      name,
      in: where,
      required: where === 'path' || required.has(name),
      schema: property,
    }));
  };
  return [...of(route.params, 'path'), ...of(route.query, 'query')];
}

function security(access: Access): Operation {
  if (access === 'public') return { security: [] };
  const roles = access === 'any' ? otherRoles : access;
  return { security: [{ apiKey: [] }], description: `Roles: ${['admin', ...roles].join(', ')}.` };
}

/** One operation: what the route takes, what it answers, and the catalogue's error body for anything else. */
export function operation(route: Route): Operation {
  const params = parameters(route);
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    const content: Record<string, unknown> = {};
    if (response.schema) content['application/json'] = { schema: jsonSchema(response.schema, 'output') };
    for (const type of response.content ?? []) content[type] = {};
    responses[status] = Object.keys(content).length
      ? { description: response.description, content }
      : { description: response.description };
  }
  responses.default = { description: 'An error from the catalogue', content: { 'application/json': { schema: errorRef } } };
  const body = route.body;
  return {
    tags: [route.tag],
    summary: route.summary,
    ...security(route.access),
    ...(params.length ? { parameters: params } : {}),
    ...(body
      ? {
          requestBody: {
            required: true,
            content: body.upload
              ? { 'multipart/form-data': { schema: multipartSchema(route) } }
              : { 'application/json': { schema: jsonSchema(body.schema, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

export function openApiDocument(routes: readonly Route[], version: string): Record<string, unknown> {
  const paths: Paths = {};
  for (const route of routes) {
    paths[openApiPath(route.path)] ??= {};
    paths[openApiPath(route.path)][route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'photo-verify', version, description: 'Checks whether photos in public materials show the people they claim to show.' },
    servers: [{ url: '/' }],
    components: {
      schemas: { Error: jsonSchema(errorBody, 'output') },
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'Create with `photo-verify keys create --role ROLE`' } },
    },
    security: [{ apiKey: [] }],
    paths,
  };
}

/** The routes a router really serves, as OpenAPI paths ("/v1/checks/{checkId}"); the test compares them with the document. */
export function routesOf(prefix: string, router: Router): Array<{ method: string; path: string }> {
  const routes: Array<{ method: string; path: string }> = [];
  for (const layer of router.stack as Array<{ route?: { path: string; methods: Record<string, boolean> } }>) {
    if (!layer.route) continue;
    for (const method of Object.keys(layer.route.methods)) {
      routes.push({ method, path: openApiPath(prefix + layer.route.path) });
    }
  }
  return routes;
}
