/** How to close one thing a start-up step opened. */
export type Closer = () => unknown;

/**
 * What a process has opened so far, closed in reverse order of opening: each start-up step pushes
 * how to close what it opened, so that a later step failing (a wrong secret key, Redis away) and a
 * clean stop both close the same things, the last opened first.
 */
export class Closers {
  private readonly stack: Closer[] = [];

  push(...closers: Closer[]): void {
    this.stack.push(...closers);
  }

  /**
   * Closes everything, the last opened first. A failing closer stops a clean stop with its error;
   * after a failed start (`ignoreErrors`) the start's own error is what matters, and the rest are closed still.
   */
  async closeAll(options: { ignoreErrors?: boolean } = {}): Promise<void> {
    for (let close = this.stack.pop(); close; close = this.stack.pop()) {
      if (options.ignoreErrors) await Promise.resolve().then(close).catch(() => {});
      else await close();
    }
  }
}
