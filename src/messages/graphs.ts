// Messages about building task graphs (src/graph/). Part of the one table, src/messages.ts `messages`.
import { describe } from './describe.js';

export const graphsMessages = {
  // ---- graphs ----
  notATask: (what: string, got: unknown) =>
    `beatflow: ${what} must be a Task from taskflow.emplace() (got ${describe(got)})`,
  cycle: (graph: string, names: string[]) =>
    `beatflow: taskflow '${graph}' has a cycle: ${names.map((n) => `'${n}'`).join(' → ')}: remove one of its edges, ` +
    'or close the loop through a condition task (taskflow.condition), whose edges out may form loops',
  selfComposed: (path: string[]) =>
    `beatflow: taskflow '${path[0]}' is composed of itself: ${path.map((n) => `'${n}'`).join(' → ')}`,
  noSource: (graph: string) =>
    `beatflow: taskflow '${graph}' has no task to start from: every task has a predecessor (edges out of a ` +
    `condition count too). Add a task that precedes the loop's first task`,
  moduleWork: (task: string) =>
    `beatflow: task.work(fn) on task '${task}': it is a module task (taskflow.composedOf), which runs its taskflow ` +
    'and has no work of its own to replace: emplace a task for fn instead',
  erased: (task: string) => `beatflow: task '${task}' was erased from its taskflow: its handle cannot be used any more`,
  semaphoreNotAcquired: (sem: string, task: string, graph: string) =>
    `beatflow: task '${task}' of taskflow '${graph}' releases semaphore '${sem}', which no task of the taskflow ` +
    'acquires: a release gives back a unit its run took, so acquire it first (task.acquire(semaphore))',
  semaphoreInSubflow: (task: string, graph: string) =>
    `beatflow: task '${task}' of '${graph}', a graph run inside a task (a subflow or ctx.corun), acquires or releases ` +
    'a semaphore: semaphores work on the tasks of a taskflow the executor runs (a graph built in a worker cannot share ' +
    'a Semaphore object with the host); acquire it on the task that builds the graph instead',
  semaphoreElsewhere: (sem: string, user: string) =>
    `beatflow: semaphore '${sem}' (used by ${user}) belongs to another executor that is still open: a Semaphore counts ` +
    'its units in one executor\'s memory; create one per executor, or close the other first',
  foreignTask: (graph: string, task: string) =>
    `beatflow: task '${task}' belongs to another taskflow than '${graph}': link tasks of one taskflow only ` +
    '(to run another taskflow as one step, add it with taskflow.composedOf(other))',
} as const;
