import { buildApp } from './app.ts';
import { configOrExit, runUntilSignalled } from './entry.ts';
import { createLogger } from '../logger.ts';

// The API process: configuration from the environment, then the server; all wiring lives in app.ts.
const config = configOrExit();
const logger = createLogger(config.logLevel);
const { url } = await runUntilSignalled(logger, buildApp(config, { logger }));
logger.info(`GraphQL API and GraphiQL at ${url}`);
