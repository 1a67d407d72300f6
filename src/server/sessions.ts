import type { Authenticator } from '../domain/access/api-keys.ts';
import type { EventBus } from '../domain/ports/event-bus.ts';
import type { Logger } from '../logger.ts';

/** How often long-lived sessions are checked against the database (expiry; a missed revocation message). */
const SWEEP_MS = 15_000;

/**
 * Long-lived sessions (WebSocket connections, SSE streams) by the key they authenticated with,
 * so that revoking a key, or its expiry, ends them instead of leaving them streaming.
 */
export class LiveSessions {
  readonly #byKey = new Map<string, Set<() => void>>();
  readonly #authenticator: Authenticator;
  readonly #logger: Logger;
  #sweep: NodeJS.Timeout | undefined;
  #revocations: AsyncIterator<unknown> | undefined;

  constructor(authenticator: Authenticator, logger: Logger) {
    this.#authenticator = authenticator;
    this.#logger = logger;
  }

  /** Registers a session; `close` ends it. Returns the function that unregisters it. */
  add(keyId: string, close: () => void): () => void {
    let sessions = this.#byKey.get(keyId);
    if (!sessions) this.#byKey.set(keyId, (sessions = new Set()));
    sessions.add(close);
    return () => {
      sessions.delete(close);
      if (sessions.size === 0 && this.#byKey.get(keyId) === sessions) this.#byKey.delete(keyId);
    };
  }

  /** Ends every session of a key. */
  end(keyId: string): number {
    const sessions = this.#byKey.get(keyId);
    if (!sessions) return 0;
    this.#byKey.delete(keyId);
    for (const close of sessions) close();
    return sessions.size;
  }

  /** Follows revocations from every instance (through the event bus) and sweeps for expired keys. */
  start(events: EventBus): void {
    const revocations = events.subscribe('access:key-revoked')[Symbol.asyncIterator]();
    this.#revocations = revocations;
    void (async () => {
      for (;;) {
        const next = await revocations.next();
        if (next.done) return;
        const { keyId } = next.value as { keyId: string };
        this.#authenticator.forget();
        const ended = this.end(keyId);
        if (ended) this.#logger.info({ keyId, sessions: ended }, 'sessions of a revoked key ended');
      }
    })().catch((error: unknown) => this.#logger.error({ err: error }, 'key revocation listener failed'));
    this.#sweep = setInterval(() => {
      void this.#sweepOnce().catch((error: unknown) => this.#logger.warn({ err: error }, 'session sweep failed'));
    }, SWEEP_MS);
    this.#sweep.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#sweep);
    await this.#revocations?.return?.();
  }

  async #sweepOnce(): Promise<void> {
    const keyIds = [...this.#byKey.keys()];
    const valid = await this.#authenticator.stillValid(keyIds);
    for (const keyId of keyIds) if (!valid.has(keyId)) this.end(keyId);
  }
}
