// A static server for the browser example (and any page using beatflow's threads without a bundler):
//   node examples/browser/serve.mjs [port]   → open http://localhost:8080/examples/browser/
// It serves the directory two levels up (the package root here; your project root in yours) with what a
// page needs for beatflow on every core:
// - Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp on every
//   response, so the page is cross-origin isolated and may share memory with its workers;
// - .js/.mjs as text/javascript and .wasm as application/wasm;
// - the package's one bare import, `msgpackr/pack`, rewritten to a path: module workers do not see the
//   page's import map (a dev server or a bundler does the same).
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
const BARE = { "'msgpackr/pack'": "'/node_modules/msgpackr/pack.js'", "'msgpackr'": "'/node_modules/msgpackr/index.js'" };

/**
 * An http.Server (not yet listening) for the files under `root`. `headersFor(path)` gives each response's
 * extra headers (the isolation headers unless told otherwise); a missing file is a 404 with them too, as
 * is each path in `hidden` (the tests use it for a file that did not ship).
 */
export function staticServer(root, headersFor = () => ISOLATION, hidden = []) {
  return createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(root, path);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    const headers = headersFor(path);
    if (!file.startsWith(root) || !existsSync(file) || hidden.includes(path)) { res.writeHead(404, headers).end(); return; }
    let body = readFileSync(file);
    if (extname(file) === '.js') {
      let text = body.toString('utf8');
      for (const [from, to] of Object.entries(BARE)) text = text.split(`from ${from}`).join(`from ${to}`);
      body = Buffer.from(text);
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? 8080);
  const root = fileURLToPath(new URL('../..', import.meta.url));
  staticServer(root).listen(port, '127.0.0.1', () => console.log(`serving ${root} at http://localhost:${port}/examples/browser/ (cross-origin isolated)`));
}
