import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

/** Built by scripts/build-console.ts (npm start and npm test build it). */
const CONSOLE_DIR = path.resolve(import.meta.dirname, '../../dist/console');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

// Same origin only: the page loads nothing from elsewhere and talks only to this API.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * Serves the operator console's few built files at /console/ (written here rather than with a
 * static-file library: a handful of files with fixed names, no ranges, no directory listings).
 * Returns false for any other path. The page holds no data: every view asks the API with the
 * signed-in key.
 */
export function serveConsole(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname !== '/console' && !url.pathname.startsWith('/console/')) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return true;
  }
  if (url.pathname === '/console') {
    res.writeHead(308, { location: '/console/' }).end();
    return true;
  }
  const name = url.pathname.slice('/console/'.length) || 'index.html';
  const type = TYPES[path.extname(name)];
  // Only plain file names of the build: no paths, no dot files.
  if (!/^[\w-]+(\.[\w-]+)+$/.test(name) || !type) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return true;
  }
  const file = path.join(CONSOLE_DIR, name);
  fs.readFile(file, (error, body) => {
    if (error) {
      const missing = !fs.existsSync(CONSOLE_DIR);
      res.writeHead(missing ? 503 : 404, { 'content-type': 'text/plain' }).end(missing ? 'the console is not built: run npm run setup' : 'not found');
      return;
    }
    res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-cache', ...SECURITY_HEADERS });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return true;
}
