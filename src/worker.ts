import { cacheCompiledModules } from './boot/compile-cache.ts';

// Worker entry (cluster profile). The cache is enabled before the rest is loaded, so that the rest comes from it.
cacheCompiledModules();
await import('./boot/start-worker.ts');
