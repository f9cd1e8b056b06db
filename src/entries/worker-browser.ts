// The worker entry for bundles that run on browser (package.json exports `beatflow/worker`, condition
// "browser"): installs the web platform adapter statically, so a bundler follows no computed import,
// then runs the worker. Bundle it as an entry point of its own and name it in options.workerUrl.
import '../platform/inbox.js';   // first: in a Web Worker its listener catches the start-up message
import { usePlatform } from '../platform/current.js';
import { platform } from '../platform/web.js';
import { runThread } from '../worker/entry.js';

usePlatform(platform);
await runThread(platform);
