// A stage as a flow runs it, and what one call of it gets: `fn(...args, input)`, then the token's
// context when the stage asked for it (Taskflow's Pipeflow). The context is data, so it crosses to a
// worker through the codec like any argument; on the host it can also defer the token.

/** A stage as a flow runs it. */
export interface Stage {
  readonly fn: (...a: any[]) => unknown;
  readonly args: readonly unknown[];
  readonly serial: boolean;
  readonly host: boolean;
  readonly name: string;
  /** Pass the token's context ({ token, line, pipe, numDeferrals }) after the input. */
  readonly context: boolean;
}

/**
 * What a stage with `{ context: true }` gets after its input: Taskflow's pf.token(), pf.line(), pf.pipe(),
 * pf.num_deferrals() and pf.defer(). On a worker it is plain data, without defer().
 */
export interface PipeContext {
  /** The token's number in this run, in source order (0 for the first item). */
  readonly token: number;
  /** The line the token holds: 0 to lines-1, held by no other token in flight. */
  readonly line: number;
  /** The stage's position in the pipeline (0 for the first pipe). */
  readonly pipe: number;
  /** How many times the token was deferred so far (pf.defer) in this run. */
  readonly numDeferrals: number;
  /**
   * Defers the token until token `token` has passed the first pipe: the first pipe's call is dropped and
   * made again once every token it deferred to has passed (at once if all have). Only in a serial first
   * pipe running on the host (`{ on: 'host' }`), and only until the call returns (or its promise settles).
   */
  defer(token: number): void;
}

/** A token as a call sees it: its number, its line, its value (the input), how often it was deferred. */
interface CallToken { readonly index: number; readonly line: number; readonly value: unknown; readonly deferrals: number }

/**
 * The arguments of one call of stage `st` (position s) on `token`. A host stage's context gets `defer`,
 * which hands each token number to `defer` (the flow checks and records it); a worker's is plain data.
 */
export function stageInput(st: Stage, s: number, token: CallToken, defer: (t: number) => void): unknown[] {
  if (!st.context) return st.args.length === 0 ? [token.value] : [...st.args, token.value];
  const data = { token: token.index, line: token.line, pipe: s, numDeferrals: token.deferrals };
  return [...st.args, token.value, Object.freeze(st.host ? { ...data, defer } : data)];
}
