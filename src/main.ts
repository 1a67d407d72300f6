import { cacheCompiledModules } from './compile-cache.ts';

// API entry. The cache is enabled before the rest is loaded, so that the rest comes from it.
cacheCompiledModules();
await import('./start-api.ts');
