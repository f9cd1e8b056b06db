// The host's side of the placement router's per-shape measurements (assembly/learn/shapes.ts): it maps
// each call shape (op key, size class, choices open) to a row of the block in shared memory, reads a
// row's stats into the decision's views and folds the measured times in. Host thread only, like
// learn/router.ts, which owns it.
import type { SharedCore } from '../engine/memory.js';
import { ROUTER, ROUTES, type Route, type RouterParams } from '../policy/router.js';
import { sampleVar } from '../policy/size-order.js';

/** One choice's measurements at a shape: discounted weight, mean log2 µs per element, m2; samples in all. */
export interface ShapeStatView { weight: number; mean: number; m2: number; count: number }

/** The shape table's part of executor.models.snapshot(): each row's shape and its choices' stats. */
export interface ShapesSnapshot { shape: string; stats: Partial<Record<Route, ShapeStatView>> }

/** The row key of a call: its op key, size class (log2 n, rounded) and the choices open (a bit per ROUTES index). */
export const shapeKey = (key: string, n: number, mask: number): string => `${key}|${Math.round(Math.log2(n))}|${mask}`;

/** Size classes a family of rows spans: log2 n rounded, 0 … CLASSES − 1 (n below 2^64). */
const CLASSES = 64;

/**
 * Whether `shape` is a key shapeKey makes: op key | size class (0 … CLASSES − 1) | choices open (1 …
 * 2^ROUTES − 1), each number as String() writes it. A snapshot's other spellings (`|010|`, `|3.0`)
 * would name a family or a size the core files under another (learn/router.ts: by op id and the
 * mask's number), and two shapes could take one row.
 */
export function isShapeKey(shape: string): boolean {
  const j = shape.lastIndexOf('|'), i = shape.lastIndexOf('|', j - 1);
  if (i < 1) return false;
  const sizeText = shape.slice(i + 1, j), maskText = shape.slice(j + 1), size = Number(sizeText), mask = Number(maskText);
  return String(size) === sizeText && Number.isInteger(size) && size >= 0 && size < CLASSES
    && String(mask) === maskText && Number.isInteger(mask) && mask > 0 && mask < 1 << ROUTES.length;
}

/**
 * A shape's row and its place among its family: the rows of one op key and choices open, by size class
 * (-1: no row), which the router reads for the nearest measured sizes below and above a call's.
 */
export interface ShapeRow { readonly row: number; readonly size: number; readonly family: Family }

/**
 * One family's rows by size class, and the span of classes that ever held one ([lo, hi)): a scan for the
 * nearest measured size stops at its ends. `at`: where `rows` lies in the core's memory (the core's
 * decision reads it there: assembly/learn/route-decide.ts); 0 for a family with no place left in the
 * table (none while each family alive holds a row: then the host keeps its rows and makes its
 * decisions). `key`: its op key and choices open;
 * `held`: how many rows of the table are its shapes' (at 0 the family is forgotten, its place freed).
 */
export interface Family { readonly rows: Int16Array; lo: number; hi: number; readonly at: number; readonly key: string; held: number }

/**
 * What the router keeps beside the table (learn/router.ts: the call block of assembly/learn/route-call.ts,
 * which routes a call of a shape with a row without the host): the rows' last use and the use count,
 * in its memory (`used`, `clock[0]`), so that a call routed in the core stamps its row as rowOf does;
 * the next row never used (`next[0]`: a new shape of an op the core knows takes it there, as rowOf
 * does here); the families' places handed out and freed (`places`: the core gives one to a family it
 * makes); a family made, grown or forgotten (`family`, undefined once forgotten: key is its op key and
 * choices open, `${op key}|${mask}`); a row given to another shape or emptied (`reset`); the rows the
 * core gave to new shapes since the last ask, each handed to `adopt` with its family's place (`made`).
 */
export interface ShapeHooks {
  readonly used: Float64Array;
  readonly clock: Float64Array;
  readonly next: Uint32Array;
  readonly places: Uint32Array;
  family(key: string, family: Family | undefined): void;
  reset(row: number): void;
  made(adopt: (key: string, size: number, mask: number, row: number, at: number) => void): void;
}

