// Bad input in headless Chromium: task modules and a worker entry that fail to load
// (helpers/browser-input.mjs inputLane says what each checks).
import { inputLane } from './helpers/browser-input.mjs';

inputLane('chromium', 'Chromium').run();
