import { configOrExit, runUntilSignalled } from './entry.ts';
import { createLogger } from '../logger.ts';
import { buildWorker, checkWorkerConfig } from './worker-app.ts';

// The worker process (cluster profile): configuration from the environment, then the worker; wiring lives in services.ts.
const config = configOrExit(checkWorkerConfig);
const logger = createLogger(config.logLevel);
await runUntilSignalled(logger, buildWorker(config, logger));