export class ShapeTable {
  readonly #core: SharedCore;
  readonly #block: number;
  readonly #slots: number;
  /** Where the rows start, and one choice's stats' bytes (assembly/learn/shapes.ts statAt): read() finds a stat without a call into the core. */
  readonly #rows0: number;
  readonly #stat: number;
  /** A stat's fields (byte offsets): read per stat, so taken from the layout once (core.L is a dictionary). */
  readonly #weightAt: number;
  readonly #meanAt: number;
  readonly #m2At: number;
  readonly #countAt: number;
  /** The router's f32 view of the memory (it covers the block). */
  readonly #f32: () => Float32Array;
  /** Shape → row. */
  readonly #rows = new Map<string, ShapeRow>();
  /**
   * Each row's shape and its last use (rowOf), a count: a new shape past the rows takes the row of
   * least last use. Stamped rather than kept in order of use (a Map deleted from and set again on
   * every use), which cost each decision two more hashed Map operations.
   */
  readonly #shapeOf: string[] = [];
  readonly #used: Float64Array;
  readonly #clock: Float64Array;
  /** The next row never used: the rows in use while the table has a free one. */
  readonly #next: Uint32Array;
  readonly #hooks: ShapeHooks | undefined;
  /** Op key and choices open → the row of each size class. */
  readonly #families = new Map<string, Family>();
  /**
   * The families' rows in the core's memory: as many families as rows, CLASSES i16 each; the next one
   * never used, and the places of forgotten families. A family lives while one of its shapes holds a
   * row, so the families alive never outnumber the places.
   */
  readonly #familyTable: number;
  /**
   * The places: [the table's address, places handed out, places freed, the freed ones' stack …], in the
   * core's memory where the router keeps it (ShapeHooks.places): the core gives a place too, to a known
   * op's family it makes with its first row.
   */
  readonly #places: Uint32Array;

  constructor(core: SharedCore, slots: number, gamma: number, down: number, f32: () => Float32Array, hooks?: ShapeHooks) {
    const bytes = core.x.shapeSize(slots, ROUTES.length);
    const block = core.alloc(bytes);
    core.ensure(block, bytes);
    core.x.shapeInit(block, slots, ROUTES.length, gamma, down);
    this.#familyTable = core.alloc(slots * CLASSES * 2);
    core.ensure(this.#familyTable, slots * CLASSES * 2);
    this.#core = core; this.#block = block; this.#slots = slots; this.#f32 = f32;
    this.#rows0 = block + core.L.size_ShapeBlock; this.#stat = core.L.size_ShapeStat;
    this.#weightAt = core.L.SS_weight; this.#meanAt = core.L.SS_mean; this.#m2At = core.L.SS_m2; this.#countAt = core.L.SS_count;
    this.#hooks = hooks;
    this.#used = hooks?.used ?? new Float64Array(slots);
    this.#clock = hooks?.clock ?? new Float64Array(1);
    this.#next = hooks?.next ?? new Uint32Array(1);
    this.#places = hooks?.places ?? new Uint32Array(3 + slots);
    this.#places[0] = this.#familyTable;
  }

  /** The rows the core gave to new shapes (ShapeHooks.made), entered here: every read of the table starts with it. */
  #sync(): void { this.#hooks?.made(this.#adopt); }

  readonly #adopt = (key: string, size: number, mask: number, row: number, at: number): void => {
    const fk = `${key}|${mask}`;
    // a family the core made with this row (at its place, its rows written there) is entered here first
    this.#place(`${key}|${size}|${mask}`, fk, size, row, this.#families.get(fk) ?? this.#enter(fk, size, at));
  };

