// Every user-facing message of the runtime, in one table, and how a value a caller passed is shown in one.
// The table is written by area in src/messages/ (one file each) and put together here.
import { executorMessages } from './messages/executor.js';
import { tasksMessages } from './messages/tasks.js';
import { graphsMessages } from './messages/graphs.js';
import { valuesMessages } from './messages/values.js';
import { algorithmsMessages } from './messages/algorithms.js';
import { pipelinesMessages } from './messages/pipelines.js';
import { gpuMessages } from './messages/gpu.js';
import { internalMessages } from './messages/internal.js';

export { describe } from './messages/describe.js';

/** The areas of the table, by file: a name defined in two of them is an error (test/messages.test.mjs). */
export const MESSAGE_AREAS = Object.freeze({
  executor: executorMessages, tasks: tasksMessages, graphs: graphsMessages, values: valuesMessages,
  algorithms: algorithmsMessages, pipelines: pipelinesMessages, gpu: gpuMessages, internal: internalMessages,
});

/**
 * Every message the runtime produces, in one place, grouped by what it is about. Each names the option,
 * argument, task or value at fault and says what to do; `describe()` writes the value a caller passed.
 * Messages that say "beatflow internal error" are invariants the runtime keeps, not misuse.
 */
export const messages = {
  ...executorMessages, ...tasksMessages, ...graphsMessages, ...valuesMessages,
  ...algorithmsMessages, ...pipelinesMessages, ...gpuMessages, ...internalMessages,
} as const;
