// webpack 5 (webpack-cli's `webpack`, or `node build.mjs webpack` here): the same app.mjs for a browser page
// and for Node, with webpack's defaults:
// beatflow starts its worker as `new Worker(new URL(…, import.meta.url))` and finds its core as
// `new URL(…, import.meta.url)`, which webpack bundles as a worker chunk and emits as an asset by itself.
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const app = (target) => ({
  mode: 'production',
  target,                                           // 'web' (a page) or 'node'
  context: here('.'),
  entry: './app.mjs',
  output: { path: here(`./dist-webpack/${target}/`), clean: true },
  performance: { hints: false },                    // the core and its codec make a large bundle by design
});

export default [app('web'), app('node')];
