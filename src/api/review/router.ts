/**
 * The review desk (/review): where the verification team signs in with an API key, sees what is
 * flagged, looks at the evidence, and records decisions. Server-rendered pages; the session is an
 * HttpOnly, SameSite=Strict cookie; every form carries the session's token and a POST from another
 * origin is refused (CSRF). Calls services only, as the JSON routes do.
 */
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { enrolledPhotoWarnings } from '../../domain/evaluate.js';
import { isFlaggedFace } from '../../domain/results.js';
import { AppError, isAppError } from '../../errors.js';
import type { ReviewDecision } from '../../services/checks.js';
import { reviewerName } from '../../services/keys.js';
import type { ReviewSession } from '../../services/review-sessions.js';
import type { ApiContext } from '../context.js';
import { checkPage, errorPage, type FaceEvidence, inboxPage, loginPage, type PageUser, type PersonRow, peoplePage } from './pages.js';

const cookieName = 'pv_review';
const decisions: ReviewDecision[] = ['photo_correct', 'photo_wrong', 'needs_follow_up'];

function cookieOf(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === cookieName) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

function setCookie(res: Response, value: string, maxAgeSeconds: number, secure: boolean): void {
  res.setHeader(
    'Set-Cookie',
    `${cookieName}=${encodeURIComponent(value)}; Path=/review; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`,
  );
}

function userOf(session: ReviewSession): PageUser {
  return { name: reviewerName(session.key), role: session.key.role, csrf: session.csrf };
}

const may = (session: ReviewSession, role: string) => session.key.role === 'admin' || session.key.role === role;

