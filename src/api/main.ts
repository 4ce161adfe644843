import { loadConfig } from '../config.js';
import { createLog } from '../runtime/log.js';
import { runMain, stopOnSignal } from '../runtime/main.js';
import { startApi } from './server.js';

runMain('api', async () => {
  const config = loadConfig();
  const api = await startApi(config);
  stopOnSignal(createLog('api', config.LOG_LEVEL), 'finishing the requests in hand', () => api.close());
});
