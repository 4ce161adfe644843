import type { ApiContext, RouteModule } from './context.js';
import { auditRoutes } from './routes/audit.js';
import { batchRoutes } from './routes/batches.js';
import { checkRoutes } from './routes/checks.js';
import { peopleRoutes } from './routes/people.js';
import { webhookRoutes } from './routes/webhooks.js';

/** The API's route groups behind the API-key check; a new group is one line here. */
export function routeModules(ctx: ApiContext): RouteModule[] {
  return [peopleRoutes(ctx), checkRoutes(ctx), batchRoutes(ctx), auditRoutes(ctx), webhookRoutes(ctx)];
}
