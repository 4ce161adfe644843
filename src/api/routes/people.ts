import { Router } from 'express';
import { z } from 'zod';
import type { ApiContext, RouteModule } from '../context.js';
import { actorOf, allow, handle, parse } from '../http.js';
import { op, ref } from '../openapi.js';
import { boxField, fileNameOf, multipartImages, uploadedFiles } from '../uploads.js';

const personFields = {
  name: z.string().trim().min(1),
  aliases: z.array(z.string()).optional(),
  category: z.string().trim().min(1).nullable().optional(),
  region: z.string().nullable().optional(),
  status: z.string().nullable().optional(),
  notes: z.string().nullable().optional(),
};
const createPerson = z.object({ id: z.string().trim().min(1).optional(), ...personFields }).strict();
const updatePerson = z.object(personFields).partial().strict();
const listQuery = z.object({
  search: z.string().optional(),
  category: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
const retireBody = z.object({ reason: z.string().optional() }).strict();
const uploadQuery = z.object({ wait: z.coerce.number().int().min(0).max(60).optional() });

/** The registry: people and their reference photos. Curators change it; every role reads it. */
export function peopleRoutes(ctx: ApiContext): RouteModule {
  const router = Router();
  const curate = allow('curator');
  const upload = multipartImages({ maxBytes: ctx.config.MAX_UPLOAD_BYTES, maxFiles: 1 });

  router.get(
    '/registry',
    handle(async (_req, res) => {
      res.json(await ctx.registry.overview());
    }),
  );
  router.get(
    '/people',
    handle(async (req, res) => {
      const query = parse(listQuery, req.query, 'query');
      res.json(await ctx.registry.listPeople(query));
    }),
  );
  router.post(
    '/people',
    curate,
    handle(async (req, res) => {
      res.status(201).json(await ctx.registry.createPerson(parse(createPerson, req.body, 'person'), actorOf(res)));
    }),
  );
  router.get(
    '/people/:personId',
    handle(async (req, res) => {
      res.json(await ctx.registry.getPerson(req.params.personId));
    }),
  );
  router.patch(
    '/people/:personId',
    curate,
    handle(async (req, res) => {
      res.json(await ctx.registry.updatePerson(req.params.personId, parse(updatePerson, req.body, 'person'), actorOf(res)));
    }),
  );
  router.delete(
    '/people/:personId',
    curate,
    handle(async (req, res) => {
      await ctx.registry.deletePerson(req.params.personId, actorOf(res));
      res.status(204).end();
    }),
  );

  router.get(
    '/people/:personId/photos',
    handle(async (req, res) => {
      res.json({ photos: await ctx.registry.listReferencePhotos(req.params.personId) });
    }),
  );
  router.post(
    '/people/:personId/photos',
    curate,
    upload,
    handle(async (req, res) => {
      const [file] = uploadedFiles(req);
      const provenance = typeof req.body.provenance === 'string' && req.body.provenance.trim() ? req.body.provenance.trim() : null;
      const { wait } = parse(uploadQuery, req.query, 'query');
      const { photo, created } = await ctx.registry.addReferencePhoto(
        req.params.personId,
        { bytes: file.buffer, fileName: fileNameOf(file), provenance, box: boxField(req.body.box) ?? null },
        actorOf(res),
      );
      if (!wait || photo.status !== 'pending') {
        res.status(created ? 202 : 200).json(photo);
        return;
      }
      const enrolled = await ctx.registry.awaitEnrolment(photo.id, wait * 1000);
      res.status(enrolled.status === 'pending' ? 202 : 201).json(enrolled);
    }),
  );
  router.get(
    '/people/:personId/photos/:photoId',
    handle(async (req, res) => {
      res.json(await ctx.registry.getReferencePhoto(req.params.personId, req.params.photoId));
    }),
  );
  router.get(
    '/people/:personId/photos/:photoId/image',
    handle(async (req, res) => {
      const { bytes, format } = await ctx.registry.referencePhotoFile(req.params.personId, req.params.photoId);
      res.type(format ? `image/${format}` : 'application/octet-stream').send(bytes);
    }),
  );
  router.post(
    '/people/:personId/photos/:photoId/retire',
    curate,
    handle(async (req, res) => {
      const body = parse(retireBody, req.body ?? {}, 'body');
      res.json(await ctx.registry.retireReferencePhoto(req.params.personId, req.params.photoId, body.reason ?? null, actorOf(res)));
    }),
  );

  const anyRole = ['curator', 'submitter', 'reviewer'];
  const person = ['personId'];
  const photo = ['personId', 'photoId'];
  const personBody = {
    type: 'object',
    required: ['name'],
    properties: {
      id: { type: 'string', description: 'Slug; derived from the name when omitted' },
      name: { type: 'string' },
      aliases: { type: 'array', items: { type: 'string' } },
      category: { type: 'string' },
      region: { type: 'string' },
      status: { type: 'string' },
      notes: { type: 'string' },
    },
  };
  return {
    prefix: '/v1',
    router,
    paths: {
      '/v1/registry': {
        get: op('The registry at a glance: its version, people, reference photos by status, people no face can match', {
          tag: 'registry',
          roles: anyRole,
          responses: {
            200: {
              description: 'Overview',
              schema: {
                type: 'object',
                properties: {
                  version: { type: 'integer' },
                  people: { type: 'integer' },
                  referencePhotos: { type: 'object' },
                  peopleWithoutPhotos: { type: 'array', items: { type: 'string' } },
                },
              },
            },
          },
        }),
      },
      '/v1/people': {
        get: op('List people, searching names and aliases, filtered by category', {
          tag: 'registry',
          roles: anyRole,
          query: { search: { type: 'string' }, category: { type: 'string' }, limit: { type: 'integer' }, offset: { type: 'integer' } },
          responses: {
            200: {
              description: 'People and the total matching',
              schema: { type: 'object', properties: { people: { type: 'array', items: ref('Person') }, total: { type: 'integer' } } },
            },
          },
        }),
        post: op('Add a person to the registry', {
          tag: 'registry',
          roles: ['curator'],
          json: personBody,
          responses: { 201: { description: 'Created', schema: ref('Person') } },
        }),
      },
      '/v1/people/{personId}': {
        get: op('Get a person', {
          tag: 'registry',
          roles: anyRole,
          pathParams: person,
          responses: { 200: { description: 'The person', schema: ref('Person') } },
        }),
        patch: op('Change a person (only the fields sent)', {
          tag: 'registry',
          roles: ['curator'],
          pathParams: person,
          json: { ...personBody, required: [] },
          responses: { 200: { description: 'Updated', schema: ref('Person') } },
        }),
        delete: op('Delete a person and their reference photos', {
          tag: 'registry',
          roles: ['curator'],
          pathParams: person,
          responses: { 204: { description: 'Deleted' } },
        }),
      },
      '/v1/people/{personId}/photos': {
        get: op("List a person's reference photos with their enrolment status", {
          tag: 'registry',
          roles: anyRole,
          pathParams: person,
          responses: {
            200: {
              description: 'Photos',
              schema: { type: 'object', properties: { photos: { type: 'array', items: ref('ReferencePhoto') } } },
            },
          },
        }),
        post: op('Upload a reference photo; it is queued for enrolment (status pending, then active or rejected with the reason)', {
          tag: 'registry',
          roles: ['curator'],
          pathParams: person,
          query: {
            wait: {
              type: 'integer',
              description:
                'Wait up to this many seconds (at most 60) for enrolment: 201 when enrolled, 422 REFERENCE_PHOTO_REJECTED with the reason',
            },
          },
          multipart: {
            image: { type: 'string', format: 'binary' },
            provenance: { type: 'string' },
            box: { type: 'string', description: 'JSON Box: the face to enrol when several are shown' },
          },
          responses: {
            202: { description: 'Stored and queued (or still pending after the wait)', schema: ref('ReferencePhoto') },
            201: { description: 'Enrolled within the wait', schema: ref('ReferencePhoto') },
            200: { description: 'The same file was already stored for this person', schema: ref('ReferencePhoto') },
          },
        }),
      },
      '/v1/people/{personId}/photos/{photoId}': {
        get: op('Get a reference photo, with the reason if enrolment rejected it', {
          tag: 'registry',
          roles: anyRole,
          pathParams: photo,
          responses: { 200: { description: 'The photo', schema: ref('ReferencePhoto') } },
        }),
      },
      '/v1/people/{personId}/photos/{photoId}/image': {
        get: op('Download the reference photo file', {
          tag: 'registry',
          roles: anyRole,
          pathParams: photo,
          responses: { 200: { description: 'The file', content: 'image/*' } },
        }),
      },
      '/v1/people/{personId}/photos/{photoId}/retire': {
        post: op('Retire a reference photo that turned out wrong; checks stop using it at once', {
          tag: 'registry',
          roles: ['curator'],
          pathParams: photo,
          json: { type: 'object', properties: { reason: { type: 'string' } } },
          responses: { 200: { description: 'Retired', schema: ref('ReferencePhoto') } },
        }),
      },
    },
  };
}
