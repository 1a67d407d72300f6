import { constants, enableCompileCache } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Lets Node keep the compiled, type-stripped modules between starts: loading them is most of a
 * cold start (~800 → ~550 ms here). The cache lives with the installation (node_modules/.cache),
 * not in the shared temp directory, where another user could plant code; NODE_COMPILE_CACHE
 * overrides it. Where it cannot be written, Node simply compiles again.
 */
export function cacheCompiledModules(): boolean {
  const directory = process.env['NODE_COMPILE_CACHE'] ?? fileURLToPath(new URL('../node_modules/.cache/node-compile-cache', import.meta.url));
  const { status } = enableCompileCache(directory);
  return status === constants.compileCacheStatus.ENABLED || status === constants.compileCacheStatus.ALREADY_ENABLED;
}
