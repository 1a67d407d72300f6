/**
 * Which browser origins may call the API: the server's own (GraphiQL, the console) and those on
 * the allow-list. Requests without an Origin header (curl, partner back ends) are not browser
 * cross-origin requests and pass; they still need a key.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowList: readonly string[]): boolean {
  if (!origin) return true;
  if (allowList.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
