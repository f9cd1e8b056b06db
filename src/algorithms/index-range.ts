// IndexRange: Taskflow's tf::IndexRanges<T, N> for N = 1, 2, 3 (an immutable value, checked when built),
// and how forEachByIndex and reduceByIndex cut it: the flat index space [0, size()) is split into chunks
// as every algorithm's is (partition.ts), and each chunk [lo, hi) becomes the few axis-aligned boxes that
// cover it (boxesOf, after Taskflow's IndexRangesPartitioner). Pure: no threads, no memory; the builtins
// (builtins.ts) rebuild the range on each thread from its numbers (flatDims / fromFlat).
//
// The elements of a 1-D range are begin, begin + step, … before end (a negative step counts down). An
// N-D range is the product of its dimensions in row-major order: dimension 0 is the outermost loop and
// the last the innermost. As in Taskflow, a dimension with no elements stops the active space there:
// size() is the product of the dimensions before it (0 when it is dimension 0), and every box copies
// that dimension and those inside it whole, so a callback's nested loops still run the outer levels.
import { messages } from '../errors.js';

/** Dimensions a range may have. */
export type Rank = 1 | 2 | 3;
/** One dimension: [begin, end, step]; end is excluded. */
export type Dim = readonly [begin: number, end: number, step: number];

/**
 * MAX_RANGE_SIZE: a call claims chunks of its flat index space through Int32 words of its job block
 *   (spec.ts), and a dynamic claim may run the cursor past the end by up to a grain per task (at most
 *   about the size again), so a size of 2^30 keeps every claimed index below 2^31.
 */
export const MAX_RANGE_SIZE = 2 ** 30;

/** Elements of [begin, end) by step: ⌈(end − begin) / step⌉, 0 when step points away from end. */
function dimSize(begin: number, end: number, step: number): number {
  return Math.max(0, Math.ceil((end - begin) / step));
}

const CTOR_1D = 'new IndexRange(begin, end, step)';
const CTOR_ND = 'new IndexRange(dim0, dim1?, dim2?)';

/** Checks one dimension (`label` prefixes its parts' names: '' or 'dim1 ') and returns it frozen. */
function checkDim(what: string, label: string, begin: unknown, end: unknown, step: unknown): Dim {
  for (const [v, l] of [[begin, 'begin'], [end, 'end']] as const) {
    if (!Number.isSafeInteger(v)) throw new TypeError(messages.argType(`${what}: ${label}${l}`, 'an integer', v));
  }
  if (!Number.isSafeInteger(step) || step === 0) throw new TypeError(messages.argType(`${what}: ${label}step`, 'a non-zero integer', step));
  const [b, e, s] = [begin as number, end as number, step as number];
  if ((b < e && s < 0) || (b > e && s > 0)) throw new RangeError(messages.rangeDirection(what, label, b, e, s));
  if (!Number.isSafeInteger(b + dimSize(b, e, s) * s)) throw new RangeError(messages.rangeUnsafe(what, label, b, e, s));
  return Object.freeze([b, e, s] as const);
}

/** The dimensions the constructor's arguments describe, checked. */
function parse(args: unknown[]): Dim[] {
  if (typeof args[0] === 'number') {
    if (args.length !== 3) throw new TypeError(messages.rangeNumbers(CTOR_1D, args.length));
    return [checkDim(CTOR_1D, '', args[0], args[1], args[2])];
  }
  if (args.length < 1 || args.length > 3) throw new TypeError(messages.rangeRank(CTOR_ND, args.length));
  return args.map((a, d) => {
    if (a instanceof IndexRange) {
      if (a.rank !== 1) throw new TypeError(messages.rangeDimRank(CTOR_ND, d, a.rank));
      return a.dim(0);
    }
    if (!Array.isArray(a) || a.length !== 3) throw new TypeError(messages.argType(`${CTOR_ND}: dim${d}`, 'a [begin, end, step] array or a 1-D IndexRange', a));
    return checkDim(CTOR_ND, `dim${d} `, a[0], a[1], a[2]);
  });
}

