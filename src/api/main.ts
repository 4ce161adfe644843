import { loadConfig } from '../config.js';
import { runMain } from '../runtime/process.js';
import { startApi } from './server.js';

runMain('api', async () => {
  const api = await startApi(loadConfig());
  const stop = () => {
    api.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
});
