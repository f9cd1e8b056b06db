// Bad input in headless Firefox ESR: task modules and a worker entry that fail to load
// (helpers/browser-input.mjs inputLane says what each checks).
import { inputLane } from './helpers/browser-input.mjs';

inputLane('firefox', 'Firefox ESR').run();
