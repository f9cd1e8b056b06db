// A one-off task's argument and result blocks (tasks.ts): its arguments written when it is submitted
// (one that cannot be encoded fails the task from the host), and its blocks freed with its slot once
// the host has read its outcome. Host thread only.
import type { EngineParts } from './parts.js';
import { messages, DataCloneError } from '../errors.js';

/**
 * Writes task t's arguments (record at p). If one cannot be encoded the task never reaches a worker:
 * its error (a DataCloneError naming the argument and the task `name`, by default its function's) is
 * written and it retires from here (it comes back through the ring). False then.
 */
export function writeTaskArgs(h: Pick<EngineParts, 'core' | 'codec' | 'outcomes'>, t: number, p: number, args: readonly unknown[], name: string | undefined): boolean {
  if (args.length === 0) return true;
  const codec = h.codec;
  try {
    codec.writeArgs(p, args);   // frees its own partial blocks if it throws
    return true;
  } catch (e) {
    const fault = e instanceof DataCloneError ? codec.argFault(args) : undefined;
    codec.writeError(p, fault ? codec.refusal(messages.argument(fault.index, name ?? h.outcomes.name(t)), fault.fault) : e);
    h.core.x.retireFromHost(t, 1);
    return false;
  }
}

/** Frees a lone task's slot once the host has read it: its result and argument blocks, then the slot. */
export function freeTaskSlot(h: Pick<EngineParts, 'core' | 'codec'>, t: number): void {
  const core = h.core;
  const p = core.taskPtr(t);
  h.codec.freeResult(p);
  if (core.u32[(p + core.L.T_argInfo) >> 2] !== 0) h.codec.freeArgs(p);
  core.x.taskFree(t);
}
