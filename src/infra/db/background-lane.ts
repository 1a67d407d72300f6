import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery } from '@prisma/driver-adapter-utils';
import { setImmediate } from 'node:timers/promises';
import pLimit from 'p-limit';
import { isBackground } from '../../domain/background-work.ts';

/**
 * PGlite runs SQL on the main thread and hands results back through promises, never through the
 * event loop. An expensive operation (nine pages of a hundred items, 18 queries) therefore ran
 * from its first query to its last without the server reading a single new request, and every
 * other caller waited that long. Through this lane, background work
 * (domain/background-work.ts) sends one query at a time and lets the event loop turn before each,
 * so a request that arrives meanwhile is read and its queries wait for one background query at
 * most.
 * Transactions are left alone: they hold the session until they end.
 */
export function withBackgroundLane(factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect(): Promise<SqlDriverAdapter> {
      const adapter = await factory.connect();
      const lane = pLimit(1);
      const afterOthers = <T>(run: () => Promise<T>): Promise<T> =>
        lane(async () => {
          await setImmediate();
          return run();
        });
      const inLane = <T>(run: () => Promise<T>): Promise<T> => (isBackground() ? afterOthers(run) : run());
      // The adapter's own methods and state stay reachable through the prototype.
      return Object.assign(Object.create(adapter) as SqlDriverAdapter, {
        queryRaw: (query: SqlQuery) => inLane(() => adapter.queryRaw(query)),
        executeRaw: (query: SqlQuery) => inLane(() => adapter.executeRaw(query)),
      });
    },
  };
}
