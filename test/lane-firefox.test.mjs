// The headless Firefox ESR lane (Debian's firefox-esr, which .ci/run installs, driven through WebDriver
// BiDi): the same conformance subset as the Chromium lane, on a cross-origin isolated page with module Web
// Workers and on a page without COOP/COEP in the single-threaded mode (helpers/browser.mjs conformanceLane).
import { conformanceLane } from './helpers/browser.mjs';

conformanceLane('firefox', 'Firefox ESR').run();
