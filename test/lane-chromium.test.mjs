// The headless Chromium lane (Debian's chromium, which .ci/run installs): the conformance subset on a
// cross-origin isolated page with module Web Workers, and on a page without COOP/COEP in the
// single-threaded mode (helpers/browser.mjs conformanceLane says what each checks).
import { conformanceLane } from './helpers/browser.mjs';

conformanceLane('chromium', 'Chromium').run();
