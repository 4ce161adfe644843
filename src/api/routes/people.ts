import { z } from 'zod';
import { type Route, route } from '../route.js';
import { person, referencePhoto, registryOverview } from '../schemas.js';
import { boxField, fileBytes, fileNameOf, uploadedFiles } from '../uploads.js';

const personFields = {
  name: z.string().trim().min(1),
  aliases: z.array(z.string()).optional(),
  category: z.string().trim().min(1).nullable().optional(),
  region: z.string().nullable().optional(),
  status: z.string().nullable().optional(),
  notes: z.string().nullable().optional(),
};
const createPerson = z
  .object({ id: z.string().trim().min(1).optional().meta({ description: 'Slug; derived from the name when omitted' }), ...personFields })
  .strict();
const updatePerson = z.object(personFields).partial().strict();
const listQuery = z.object({
  search: z.string().optional().meta({ description: 'Part of a name, id or alias' }),
  category: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
const retireBody = z.object({ reason: z.string().optional() }).strict();
const uploadQuery = z.object({
  wait: z.coerce.number().int().min(0).max(60).optional().meta({
    description: 'Wait up to this many seconds (at most 60) for enrolment: 201 when enrolled, 422 REFERENCE_PHOTO_REJECTED with the reason',
  }),
});
const photoFields = z.object({
  provenance: z.string().optional().meta({ description: 'Where the photo comes from, e.g. "court, 2019"' }),
  box: z.string().optional().meta({ description: 'JSON Box: the face to enrol when several are shown' }),
});
const personParams = z.object({ personId: z.string() });
const photoParams = z.object({ personId: z.string(), photoId: z.string() });

const tag = 'registry';

/** The registry: people and their reference photos. Curators change it; every role reads it. */
export const peopleRoutes: Route[] = [
  route({
    method: 'get',
    path: '/v1/registry',
    tag,
    summary: 'The registry at a glance: its version, people, reference photos by status, people no face can match',
    access: 'any',
    responses: { 200: { description: 'Overview', schema: registryOverview } },
    async handle(ctx, _input, res) {
      res.json(await ctx.registry.overview());
    },
  }),
  route({
    method: 'get',
    path: '/v1/people',
    tag,
    summary: 'List people, searching names and aliases, filtered by category',
    access: 'any',
    query: listQuery,
    responses: {
      200: { description: 'People and the total matching', schema: z.strictObject({ people: z.array(person), total: z.int() }) },
    },
    async handle(ctx, { query }, res) {
      res.json(await ctx.registry.listPeople(query));
    },
  }),
  route({
    method: 'post',
    path: '/v1/people',
    tag,
    summary: 'Add a person to the registry',
    access: ['curator'],
    body: { name: 'person', schema: createPerson },
    responses: { 201: { description: 'Created', schema: person } },
    async handle(ctx, { body, actor }, res) {
      res.status(201).json(await ctx.registry.createPerson(body, actor));
    },
  }),
  route({
    method: 'get',
    path: '/v1/people/:personId',
    tag,
    summary: 'Get a person',
    access: 'any',
    params: personParams,
    responses: { 200: { description: 'The person', schema: person } },
    async handle(ctx, { params }, res) {
      res.json(await ctx.registry.getPerson(params.personId));
    },
  }),
  route({
    method: 'patch',
    path: '/v1/people/:personId',
    tag,
    summary: 'Change a person (only the fields sent)',
    access: ['curator'],
    params: personParams,
    body: { name: 'person', schema: updatePerson },
    responses: { 200: { description: 'Updated', schema: person } },
    async handle(ctx, { params, body, actor }, res) {
      res.json(await ctx.registry.updatePerson(params.personId, body, actor));
    },
  }),
  route({
    method: 'delete',
    path: '/v1/people/:personId',
    tag,
    summary: 'Delete a person and their reference photos',
    access: ['curator'],
    params: personParams,
    responses: { 204: { description: 'Deleted' } },
    async handle(ctx, { params, actor }, res) {
      await ctx.registry.deletePerson(params.personId, actor);
      res.status(204).end();
    },
  }),
  route({
    method: 'get',
    path: '/v1/people/:personId/photos',
    tag,
    summary: "List a person's reference photos with their enrolment status",
    access: 'any',
    params: personParams,
    responses: { 200: { description: 'Photos', schema: z.strictObject({ photos: z.array(referencePhoto) }) } },
    async handle(ctx, { params }, res) {
      res.json({ photos: await ctx.registry.listReferencePhotos(params.personId) });
    },
  }),
  route({
    method: 'post',
    path: '/v1/people/:personId/photos',
    tag,
    summary: 'Upload a reference photo; it is queued for enrolment (status pending, then active or rejected with the reason)',
    access: ['curator'],
    params: personParams,
    query: uploadQuery,
    body: { name: 'body', schema: photoFields, upload: { maxFiles: 1, description: 'The photo' } },
    responses: {
      202: { description: 'Stored and queued (or still pending after the wait)', schema: referencePhoto },
      201: { description: 'Enrolled within the wait', schema: referencePhoto },
      200: { description: 'The same file was already stored for this person', schema: referencePhoto },
    },
    async handle(ctx, { params, query, body, files, actor }, res) {
      const [file] = uploadedFiles(files);
      const provenance = body.provenance?.trim() ? body.provenance.trim() : null;
      const { photo, created } = await ctx.registry.addReferencePhoto(
        params.personId,
        { bytes: await fileBytes(file), fileName: fileNameOf(file), provenance, box: boxField(body.box) ?? null },
        actor,
      );
      if (!query.wait || photo.status !== 'pending') {
        res.status(created ? 202 : 200).json(photo);
        return;
      }
      const enrolled = await ctx.registry.awaitEnrolment(photo.id, query.wait * 1000);
      res.status(enrolled.status === 'pending' ? 202 : 201).json(enrolled);
    },
  }),
  route({
    method: 'get',
    path: '/v1/people/:personId/photos/:photoId',
    tag,
    summary: 'Get a reference photo, with the reason if enrolment rejected it',
    access: 'any',
    params: photoParams,
    responses: { 200: { description: 'The photo', schema: referencePhoto } },
    async handle(ctx, { params }, res) {
      res.json(await ctx.registry.getReferencePhoto(params.personId, params.photoId));
    },
  }),
  route({
    method: 'get',
    path: '/v1/people/:personId/photos/:photoId/image',
    tag,
    summary: 'Download the reference photo file',
    access: 'any',
    params: photoParams,
    responses: { 200: { description: 'The file as it was uploaded', content: ['image/*'] } },
    async handle(ctx, { params }, res) {
      const { bytes, format } = await ctx.registry.referencePhotoFile(params.personId, params.photoId);
      res.type(format ? `image/${format}` : 'application/octet-stream').send(bytes);
    },
  }),
  route({
    method: 'post',
    path: '/v1/people/:personId/photos/:photoId/retire',
    tag,
    summary: 'Retire a reference photo that turned out wrong; checks stop using it at once',
    access: ['curator'],
    params: photoParams,
    body: { name: 'body', schema: retireBody },
    responses: { 200: { description: 'Retired', schema: referencePhoto } },
    async handle(ctx, { params, body, actor }, res) {
      res.json(await ctx.registry.retireReferencePhoto(params.personId, params.photoId, body.reason ?? null, actor));
    },
  }),
];