/**
 * An index range of 1, 2 or 3 dimensions, each begin, begin + step, … before end: Taskflow's
 * tf::IndexRange / tf::IndexRanges<T, N>. Immutable; checked when built (a non-integer bound, a zero step
 * and a step pointing away from end are refused, naming the dimension). Any thread may use one.
 * @example
 * new IndexRange(0, 10, 2);                     // 0 2 4 6 8
 * new IndexRange([0, 3, 1], [10, 0, -5]);       // (0,10) (0,5) (1,10) (1,5) (2,10) (2,5)
 */
export interface IndexRange<N extends Rank = Rank> {
  /** How many dimensions (Taskflow's rank). */
  readonly rank: N;
  /** Dimension d (0 is the outermost) as [begin, end, step], a frozen array. */
  dim(d: number): Dim;
  /**
   * Without d: the elements of the active space (a 1-D range's element count; for N-D the product of the
   * dimensions before the first one with no elements, 0 when that is dimension 0). With d: dimension d's
   * element count alone.
   */
  size(d?: number): number;
  /** A 1-D range's first index. */
  begin(this: IndexRange<1>): number;
  /** A 1-D range's end (excluded). */
  end(this: IndexRange<1>): number;
  /** A 1-D range's step (Taskflow's step_size()). */
  stepSize(this: IndexRange<1>): number;
  /**
   * The sub-range of a 1-D range's elements at positions [partBegin, partEnd) (0 ≤ partBegin ≤ partEnd ≤
   * size()): begin + partBegin·step to begin + partEnd·step, same step. Taskflow's unravel (discrete_domain
   * before Taskflow 4.1).
   */
  unravel(this: IndexRange<1>, partBegin: number, partEnd: number): IndexRange<1>;
}

/** A dimension as the constructor takes it: a [begin, end, step] array or a 1-D range. */
export type DimLike = Dim | IndexRange<1>;

/** The IndexRange constructor: its rank follows from the arguments. */
export interface IndexRangeConstructor {
  /** A 1-D range: begin, begin + step, … before end. */
  new (begin: number, end: number, step: number): IndexRange<1>;
  /** A range with one dimension per argument, outermost first. */
  new (dim0: DimLike): IndexRange<1>;
  new (dim0: DimLike, dim1: DimLike): IndexRange<2>;
  new (dim0: DimLike, dim1: DimLike, dim2: DimLike): IndexRange<3>;
  readonly prototype: IndexRange;
}

/** Where a range keeps its frozen dimensions (a key no other module holds). */
const DIMS = Symbol('dims');
type Stored = IndexRange & { [DIMS]: readonly Dim[] };
/** The interface's names for the class body below, where `IndexRange` names the class. */
type Range1 = IndexRange<1>;

export const IndexRange = class IndexRange {
  declare readonly rank: Rank;
  declare readonly [DIMS]: readonly Dim[];

  constructor(...args: unknown[]) {
    const dims = parse(args);
    Object.assign(this, { rank: dims.length, [DIMS]: Object.freeze(dims) });
    Object.freeze(this);
  }

  dim(d: number): Dim {
    if (!Number.isInteger(d) || d < 0 || d >= this.rank) {
      throw new RangeError(messages.argType('IndexRange.dim(d): d', `an integer from 0 to ${this.rank - 1} (the range has ${this.rank} dimension${this.rank > 1 ? 's' : ''})`, d));
    }
    return this[DIMS][d];
  }

  size(d?: number): number {
    if (d !== undefined) {
      const [b, e, s] = this.dim(d);
      return dimSize(b, e, s);
    }
    const [active, total] = activeSpace(this);
    return active === 0 ? 0 : total;
  }

  begin(): number { return one(this, 'begin()')[0]; }
  end(): number { return one(this, 'end()')[1]; }
  stepSize(): number { return one(this, 'stepSize()')[2]; }

  unravel(partBegin: number, partEnd: number): Range1 {
    const [b, , s] = one(this, 'unravel(partBegin, partEnd)');
    const n = this.size();
    const what = 'IndexRange.unravel(partBegin, partEnd)';
    if (!Number.isInteger(partBegin) || partBegin < 0 || partBegin > n) throw new RangeError(messages.argType(`${what}: partBegin`, `an integer from 0 to size() = ${n}`, partBegin));
    if (!Number.isInteger(partEnd) || partEnd < partBegin || partEnd > n) throw new RangeError(messages.argType(`${what}: partEnd`, `an integer from partBegin = ${partBegin} to size() = ${n}`, partEnd));
    return fromDims([[b + partBegin * s, b + partEnd * s, s]]) as Range1;
  }
} as unknown as IndexRangeConstructor;

