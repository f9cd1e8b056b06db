// Messages about shared memory, and the values that cross between threads (engine/codec.ts, engine/clone-rules.ts). Part of the one table, src/messages.ts `messages`.
import { describe, an, causeText } from './describe.js';

export const valuesMessages = {
  // ---- shared memory and codec ----
  sharedCtor: (names: string[], got: unknown) =>
    `beatflow: executor.shared(ctor, length): ctor must be one of ${names.join(', ')} (got ${describe(got)})`,
  sharedLength: (got: unknown) => `beatflow: executor.shared(ctor, length): length must be a non-negative integer (got ${describe(got)})`,
  notShared: (got: unknown) =>
    `beatflow: executor.free(array): the array did not come from executor.shared() of this executor (got ${describe(got)})`,
  alreadyFreed: (what: string, got: unknown) =>
    `beatflow: ${what}: the ${describe(got)} from executor.shared() was already freed (executor.free()): allocate a new one`,
  heapExhausted: (n: number, bytes: number) =>
    `beatflow: the shared heap is exhausted (asked for ${n} bytes; the memory is ${bytes} bytes of at most 4 GiB): ` +
    'free shared arrays you no longer need',
  tableTooLarge: (bytes: number) =>
    `beatflow: the task table needs ${bytes} bytes, more than the 4 GiB a shared memory holds: lower options.maxTasks ` +
    '(or maxRuns, maxSubflows, maxFunctions)',

  // ---- values crossing threads (engine/codec.ts; DataCloneError) ----
  /** `what` names the value ("argument 2 of task 'fib'"); `fault` is cloneFault's text. */
  notCloneable: (what: string, fault: string) => `beatflow: ${what} cannot be sent to another thread: ${fault}`,
  /** What in a value cannot cross threads (`kind`, as clone-rules.ts uncloneable names it) and where (`at`: a path in the value, '' for itself). */
  cloneFault: (kind: string, got: unknown, at: string) => {
    const where = at === '' ? '' : ` at ${at}`;
    const lose = 'a copy would lose the writes';
    switch (kind) {
      case 'function': return `${describe(got)}${where} cannot be cloned: functions never cross threads (pass data)`;
      case 'symbol': return `${describe(got)}${where} cannot be cloned: symbols never cross threads`;
      case 'promise': return `a Promise${where} cannot be cloned: await it and pass its value`;
      case 'hostHandle': return `an AsyncTask${where} of executor.dependentAsync cannot be cloned: it lives on the host ` +
        '(make the task depend on it with executor.dependentAsync(fn, handle), or await handle.done and pass the value)';
      case 'boxed': return `${an(describe(got))} object${where} (new ${describe(got)}(…)) cannot be cloned: pass the primitive`;
      case 'surrogate': return `a string${where} with a lone surrogate (not well-formed UTF-16) cannot be cloned`;
      case 'protoKey': return `an object${where} with an own property named '__proto__' cannot be cloned (the codec would rename it)`;
      case 'depth': return `the value is nested more than ${String(got)} levels deep${where}`;
      case 'freed': return `the ${describe(got)}${where} from executor.shared() was already freed (executor.free())`;
      case 'nestedShared': return `the ${describe(got)}${where} in the executor's shared memory is inside another value, where ${lose}: ` +
        'pass it as an argument (or return it) on its own, which travels by reference';
      case 'sharedView': return `${an(describe(got))}${where} on the executor's shared memory cannot be cloned (${lose}): only ` +
        'Int8Array … Float64Array views travel by reference';
      case 'foreignShared': return `${an(describe(got))}${where} on a SharedArrayBuffer the executor did not allocate cannot be cloned ` +
        `(${lose}): allocate it with executor.shared(Type, n), or adopt(executor, view)`;
      default: return `${an(describe(got))}${where} cannot be cloned`;
    }
  },
  argument: (i: number, task?: string) => `argument ${i + 1}${task === undefined ? '' : ` of task '${task}'`}`,
  mapItem: (i: number) => `item ${i} of executor.map(fn, items)`,
  returned: (task?: string) => (task === undefined ? 'the value a task returned' : `the value task '${task}' returned`),
  mapReturned: (i: number) => `the value executor.map()'s fn returned for item ${i}`,
  nonError: (text: string) => `a task threw a non-Error value: ${text}`,
  unreadable: (task: string, cause: unknown) =>
    `beatflow internal error: the outcome of task '${task}' could not be read on the host (${causeText(cause)}) — please report`,
} as const;
