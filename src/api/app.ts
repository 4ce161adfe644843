import express, { type Express, Router } from 'express';
import type { ApiContext, RouteModule } from './context.js';
import { errorHandler, notFound } from './errors.js';
import { routeModules } from './modules.js';
import { op, openApiDocument, type Paths } from './openapi.js';
import { healthRoutes, metricsRoutes } from './routes/health.js';

export interface Api {
  app: Express;
  /** Every route group mounted, for the OpenAPI document and the test that compares them. */
  modules: RouteModule[];
}

export function createApi(ctx: ApiContext): Api {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(express.json({ limit: ctx.config.MAX_JSON_BYTES }));

  const open = [healthRoutes(ctx), openApiRoute(() => paths)];
  const guarded = [metricsRoutes(ctx.metrics), ...routeModules(ctx)];
  const modules = [...open, ...guarded];
  const paths: Paths = Object.assign({}, ...modules.map((module) => module.paths));

  for (const module of open) app.use(module.prefix || '/', module.router);
  app.use((req, res, next) => {
    ctx.keys.authenticate(req.headers.authorization).then((key) => {
      res.locals.apiKey = key;
      next();
    }, next);
  });
  for (const module of guarded) app.use(module.prefix || '/', module.router);
  app.use(notFound);
  app.use(errorHandler(ctx.log));
  return { app, modules };
}

function openApiRoute(paths: () => Paths): RouteModule {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument(paths(), '1'));
  });
  return {
    prefix: '',
    router,
    paths: { '/openapi.json': { get: op('This document', { tag: 'health', responses: { 200: { description: 'OpenAPI 3 document' } } }) } },
  };
}
