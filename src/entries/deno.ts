// The package's entry for deno (package.json exports, condition "deno"): installs its platform adapter
// statically, then the public API.
import { usePlatform } from '../platform/current.js';
import { platform } from '../platform/deno.js';

usePlatform(platform);
export * from '../index.js';
