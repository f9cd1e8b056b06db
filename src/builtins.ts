// The built-in task modules: task functions the runtime itself provides (the parallel algorithms now).
// One list: every worker binds each module at start-up (src/worker/main.ts), and the host and every
// worker register their functions by name when this file is evaluated, so a function object names the
// same task everywhere (src/engine/functions.ts registerBuiltins). A new kind of built-in is one more
// entry here; nothing else imports the modules' files to load them.
import type { SharedCore } from './engine/memory.js';
import { registerBuiltins, type FunctionCache } from './engine/functions.js';
import { ALGORITHMS } from './algorithms/builtins.js';

/**
 * A module of built-in task functions.
 * Thread-safety: the list is evaluated once per thread; `bind` is called once per worker thread.
 */
export interface BuiltinModule {
  /** Its name, in diagnostics and in a worker's 'ready' message. */
  readonly name: string;
  /** Its task functions by the name the function table records and errors show (`beatflow.<name>`). */
  readonly functions: Readonly<Record<string, Function>>;
  /** Worker start-up, before the first task: what the functions need of the thread (its core, its function cache). */
  bind?(core: SharedCore, fns: FunctionCache): void;
}

/** Every built-in task module, in the order workers bind them. */
export const BUILTIN_MODULES: readonly BuiltinModule[] = Object.freeze([ALGORITHMS]);

for (const m of BUILTIN_MODULES) registerBuiltins(m.functions as Record<string, Function>);

/** Worker start-up: binds every built-in module to this thread's core and function cache; returns their names. */
export function bindBuiltinModules(core: SharedCore, fns: FunctionCache): string[] {
  for (const m of BUILTIN_MODULES) m.bind?.(core, fns);
  return BUILTIN_MODULES.map((m) => m.name);
}
