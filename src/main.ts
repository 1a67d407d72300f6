import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { DataDirLockedError } from './infra/db/lock.ts';
import { createLogger } from './logger.ts';

// Entry point: configuration from the environment, then the server; all wiring lives in app.ts.
let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
const logger = createLogger(config.logLevel);
const app = buildApp(config, { logger });

// Handlers go in before start(), so a SIGTERM during start-up still drains and closes the database.
const started = app.start();
let signals = 0;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    signals++;
    if (signals > 1) {
      logger.warn(`${signal} again: exiting without draining`);
      process.exit(130);
    }
    logger.info(`${signal} received: draining`);
    started
      .catch(() => {})
      .then(() => app.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'error during shutdown');
          process.exit(1);
        },
      );
  });
}

try {
  const { url } = await started;
  logger.info(`GraphQL API and GraphiQL at ${url}`);
} catch (error) {
  if (error instanceof DataDirLockedError) {
    logger.fatal(error.message);
    process.exit(3);
  }
  logger.fatal({ err: error }, 'failed to start');
  await app.stop().catch(() => {});
  process.exit(1);
}
