/**
 * Compares the OpenAPI document with the route declarations it claims to describe, and real answers
 * with the document. Schemas are computed here with z.toJSONSchema directly from the schemas the
 * router validates with (route.params, route.query, route.body.schema) and the declared answer
 * schemas, not through src/api/openapi.ts, so that a document built any other way shows up.
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { Route } from '../../src/api/route.js';
import { errorBody } from '../../src/api/schemas.js';

type Json = Record<string, unknown>;
type Document = { paths: Record<string, Record<string, Json>>; components: { schemas: Record<string, Json> } };

/** One request a test made and the answer it got. */
export interface Exchange {
  method: string;
  /** The path as requested, with its query string. */
  path: string;
  status: number;
  contentType: string | null;
  body: unknown;
}

const options = { unrepresentable: 'any' } as const;

function expected(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { ...options, io }) as Json;
  return rest;
}

const templateOf = (path: string) => path.replace(/:(\w+)/g, '{$1}');
const pathParamsOf = (path: string) => [...path.matchAll(/:(\w+)/g)].map((match) => match[1]);

/** Everything in the document's request and answer schemas that differs from the declarations. */
export function requestAndResponseDrift(document: Document, routes: readonly Route[]): string[] {
  const problems: string[] = [];
  const differ = (where: string, actual: unknown, wanted: unknown) => {
    if (!isDeepStrictEqual(actual, wanted))
      problems.push(`${where}: the document has ${JSON.stringify(actual)}, the route ${JSON.stringify(wanted)}`);
  };
  differ('components.schemas.Error', document.components.schemas.Error, expected(errorBody, 'output'));
  for (const route of routes) {
    const name = `${route.method.toUpperCase()} ${route.path}`;
    const operation = document.paths[templateOf(route.path)]?.[route.method] as Json | undefined;
    if (!operation) {
      problems.push(`${name}: not in the document`);
      continue;
    }
    const parameters = (operation.parameters as Json[] | undefined) ?? [];
    for (const where of ['path', 'query'] as const) {
      const schema = where === 'path' ? route.params : route.query;
      const wanted = schema ? expected(schema, 'input') : { properties: {}, required: [] };
      const wantedProperties = wanted.properties as Record<string, Json>;
      const required = new Set((wanted.required as string[] | undefined) ?? []);
      if (where === 'path')
        differ(`${name} path parameters declared`, Object.keys(wantedProperties).sort(), pathParamsOf(route.path).sort());
      const documented = parameters.filter((parameter) => parameter.in === where);
      differ(`${name} ${where} parameters`, documented.map((parameter) => parameter.name).sort(), Object.keys(wantedProperties).sort());
      for (const parameter of documented) {
        differ(`${name} ${where} parameter ${parameter.name}`, parameter.schema, wantedProperties[parameter.name as string]);
        differ(
          `${name} ${where} parameter ${parameter.name} required`,
          parameter.required,
          where === 'path' || required.has(parameter.name as string),
        );
      }
    }
    const content = (operation.requestBody as { content?: Record<string, { schema: Json }> } | undefined)?.content;
    if (!route.body) differ(`${name} request body`, content, undefined);
    else if (!route.body.upload)
      differ(`${name} JSON request body`, content?.['application/json']?.schema, expected(route.body.schema, 'input'));
    else {
      const documented = content?.['multipart/form-data']?.schema;
      const fields = expected(route.body.schema, 'input');
      const { image, ...otherFields } = (documented?.properties as Json | undefined) ?? {};
      differ(`${name} multipart fields`, otherFields, fields.properties);
      differ(`${name} multipart required`, documented?.required, ['image', ...((fields.required as string[] | undefined) ?? [])]);
      if (!image) problems.push(`${name}: the multipart body does not document the "image" file field`);
    }
    const responses = operation.responses as Record<string, { content?: Record<string, { schema?: Json }> }>;
    differ(`${name} answer statuses`, Object.keys(responses).sort(), [...Object.keys(route.responses), 'default'].sort());
    for (const [status, response] of Object.entries(route.responses)) {
      const documented = responses[status]?.content ?? {};
      differ(
        `${name} ${status} content types`,
        Object.keys(documented).sort(),
        [...(response.schema ? ['application/json'] : []), ...(response.content ?? [])].sort(),
      );
      if (response.schema)
        differ(`${name} ${status} answer schema`, documented['application/json']?.schema, expected(response.schema, 'output'));
    }
    differ(`${name} error answer`, responses.default?.content?.['application/json']?.schema, { $ref: '#/components/schemas/Error' });
  }
  return problems;
}

/** The declared route a request went to, as express would match it. */
export function routeFor(routes: readonly Route[], method: string, path: string): Route | undefined {
  const bare = path.split('?')[0];
  return routes.find(
    (route) => route.method === method.toLowerCase() && new RegExp(`^${route.path.replace(/:(\w+)/g, '[^/]+')}/?$`).test(bare),
  );
}

/**
 * Every answer that does not match what the document says for its route and status: a status the
 * document does not list (errors fall to `default`, the catalogue's error body), a body that does
 * not parse with the documented schema, or a content type not documented.
 */
export function responseDrift(document: Document, routes: readonly Route[], exchanges: readonly Exchange[]): string[] {
  const problems: string[] = [];
  for (const exchange of exchanges) {
    const name = `${exchange.method} ${exchange.path} -> ${exchange.status}`;
    const route = routeFor(routes, exchange.method, exchange.path);
    const operation = route ? (document.paths[templateOf(route.path)]?.[route.method] as Json | undefined) : undefined;
    const documented = operation?.responses as Record<string, { content?: Record<string, unknown> }> | undefined;
    const declared = route?.responses[exchange.status];
    let schema: z.ZodType | undefined;
    let types: string[] = [];
    if (declared && documented?.[exchange.status]) {
      schema = declared.schema;
      types = Object.keys(documented[exchange.status].content ?? {});
    } else if (exchange.status >= 400) {
      // An unknown route or a catalogue error: the default answer, the error body.
      schema = errorBody;
      types = ['application/json'];
    } else {
      problems.push(
        `${name}: the document lists no such answer for ${route ? `${route.method.toUpperCase()} ${route.path}` : 'any route'}`,
      );
      continue;
    }
    const type = exchange.contentType?.split(';')[0].trim() ?? null;
    if (types.length === 0) {
      if (exchange.body !== null && exchange.body !== '') problems.push(`${name}: documented without a body, answered ${type}`);
      continue;
    }
    if (
      !type ||
      !types.some(
        (documentedType) => documentedType === type || (documentedType.endsWith('/*') && type.startsWith(documentedType.slice(0, -1))),
      )
    )
      problems.push(`${name}: answered ${type}, documented ${types.join(', ')}`);
    if (type === 'application/json' && schema) {
      const parsed = schema.safeParse(exchange.body);
      if (!parsed.success)
        problems.push(
          `${name}: the answer does not match the documented schema: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ')}`,
        );
    }
  }
  return problems;
}
