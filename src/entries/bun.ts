// The package's entry for bun (package.json exports, condition "bun"): installs its platform adapter
// statically, then the public API.
import { usePlatform } from '../platform/current.js';
import { platform } from '../platform/bun.js';

usePlatform(platform);
export * from '../index.js';
