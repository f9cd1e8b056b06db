// The worker entry for bundles that run on node (package.json exports `beatflow/worker`, condition
// "node"): installs the node platform adapter statically, so a bundler follows no computed import,
// then runs the worker. Bundle it as an entry point of its own and name it in options.workerUrl.
import { usePlatform } from '../platform/current.js';
import { platform } from '../platform/node.js';
import { runThread } from '../worker/entry.js';

usePlatform(platform);
await runThread(platform);
