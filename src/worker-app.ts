import type { Config } from './config.ts';
import { ConfigError } from './config.ts';
import type { Logger } from './logger.ts';
import { isCluster, openServices, type Services } from './services.ts';

export interface Worker {
  start(): Promise<void>;
  /** Stops claiming runs, lets running ones finish up to the shutdown grace, interrupts the rest. */
  stop(): Promise<void>;
  readonly services: Services;
}

/** The worker process of the cluster profile: claims queued runs and executes their playbooks. */
export function buildWorker(config: Config, logger: Logger): Worker {
  if (!isCluster(config)) {
    throw new ConfigError('a worker runs on the cluster profile only: set DATABASE_URL (postgres://…) and REDIS_URL; on one process `npm start` executes runs itself');
  }
  let opened: Services | undefined;
  let stopping: Promise<void> | undefined;
  return {
    get services() {
      if (!opened) throw new Error('the worker is not started');
      return opened;
    },
    async start() {
      const startedAt = performance.now();
      opened = await openServices(config, logger, 'worker');
      logger.info({ concurrency: config.maxConcurrentRuns, startupMs: Math.round(performance.now() - startedAt) }, 'Provisio worker running');
    },
    stop() {
      stopping ??= (async () => {
        logger.info('worker shutting down');
        await opened?.close(config.shutdownGraceMs);
        logger.info('worker stopped');
      })();
      return stopping;
    },
  };
}
