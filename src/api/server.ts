import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.js';
import { createLog } from '../runtime/log.js';
import { createServices, type Services } from '../services/container.js';
import { createApi } from './app.js';
import type { RouteModule } from './context.js';

export interface RunningApi {
  url: string;
  server: Server;
  services: Services;
  modules: RouteModule[];
  close(): Promise<void>;
}

/** Builds the services (connecting to PostgreSQL and Redis, migrating), then serves the API on them. */
export async function startApi(config: Config): Promise<RunningApi> {
  const log = createLog('api', config.LOG_LEVEL);
  const services = await createServices(config, log);
  const api = createApi(services);
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const listening = api.app.listen(config.PORT, () => resolve(listening));
      listening.once('error', reject);
    });
  } catch (error) {
    await services.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  log('info', `API listening on port ${port}`);
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    services,
    modules: api.modules,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      await services.close();
    },
  };
}
