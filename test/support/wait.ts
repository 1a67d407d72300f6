/** Polls `read` until `ready` accepts its value; fails naming `what` after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T> | T, ready: (value: T) => boolean, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ready(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
