import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { buildWorker } from './worker-app.ts';

// Worker entry (cluster profile): configuration from the environment, then the worker; wiring lives in services.ts.
let worker;
let logger;
try {
  const config = loadConfig();
  logger = createLogger(config.logLevel);
  worker = buildWorker(config, logger);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
const started = worker.start();
let signals = 0;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (++signals > 1) process.exit(130);
    logger.info(`${signal} received: draining`);
    void started
      .catch(() => {})
      .then(() => worker.stop())
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
  await started;
} catch (error) {
  logger.fatal({ err: error }, 'failed to start');
  await worker.stop().catch(() => {});
  process.exit(1);
}
