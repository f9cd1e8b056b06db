// The package's entry for browser (package.json exports, condition "browser"): installs its platform adapter
// statically, then the public API.
import { usePlatform } from '../platform/current.js';
import { platform } from '../platform/web.js';

usePlatform(platform);
export * from '../index.js';
