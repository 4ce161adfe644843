import type { Router } from 'express';
import { errorCatalogue } from '../errors.js';

type Schema = Record<string, unknown>;
export type Operation = Record<string, unknown>;
export type Paths = Record<string, Partial<Record<'get' | 'post' | 'patch' | 'put' | 'delete', Operation>>>;

interface OperationSpec {
  tag: string;
  /** Roles allowed besides admin; omitted for routes that need no key. */
  roles?: string[];
  pathParams?: string[];
  query?: Record<string, Schema>;
  json?: Schema;
  multipart?: Record<string, Schema>;
  responses: Record<number, { description: string; schema?: Schema; content?: string }>;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** One operation of the OpenAPI document, with the error responses every route shares. */
export function op(summary: string, spec: OperationSpec): Operation {
  const parameters = [
    ...(spec.pathParams ?? []).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...Object.entries(spec.query ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
  ];
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    responses[status] =
      response.schema || response.content
        ? {
            description: response.description,
            content: { [response.content ?? 'application/json']: { schema: response.schema ?? { type: 'string', format: 'binary' } } },
          }
        : { description: response.description };
  }
  responses.default = { description: 'An error from the catalogue', content: { 'application/json': { schema: ref('Error') } } };
  return {
    tags: [spec.tag],
    summary,
    ...(spec.roles
      ? { security: [{ apiKey: [] }], description: `Roles: admin${spec.roles.length ? `, ${spec.roles.join(', ')}` : ''}.` }
      : { security: [] }),
    ...(parameters.length ? { parameters } : {}),
    ...(spec.json ? { requestBody: { required: true, content: { 'application/json': { schema: spec.json } } } } : {}),
    ...(spec.multipart
      ? {
          requestBody: {
            required: true,
            content: { 'multipart/form-data': { schema: { type: 'object', properties: spec.multipart, required: ['image'] } } },
          },
        }
      : {}),
    responses,
  };
}

export const schemas: Record<string, Schema> = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string', enum: Object.keys(errorCatalogue) }, message: { type: 'string' } },
      },
    },
  },
  Box: {
    type: 'object',
    required: ['x', 'y', 'width', 'height'],
    properties: { x: { type: 'number' }, y: { type: 'number' }, width: { type: 'number' }, height: { type: 'number' } },
  },
  Claim: {
    type: 'object',
    required: ['text'],
    properties: { text: { type: 'string', description: 'A person id, name or alias' }, box: ref('Box') },
  },
  Person: {
    type: 'object',
    properties: {
      id: { type: 'string', example: 'enver-bekirov' },
      name: { type: 'string' },
      aliases: { type: 'array', items: { type: 'string' } },
      category: { type: 'string', nullable: true },
      region: { type: 'string', nullable: true },
      status: { type: 'string', nullable: true },
      notes: { type: 'string', nullable: true },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  },
  ReferencePhoto: {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      personId: { type: 'string' },
      fileHash: { type: 'string', description: 'sha256 of the file' },
      fileName: { type: 'string', nullable: true },
      provenance: { type: 'string', nullable: true },
      status: { type: 'string', enum: ['pending', 'active', 'rejected', 'retired'] },
      rejectionReason: { type: 'string', nullable: true },
      faceBox: { ...ref('Box'), nullable: true },
      model: { type: 'string', nullable: true },
      quality: { type: 'object', nullable: true },
    },
  },
  ImageResult: {
    type: 'object',
    description: 'The same per-image result as the offline JSON report (src/domain/results.ts)',
    properties: {
      file: { type: 'string' },
      findings: { type: 'array', items: { type: 'object' } },
      faces: { type: 'array', items: { type: 'object' } },
      flagged: { type: 'boolean' },
      error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
    },
  },
  Check: {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      status: { type: 'string', enum: ['queued', 'processing', 'done', 'failed'] },
      batchId: { type: 'string', nullable: true },
      file: { type: 'string' },
      category: { type: 'string', nullable: true },
      claims: { type: 'array', items: ref('Claim') },
      result: { ...ref('ImageResult'), nullable: true },
      evidence: { type: 'array', items: { type: 'object', properties: { face: { type: 'integer' }, url: { type: 'string' } } } },
      review: { type: 'object', nullable: true },
    },
  },
  Batch: {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      status: { type: 'string', enum: ['open', 'running', 'completed'] },
      progress: { type: 'object' },
      summary: { type: 'object' },
    },
  },
};

export { ref };

export function openApiDocument(paths: Paths, version: string): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'photo-verify', version, description: 'Checks whether photos in public materials show the people they claim to show.' },
    servers: [{ url: '/' }],
    components: {
      schemas,
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
      routes.push({ method, path: (prefix + layer.route.path).replace(/:(\w+)/g, '{$1}') });
    }
  }
  return routes;
}
