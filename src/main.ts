import { cacheCompiledModules } from './boot/compile-cache.ts';

// API entry. The cache is enabled before the rest is loaded, so that the rest comes from it.
cacheCompiledModules();
await import('./boot/start-api.ts');