/** The only dimension of a 1-D range; a clear error naming the method on any other. */
function one(r: IndexRange, method: string): Dim {
  if (r.rank !== 1) throw new TypeError(messages.rangeOneD(method, r.rank));
  return (r as Stored)[DIMS][0];
}

/** A range from dimensions known to be valid (a box of one, or one rebuilt from flatDims): no checks. */
function fromDims(dims: Dim[]): IndexRange {
  const r = Object.create(IndexRange.prototype) as IndexRange;
  Object.assign(r, { rank: dims.length, [DIMS]: Object.freeze(dims.map((d) => Object.freeze([d[0], d[1], d[2]] as const))) });
  return Object.freeze(r);
}

/** A range as its numbers [b0, e0, s0, b1, …], the form it travels to the workers in. */
export function flatDims(r: IndexRange): number[] {
  const out: number[] = [];
  for (let d = 0; d < r.rank; d++) out.push(...r.dim(d));
  return out;
}

/** The range flatDims wrote, rebuilt on the thread that reads it. */
export function fromFlat(flat: readonly number[]): IndexRange {
  const dims: Dim[] = [];
  for (let i = 0; i < flat.length; i += 3) dims.push([flat[i], flat[i + 1], flat[i + 2]]);
  return fromDims(dims);
}

/** [active dimensions (those before the first with no elements), product of their sizes]. */
function activeSpace(r: IndexRange): [number, number] {
  let total = 1;
  for (let d = 0; d < r.rank; d++) {
    const n = r.size(d);
    if (n === 0) return [d, total];
    total *= n;
  }
  return [r.rank, total];
}

/**
 * Calls visit(box) for each axis-aligned box covering the flat positions [lo, hi) of r's active space,
 * in row-major order (0 ≤ lo < hi ≤ r.size()): the whole range itself for [0, size()); else, per level,
 * the partial row at the start, the whole rows between, the partial row at the end — at most 2·active − 1
 * boxes. Each box keeps r's steps; the dimensions outside the active space are r's own.
 * see: Taskflow taskflow/algorithm/partitioner.hpp, IndexRangesPartitioner::for_each_box.
 */
export function boxesOf(r: IndexRange, lo: number, hi: number, visit: (box: IndexRange) => void): void {
  const [active, total] = activeSpace(r);
  if (active === 0 || lo >= hi) return;
  if (lo === 0 && hi === total) { visit(r); return; }
  const dims: Dim[] = [];
  for (let d = 0; d < r.rank; d++) dims.push(r.dim(d));
  // strides[d]: flat positions per step of dimension d (the product of the active sizes inside it).
  const strides = new Array<number>(active).fill(1);
  for (let d = active - 2; d >= 0; d--) strides[d] = strides[d + 1] * r.size(d + 1);
  const box = dims.slice();
  const span = (d: number, b: number, e: number): void => {
    const [b0, , s] = dims[d];
    box[d] = [b0 + b * s, b0 + e * s, s];
  };
  const emit = (): void => visit(fromDims(box.slice()));
  const walk = (d: number, b: number, e: number): void => {
    if (b >= e) return;
    if (d === active - 1) { span(d, b, e); emit(); return; }
    const s = strides[d];
    let outerB = Math.floor(b / s);
    const innerB = b % s, outerE = Math.floor(e / s), innerE = e % s;
    if (outerB === outerE) { span(d, outerB, outerB + 1); walk(d + 1, innerB, innerE); return; }
    if (innerB !== 0) { span(d, outerB, outerB + 1); walk(d + 1, innerB, s); outerB++; }
    if (outerB < outerE) {
      span(d, outerB, outerE);
      for (let k = d + 1; k < active; k++) box[k] = dims[k];
      emit();
    }
    if (innerE !== 0) { span(d, outerE, outerE + 1); walk(d + 1, 0, innerE); }
  };
  walk(0, lo, hi);
}

/** Whether v is an IndexRange (one built by this module). */
export const isIndexRange = (v: unknown): v is IndexRange => v instanceof IndexRange;
