import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import type { ApiContext, RouteModule } from './context.js';
import { errorHandler, notFound } from './errors.js';
import { reviewRouter } from './review/router.js';
import { routerOf } from './route.js';
import { guardedRoutes, openRoutes } from './routes/index.js';

export interface Api {
  app: Express;
  /** The routers mounted, for the test that compares what they serve with the OpenAPI document. */
  modules: RouteModule[];
}

export function createApi(ctx: ApiContext): Api {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // One line per request (method, path, status, time); probes are not logged.
  app.use(
    pinoHttp({
      logger: ctx.log.logger,
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      // Only what an operator reads; headers (the API key among them) are never written.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
      customSuccessMessage: (req, res) => `${req.method} ${req.url} ${res.statusCode}`,
      customErrorMessage: (req, res) => `${req.method} ${req.url} ${res.statusCode}`,
    }),
  );
  // Served images and JSON are what their Content-Type says: a browser must not guess otherwise.
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  app.use(express.json({ limit: ctx.config.MAX_JSON_BYTES }));

  const open = routerOf(ctx, openRoutes);
  const guarded = routerOf(ctx, guardedRoutes);
  app.use(open);
  // The review desk has its own sign-in (a session cookie), so it is mounted before the API-key check.
  app.use('/review', reviewRouter(ctx));
  app.use((req, res, next) => {
    ctx.keys.authenticate(req.headers.authorization).then((key) => {
      res.locals.apiKey = key;
      next();
    }, next);
  });
  app.use(guarded);
  app.use(notFound);
  app.use(errorHandler(ctx.log));
  return {
    app,
    modules: [
      { prefix: '', router: open },
      { prefix: '', router: guarded },
    ],
  };
}
