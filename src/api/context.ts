import type { Router } from 'express';
import type { Services } from '../services/container.js';

/** What routes receive: the services (the only thing routes call), with the config and log. */
export type ApiContext = Omit<Services, 'close'>;

/** A router the app mounts under its prefix. */
export interface RouteModule {
  prefix: string;
  router: Router;
}
