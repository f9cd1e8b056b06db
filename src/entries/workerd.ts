// The package's entry for workerd (package.json exports, condition "workerd", which wrangler and a bundler
// told to use it resolve first): installs its platform adapter statically, then the public API.
import { usePlatform } from '../platform/current.js';
import { platform } from '../platform/workerd.js';

usePlatform(platform);
export * from '../index.js';
