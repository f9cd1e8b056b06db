// The package's entry for node (package.json exports, condition "node"): installs its platform adapter
// statically, then the public API.
import { usePlatform } from '../platform/current.js';
import { platform } from '../platform/node.js';

usePlatform(platform);
export * from '../index.js';
