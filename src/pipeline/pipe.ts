// One pipe (stage) of a pipeline: a function, whether it is serial or parallel, where it runs, its name,
// and leading arguments. Pure data: nothing here touches threads. Its type parameters are the stage's
// input and output, for DataPipeline's check that each stage takes what the one before gives.
import { messages } from '../errors.js';
import type { PipeContext } from './stage.js';

/** SERIAL: one token at a time, in token order. PARALLEL: several tokens at once, in any order. */
export type PipeKind = 'serial' | 'parallel';

/** Options of Pipe.serial / Pipe.parallel (or just the stage's name as a string). `A`: the type of `args`. */
export interface PipeOptions<A extends readonly unknown[] = readonly unknown[]> {
  /** The stage's name in errors. Default: the function's name, else `stage N`. */
  name?: string;
  /**
   * 'worker' (default): each call is a task on a worker thread, as `executor.async(fn, ...args, input)`;
   * fn is a task-module export or a self-contained function. 'host': fn runs on the host thread (it may
   * be a closure and keep state, and may return a promise).
   */
  on?: 'worker' | 'host';
  /** Values passed before the input: fn(...args, input), as task.args() does for graph tasks. */
  args?: A;
  /**
   * Pass the token's context after the input: fn(...args, input, { token, line, pipe }) — Taskflow's
   * pf.token(), pf.line() and pf.pipe(). Default false (fn gets exactly ...args and the input).
   */
  context?: boolean;
}

const KNOWN = ['name', 'on', 'args', 'context'] as const;

/** A stage's function: its input (after any args), then the token's context when `{ context: true }`. */
export type StageFn<In, R> = (input: In, pf: PipeContext) => R;
/** Options without args (the input is the function's first parameter). */
export type PipeOptionsNoArgs = string | (PipeOptions & { args?: readonly [] });

/**
 * A stage of a {@link Pipeline} that takes `In` and gives `Out` (its function's settled result). Make one
 * with `Pipe.serial(fn)` or `Pipe.parallel(fn)`, which infer both from fn, or `makeDataPipe<In, Out>()`.
 * A pipe is immutable and can be used in several pipelines.
 * Thread-safety: host thread only (it is a description; its function runs where `on` says).
 *
 * @example
 * const parse = Pipe.parallel(tasks.parse, 'parse');                     // on workers, tokens overlap
 * const sum = Pipe.serial((x) => (total += x), { name: 'sum', on: 'host' }); // on the host, in token order
 */
export class Pipe<In = any, Out = any> {
  /**
   * Type-level only (never set): what the stage takes and gives. The input is a parameter type, so a pipe
   * that takes `string` is no pipe that takes `number`.
   */
  declare readonly stageTypes?: { readonly input: (input: In) => void; readonly output: Out };
  readonly kind: PipeKind;
  readonly fn: (...a: any[]) => unknown;
  /** The name given in options, or undefined (the pipeline then names it). */
  readonly label: string | undefined;
  readonly on: 'worker' | 'host';
  readonly args: readonly unknown[];
  /** Whether calls get the token's context after the input. */
  readonly context: boolean;

  private constructor(kind: PipeKind, fn: (...a: any[]) => unknown, options: string | PipeOptions | undefined) {
    if (typeof fn !== 'function') throw new TypeError(messages.pipeFn(kind, fn));
    const o: PipeOptions = typeof options === 'string' ? { name: options } : options ?? {};
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new TypeError(messages.pipeOptions(kind, options));
    for (const k of Object.keys(o)) {
      if (!(KNOWN as readonly string[]).includes(k)) throw new TypeError(messages.unknownOption(`Pipe.${kind}(fn, options)`, k, KNOWN));
    }
    if (o.name !== undefined && typeof o.name !== 'string') throw new TypeError(messages.callOption(`Pipe.${kind}(fn, options)`, 'name', 'a string', o.name));
    if (o.on !== undefined && o.on !== 'worker' && o.on !== 'host') {
      throw new TypeError(messages.callOption(`Pipe.${kind}(fn, options)`, 'on', "'worker' or 'host'", o.on));
    }
    if (o.args !== undefined && !Array.isArray(o.args)) throw new TypeError(messages.callOption(`Pipe.${kind}(fn, options)`, 'args', 'an array', o.args));
    if (o.context !== undefined && typeof o.context !== 'boolean') throw new TypeError(messages.callOption(`Pipe.${kind}(fn, options)`, 'context', 'true or false', o.context));
    this.kind = kind;
    this.fn = fn;
    this.label = o.name;
    this.on = o.on ?? 'worker';
    this.args = Object.freeze([...(o.args ?? [])]);
    this.context = o.context ?? false;
    Object.freeze(this);
  }

  /** A stage that takes one token at a time, in the order the source produced them. */
  static serial<In, R>(fn: StageFn<In, R>, options?: PipeOptionsNoArgs): Pipe<In, Awaited<R>>;
  /** The same, with leading arguments: fn(...args, input). */
  static serial<const A extends readonly unknown[], In, R>(fn: (...a: [...A, In, PipeContext]) => R, options: PipeOptions<A> & { args: A }): Pipe<In, Awaited<R>>;
  static serial<const A extends readonly unknown[], In, R>(fn: (...a: [...A, In]) => R, options: PipeOptions<A> & { args: A }): Pipe<In, Awaited<R>>;
  static serial(fn: (...a: any[]) => unknown, options?: string | PipeOptions): Pipe {
    return new Pipe('serial', fn, options);
  }

  /** A stage that may work on several tokens at once (up to the pipeline's lines), finishing in any order. */
  static parallel<In, R>(fn: StageFn<In, R>, options?: PipeOptionsNoArgs): Pipe<In, Awaited<R>>;
  /** The same, with leading arguments: fn(...args, input). */
  static parallel<const A extends readonly unknown[], In, R>(fn: (...a: [...A, In, PipeContext]) => R, options: PipeOptions<A> & { args: A }): Pipe<In, Awaited<R>>;
  static parallel<const A extends readonly unknown[], In, R>(fn: (...a: [...A, In]) => R, options: PipeOptions<A> & { args: A }): Pipe<In, Awaited<R>>;
  static parallel(fn: (...a: any[]) => unknown, options?: string | PipeOptions): Pipe {
    return new Pipe('parallel', fn, options);
  }
}