  /** Row `row` the shape's, in its family (size class `size`) and among the rows; its use is stamped by the caller. */
  #place(shape: string, fk: string, size: number, row: number, family: Family): ShapeRow {
    family.rows[size] = row;
    family.held++;
    family.lo = Math.min(family.lo, size); family.hi = Math.max(family.hi, size + 1);
    this.#hooks?.family(fk, family);
    const e = { row, size, family };
    this.#rows.set(shape, e);
    this.#shapeOf[row] = shape;
    return e;
  }

  /** Row `row` emptied (shapeReset), and the router told. */
  #reset(row: number): void {
    this.#core.x.shapeReset(this.#block, row);
    this.#hooks?.reset(row);
  }

  /** The shape table's block (the core's decision reads the rows there). */
  get block(): number { return this.#block; }

  /** A new family's rows, every class without one: in the core's table while it has room, else on the host. */
  #newFamily(key: string, size: number): Family {
    const p = this.#places, at = p[2] > 0 ? p[3 + --p[2]] : p[1] < this.#slots ? this.#familyTable + p[1]++ * CLASSES * 2 : 0;
    const family = this.#enter(key, size, at);
    family.rows.fill(-1);
    return family;
  }

  /** Family `key` over its rows at place `at` (0: rows of its own on the host), its span the class `size`, entered in the table. */
  #enter(key: string, size: number, at: number): Family {
    // a view on the memory as it is now: a shared memory that grows keeps this buffer valid with its old length
    const rows = at !== 0 ? new Int16Array(this.#core.u8.buffer, at, CLASSES) : new Int16Array(CLASSES);
    const family = { rows, lo: size, hi: size + 1, at, key, held: 0 };
    this.#families.set(key, family);
    return family;
  }

  /** Shapes seen, at most the rows. */
  get size(): number { this.#sync(); return this.#rows.size; }

  /** The row of a shape (shapeKey), taking the least recently used one (emptied) for a new shape when all are taken. */
  rowOf(shape: string): ShapeRow {
    this.#sync();
    const e = this.#rows.get(shape);
    if (e !== undefined) {
      this.#used[e.row] = ++this.#clock[0];
      e.family.rows[e.size] = e.row;   // two spellings of one size class (a restored snapshot's) share a slot
      return e;
    }
    let row: number;
    if (this.#rows.size < this.#slots) this.#next[0] = (row = this.#rows.size) + 1;
    else {
      row = 0;
      for (let k = 1; k < this.#slots; k++) if (this.#used[k] < this.#used[row]) row = k;
      const old = this.#shapeOf[row], r = this.#rows.get(old)!;
      this.#rows.delete(old);
      if (r.family.rows[r.size] === r.row) r.family.rows[r.size] = -1;
      // a family none of whose shapes holds a row is forgotten, and its place in the core's table freed
      if (--r.family.held === 0) {
        this.#families.delete(r.family.key);
        if (r.family.at !== 0) this.#places[3 + this.#places[2]++] = r.family.at;
        this.#hooks?.family(r.family.key, undefined);
      }
      this.#reset(row);
    }
    // shapeKey's parts: op key | size class | choices open (the op key may hold '|' itself)
    const j = shape.lastIndexOf('|'), i = shape.lastIndexOf('|', j - 1);
    const fk = `${shape.slice(0, i)}|${shape.slice(j + 1)}`;
    const size = Math.min(CLASSES - 1, Math.max(0, Number(shape.slice(i + 1, j)) | 0));
    const family = this.#families.get(fk) ?? this.#newFamily(fk, size);
    this.#used[row] = ++this.#clock[0];
    return this.#place(shape, fk, size, row, family);
  }

  /** The row of `shape`, -1 for none: no row made, no use stamped. */
  rowFor(shape: string): number { this.#sync(); return this.#rows.get(shape)?.row ?? -1; }

  /**
   * The nearest size class to `e`'s in direction `dir` (-1 smaller, 1 larger) whose row has measurements
   * of both choices a and b: their stats read into outA and outB. false: none.
   */
  nearest(e: ShapeRow, dir: -1 | 1, a: number, b: number, outA: ShapeStatView, outB: ShapeStatView, f = this.#f32()): boolean {
    const fam = e.family.rows, lo = e.family.lo, hi = e.family.hi, u32 = this.#core.u32, count = this.#countAt;
    for (let c = e.size + dir; c >= lo && c < hi; c += dir) {
      const row = fam[c];
      // the counts first: a size that measured one choice alone is passed over without reading its stats
      if (row < 0 || u32[(this.#at(row, a) + count) >> 2] === 0 || u32[(this.#at(row, b) + count) >> 2] === 0) continue;
      this.read(row, a, outA, f); this.read(row, b, outB, f);
      return true;
    }
    return false;
  }

  /**
   * Choice o's trend at `e`'s size: a fixed part and a part per element, T = F + m·n, through its
   * measured times at the two nearest smaller size classes of its family (n = 2^class, each time
   * 2^(mean per element + class)), F and m kept ≥ 0, at n = 2^log2n; log2 µs. Until two sizes show the
   * part per element, the trend is the fixed part alone: with one smaller size measured, its time; with
   * two whose times cannot be told apart (the larger size's less than k.order standard errors above the
   * smaller's, each class's mean with the variance the size order gives it, `sd` the choice's model
   * noise), their precision-weighted mean, the slope through them being their noise (a GPU first tried
   * at two small sizes, both of them its fixed cost, would be extrapolated thousands of times too slow
   * at the large ones). That is what the choice costs at least at any larger size: it is tried where
   * that beats the best, a try per size class at most, its measurement then entering the trend. NaN
   * where no smaller size measured it.
   */
  trend(e: ShapeRow, o: number, log2n: number, sd: number, out: ShapeStatView, f = this.#f32(), k: RouterParams = ROUTER): number {
    const c1 = this.ownClass(e, o, -1, out, f);
    if (c1 < 0) return NaN;
    const l1 = out.mean + c1, v1 = sampleVar(out, sd, k);   // log2 µs at 2^c1, and its variance
    const c = this.ownClass(e, o, -1, out, f, c1);
    if (c < 0) return l1;
    const l = out.mean + c, v = sampleVar(out, sd, k);
    if (!(l1 - l > k.order * Math.sqrt(v + v1))) return (l / v + l1 / v1) / (1 / v + 1 / v1);
    const t1 = 2 ** l1, t = 2 ** l;
    const m = Math.max(0, (t1 - t) / (2 ** c1 - 2 ** c)), fixed = Math.max(0, t1 - m * 2 ** c1);
    return Math.log2(fixed + m * 2 ** log2n);
  }

  /**
   * The nearest size class to `from` (default `e`'s) in direction `dir` (-1 smaller, 1 larger), within
   * `e`'s family, that measured choice o, its stats read into `out` (its time there, log2 µs: out.mean
   * + the class); -1 where none did.
   */
  ownClass(e: ShapeRow, o: number, dir: -1 | 1, out: ShapeStatView, f = this.#f32(), from = e.size): number {
    const fam = e.family.rows, lo = e.family.lo, hi = e.family.hi;
    for (let c = from + dir; c >= lo && c < hi; c += dir) {
      const row = fam[c];
      if (row >= 0 && this.read(row, o, out, f).count > 0) return c;
    }
    return -1;
  }

  /** Choice o's stats at `row`, read into `out` (no allocation); `f`: the router's f32 view, when the caller holds it. */
  read(row: number, o: number, out: ShapeStatView, f = this.#f32()): ShapeStatView {
    const at = this.#at(row, o);
    out.weight = f[(at + this.#weightAt) >> 2]; out.mean = f[(at + this.#meanAt) >> 2]; out.m2 = f[(at + this.#m2At) >> 2];
    out.count = this.#core.u32[(at + this.#countAt) >> 2];
    return out;
  }

  /** Choice o's stats at `row`: the core's shapeStat, computed here (a decision reads a dozen; a call into the core each cost more than the read). */
  #at(row: number, o: number): number { return this.#rows0 + (row * ROUTES.length + o) * this.#stat; }

  /** Folds y (log2 µs per element) measured for choice o into `row`: a deviation above the mean clipped at lim (> 0), one below followed by at least `down` of the way. 1 applied, 0 refused. */
  observe(row: number, o: number, y: number, lim: number): number { return this.#core.x.shapeObserve(this.#block, row, o, y, lim); }

  snapshot(): ShapesSnapshot[] {
    this.#sync();
    const out: ShapesSnapshot[] = [];
    // in row order: a snapshot does not change with the order of last use
    for (const [shape, { row }] of [...this.#rows].sort((x, y) => x[1].row - y[1].row)) {
      const stats: ShapesSnapshot['stats'] = {};
      ROUTES.forEach((r, o) => { const s = this.read(row, o, { weight: 0, mean: 0, m2: 0, count: 0 }); if (s.count > 0) stats[r] = s; });
      if (Object.keys(stats).length > 0) out.push({ shape, stats });
    }
    return out;
  }

  /** Sets the rows a snapshot holds (shapes not as shapeKey writes them, entries not finite or not of a known choice are skipped); returns how many rows it set. */
  restore(rows: unknown): number {
    if (!Array.isArray(rows)) return 0;
    const core = this.#core, L = core.L;
    let n = 0;
    for (const e of rows as ShapesSnapshot[]) {
      if (typeof e?.shape !== 'string' || !isShapeKey(e.shape) || typeof e.stats !== 'object' || e.stats === null) continue;
      const { row } = this.rowOf(e.shape);
      this.#reset(row);
      ROUTES.forEach((r, o) => {
        const s = e.stats[r];
        if (!(s && s.weight >= 0 && Number.isFinite(s.weight) && Number.isFinite(s.mean) && s.m2 >= 0 && Number.isFinite(s.m2) && Number.isInteger(s.count) && s.count > 0 && s.count < 2 ** 32)) return;
        const at = this.#at(row, o), f = this.#f32();
        f[(at + L.SS_weight) >> 2] = s.weight; f[(at + L.SS_mean) >> 2] = s.mean; f[(at + L.SS_m2) >> 2] = s.m2;
        core.u32[(at + L.SS_count) >> 2] = s.count;
      });
      n++;
    }
    return n;
  }

  /** Forgets every shape. */
  reset(): void {
    this.#sync();
    for (const { row } of this.#rows.values()) this.#reset(row);
    for (const key of this.#families.keys()) this.#hooks?.family(key, undefined);
    this.#rows.clear();
    this.#families.clear();
    this.#places[1] = 0; this.#places[2] = 0;
    this.#shapeOf.length = 0; this.#used.fill(0); this.#clock[0] = 0; this.#next[0] = 0;
  }
}
