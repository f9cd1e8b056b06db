// The built-in task modules: task functions the runtime itself provides (the parallel algorithms, and
// executor.map's task, the GPU task and host jobs of graphs).
// One list: every worker binds each module at start-up (src/worker/main.ts), and the host and every
// worker register their functions by name when this file is evaluated, so a function object names the
// same task everywhere (src/engine/functions.ts registerBuiltins). A new kind of built-in is one more
// entry here; nothing else imports the modules' files to load them.
import type { SharedCore } from './engine/memory.js';
import { registerBuiltins, type FunctionCache, type BuiltinModule } from './engine/functions.js';
import { ALGORITHMS } from './algorithms/builtins.js';
import { BATCH } from './engine/batch-task.js';
import { DEVICE_TASKS } from './engine/device-task.js';
import { HOST_TASKS } from './engine/host-task.js';

export type { BuiltinModule };

/** Every built-in task module, in the order workers bind them. */
export const BUILTIN_MODULES: readonly BuiltinModule[] = Object.freeze([ALGORITHMS, BATCH, DEVICE_TASKS, HOST_TASKS]);

for (const m of BUILTIN_MODULES) registerBuiltins(m.functions as Record<string, Function>);

/** Worker start-up: binds every built-in module to this thread's core and function cache; returns their names. */
export function bindBuiltinModules(core: SharedCore, fns: FunctionCache): string[] {
  for (const m of BUILTIN_MODULES) m.bind?.(core, fns);
  return BUILTIN_MODULES.map((m) => m.name);
}
