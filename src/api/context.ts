import type { Router } from 'express';
import type { Services } from '../services/container.js';
import type { Paths } from './openapi.js';

/** What route modules receive: the services (the only thing routes call), with the config and log. */
export type ApiContext = Omit<Services, 'close'>;

/** A group of routes with their OpenAPI description; mounted under its prefix behind the API-key check. */
export interface RouteModule {
  prefix: string;
  router: Router;
  paths: Paths;
}
