import { constants, enableCompileCache } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Where Node keeps the compiled, type-stripped modules between starts: with the installation, not
 * in the shared temp directory, where another user could plant code. `npm start` and `npm run
 * worker` name it in NODE_COMPILE_CACHE, so that Node caches the entry file too (stripping it
 * loads the TypeScript stripper); NODE_COMPILE_CACHE set elsewhere overrides it.
 */
export const DEFAULT_COMPILE_CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/node-compile-cache', import.meta.url));

/**
 * Lets Node keep the compiled modules between starts: loading them is most of a cold start
 * (bench/README.md, startup). Where the cache cannot be written, Node simply compiles again.
 */
export function cacheCompiledModules(): boolean {
  const { status } = enableCompileCache(process.env['NODE_COMPILE_CACHE'] ?? DEFAULT_COMPILE_CACHE_DIR);
  return status === constants.compileCacheStatus.ENABLED || status === constants.compileCacheStatus.ALREADY_ENABLED;
}