export function reviewRouter(ctx: ApiContext): Router {
  const router = Router();
  const publicUrl = new URL(ctx.config.PUBLIC_URL);
  const secure = publicUrl.protocol === 'https:';
  router.use(express.urlencoded({ extended: false, limit: '64kb' }));
  router.use((_req, res, next) => {
    // The pages load nothing from elsewhere, run no script, and may not be framed.
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  /** A POST must come from the desk's own pages: the same origin (when the browser says) and the session's token. */
  const sameOrigin = (req: Request) => {
    const origin = req.get('origin') ?? (req.get('referer') ? new URL(req.get('referer')!).origin : null);
    if (!origin) return true;
    const host = req.get('host');
    return origin === publicUrl.origin || (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`));
  };

  const page =
    (handler: (req: Request, res: Response, session: ReviewSession) => Promise<void>) =>
    async (req: Request, res: Response, next: NextFunction) => {
      let session: ReviewSession;
      try {
        session = await ctx.reviewSessions.resume(cookieOf(req));
      } catch (error) {
        if (req.method === 'GET') return res.redirect(303, '/review/login');
        return res
          .status(401)
          .type('html')
          .send(errorPage(401, (error as Error).message, null));
      }
      try {
        if (req.method === 'POST') {
          if (!sameOrigin(req))
            throw new AppError('FORBIDDEN', 'this form was sent from another site; open the review desk and send it from there');
          if (typeof req.body?.csrf !== 'string' || req.body.csrf !== session.csrf)
            throw new AppError(
              'FORBIDDEN',
              'the form is out of date or was not made by the review desk; reload the page and send it again',
            );
        }
        await handler(req, res, session);
      } catch (error) {
        if (!isAppError(error)) return next(error);
        res
          .status(error.status)
          .type('html')
          .send(errorPage(error.status, error.message, userOf(session)));
      }
    };

  router.get('/login', (_req, res) => {
    res.type('html').send(loginPage(null));
  });
  router.post('/login', async (req, res, next) => {
    try {
      if (!sameOrigin(req)) throw new AppError('FORBIDDEN', 'sign in from the review desk itself');
      const { sessionId, maxAgeSeconds } = await ctx.reviewSessions.signIn(String(req.body?.key ?? ''));
      setCookie(res, sessionId, maxAgeSeconds, secure);
      res.redirect(303, '/review');
    } catch (error) {
      if (!isAppError(error)) return next(error);
      res
        .status(error.status)
        .type('html')
        .send(loginPage(error.code === 'UNAUTHORIZED' ? 'That API key is unknown or revoked.' : error.message));
    }
  });
  router.post(
    '/logout',
    page(async (req, res) => {
      await ctx.reviewSessions.signOut(cookieOf(req));
      setCookie(res, '', 0, secure);
      res.redirect(303, '/review/login');
    }),
  );

  router.get(
    '/',
    page(async (req, res, session) => {
      const text = (name: string) => {
        const value = req.query[name];
        return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
      };
      const yesNo = (name: string) => (text(name) === 'yes' ? true : text(name) === 'no' ? false : undefined);
      const day = (name: string) => (/^\d{4}-\d{2}-\d{2}$/.test(text(name) ?? '') ? text(name) : undefined);
      const batch = text('batch');
      const filter = {
        flagged: yesNo('flagged'),
        decided: yesNo('decided'),
        batchId: batch && /^[0-9a-f-]{36}$/i.test(batch) ? batch : undefined,
        personId: text('person'),
        from: day('from'),
        to: day('to'),
      };
      const result = await ctx.checks.inbox({ ...filter, limit: 200, offset: 0 });
      res.type('html').send(inboxPage(result, await ctx.batches.recent(20), filter, userOf(session)));
    }),
  );

  router.get(
    '/checks/:id',
    page(async (req, res, session) => {
      const check = await ctx.checks.get(req.params.id);
      const draft = await ctx.checks.draft(check);
      const photosOf = async (personId: string | undefined) => (personId ? ctx.registry.listReferencePhotos(personId).catch(() => []) : []);
      const evidence: FaceEvidence[] = [];
      for (const [index, face] of check.faces.entries()) {
        if (!isFlaggedFace(face)) continue;
        const other = face.bestMatch ?? face.nearest;
        const otherId = other && other.personId !== face.claim?.personId ? other.personId : undefined;
        evidence.push({
          face,
          number: index + 1,
          claimedPhotos: await photosOf(face.claim?.personId),
          otherPhotos: (await photosOf(otherId)).filter((photo) => photo.id === other?.referencePhoto),
          otherName: otherId ? (other?.name ?? null) : null,
        });
      }
      res.type('html').send(checkPage(check, draft, evidence, { ...userOf(session), canDecide: may(session, 'reviewer') }));
    }),
  );

  router.post(
    '/checks/:id/decision',
    page(async (req, res, session) => {
      if (!may(session, 'reviewer')) throw new AppError('FORBIDDEN', `a ${session.key.role} key cannot record decisions; a reviewer's can`);
      const decision = String(req.body?.decision ?? '') as ReviewDecision;
      if (!decisions.includes(decision)) throw new AppError('VALIDATION', 'choose photo correct, photo wrong or needs follow-up');
      const note = String(req.body?.note ?? '').trim();
      await ctx.checks.review(req.params.id, decision, note === '' ? null : note, session.key.id, reviewerName(session.key));
      res.redirect(303, `/review/checks/${encodeURIComponent(req.params.id)}`);
    }),
  );

  router.get(
    '/checks/:id/draft',
    page(async (req, res) => {
      const draft = await ctx.checks.draft(await ctx.checks.get(req.params.id));
      res.type(draft.format ? `image/${draft.format}` : 'application/octet-stream').send(draft.bytes);
    }),
  );

  router.get(
    '/checks/:id/faces/:number/crop',
    page(async (req, res) => {
      const number = Number(req.params.number);
      if (!Number.isInteger(number) || number < 1) throw new AppError('NOT_FOUND', 'faces are numbered from 1');
      res.type('image/jpeg').send(await ctx.evidence.faceCrop(req.params.id, number - 1));
    }),
  );

  router.get(
    '/people',
    page(async (_req, res, session) => {
      const { people } = await ctx.registry.listPeople({ limit: 500, offset: 0 });
      const rows: PersonRow[] = [];
      for (const person of people) {
        const photos = (await ctx.registry.listReferencePhotos(person.id)).map((photo) => ({
          ...photo,
          warnings: photo.status === 'active' ? enrolledPhotoWarnings(photo) : [],
        }));
        rows.push({ person, photos });
      }
      const usable = (row: PersonRow) => row.photos.some((photo) => photo.status === 'active');
      rows.sort((a, b) => Number(usable(a)) - Number(usable(b)) || a.person.name.localeCompare(b.person.name));
      res.type('html').send(peoplePage(rows, { ...userOf(session), canRetire: may(session, 'curator') }));
    }),
  );

  router.get(
    '/people/:personId/photos/:photoId',
    page(async (req, res) => {
      const { bytes, format } = await ctx.registry.referencePhotoFile(req.params.personId, req.params.photoId);
      res.type(format ? `image/${format}` : 'application/octet-stream').send(bytes);
    }),
  );

  router.post(
    '/people/:personId/photos/:photoId/retire',
    page(async (req, res, session) => {
      if (!may(session, 'curator')) throw new AppError('FORBIDDEN', `a ${session.key.role} key cannot retire photos; a curator's can`);
      await ctx.registry.retireReferencePhoto(req.params.personId, req.params.photoId, 'retired on the review desk', session.key.id);
      res.redirect(303, `/review/people#person-${encodeURIComponent(req.params.personId)}`);
    }),
  );

  return router;
}
