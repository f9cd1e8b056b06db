// The shape of build/core.wasm that makes one module safe to instantiate in every thread over one shared
// memory (notes/assemblyscript-threads.md §2): no data segments (they would be re-applied on each
// instantiation), no start function, no mutable globals (they are per instance), and nothing imported but
// a shared env.memory. Then the layout invariants the code relies on, read from the core's own exports.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { makeCore } from './helpers/core.mjs';

const wasmPath = new URL('../build/core.wasm', import.meta.url);
const SECTION = { custom: 0, type: 1, import: 2, function: 3, table: 4, memory: 5, global: 6, export: 7,
  start: 8, element: 9, code: 10, data: 11, datacount: 12 };
const NAME = Object.fromEntries(Object.entries(SECTION).map(([k, v]) => [v, k]));

/** A cursor over the module bytes with the LEB128 readers the binary format uses. */
class Reader {
  constructor(bytes, pos = 0, end = bytes.length) { this.b = bytes; this.pos = pos; this.end = end; }
  byte() {
    if (this.pos >= this.end) throw new Error(`unexpected end of section at byte ${this.pos}`);
    return this.b[this.pos++];
  }
  u32() { // unsigned LEB128
    let result = 0, shift = 0, byte;
    do { byte = this.byte(); result += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return result;
  }
  sleb() { let byte; do byte = this.byte(); while (byte & 0x80); } // skipped: value not needed
  skip(n) { this.pos += n; }
  name() { const n = this.u32(); const s = Buffer.from(this.b.subarray(this.pos, this.pos + n)).toString('utf8'); this.pos += n; return s; }
  limits() { const flags = this.byte(); const min = this.u32(); const max = flags & 1 ? this.u32() : undefined; return { flags, min, max }; }
}

/** [{ id, name, start, size }] for every section, in order. */
function sections(bytes) {
  assert.equal([...bytes.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d], 'wasm magic');
  assert.equal([...bytes.subarray(4, 8)], [1, 0, 0, 0], 'wasm version 1');
  const r = new Reader(bytes, 8);
  const out = [];
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    out.push({ id, name: NAME[id] ?? `unknown(${id})`, start: r.pos, size });
    r.skip(size);
  }
  assert.is(r.pos, bytes.length, 'the last section ends at the end of the file');
  return out;
}

/** Skips one constant expression (up to and including `end`). */
function skipConstExpr(r) {
  for (;;) {
    const op = r.byte();
    switch (op) {
      case 0x0b: return;                              // end
      case 0x41: case 0x42: r.sleb(); break;          // i32.const, i64.const
      case 0x43: r.skip(4); break;                    // f32.const
      case 0x44: r.skip(8); break;                    // f64.const
      case 0x23: case 0xd2: r.u32(); break;           // global.get, ref.func
      case 0xd0: r.byte(); break;                     // ref.null t
      case 0x6a: case 0x6b: case 0x6c: case 0x7c: case 0x7d: case 0x7e: break; // extended-const arithmetic
      case 0xfd: if (r.u32() !== 12) throw new Error('unexpected SIMD op in a constant expression'); r.skip(16); break;
      default: throw new Error(`unknown opcode 0x${op.toString(16)} in a constant expression`);
    }
  }
}

/** The global section's entries: [{ type, mutable }]. */
function globals(bytes, sec) {
  const r = new Reader(bytes, sec.start, sec.start + sec.size);
  const out = [];
  for (let n = r.u32(); n > 0; n--) {
    const type = r.byte();
    const mut = r.byte();
    skipConstExpr(r);
    out.push({ type, mutable: mut === 1 });
  }
  return out;
}

/** The import section's entries: [{ module, name, kind, limits? }]. */
function imports(bytes, sec) {
  const r = new Reader(bytes, sec.start, sec.start + sec.size);
  const out = [];
  for (let n = r.u32(); n > 0; n--) {
    const module = r.name(), name = r.name(), kind = r.byte();
    const entry = { module, name, kind };
    if (kind === 0) r.u32();                                   // func: type index
    else if (kind === 1) { r.byte(); entry.limits = r.limits(); } // table: reftype, limits
    else if (kind === 2) entry.limits = r.limits();            // memory: limits (flags bit 1 = shared)
    else if (kind === 3) { r.byte(); r.byte(); }               // global: valtype, mut
    else throw new Error(`unknown import kind ${kind}`);
    out.push(entry);
  }
  return out;
}

// ---

const Sections = suite('core.wasm: sections and imports');

Sections.before((ctx) => {
  ctx.bytes = new Uint8Array(readFileSync(wasmPath));
  ctx.sections = sections(ctx.bytes);
});

Sections('no data (11), data-count (12) or start (8) section', ({ sections }) => {
  for (const id of [SECTION.data, SECTION.datacount, SECTION.start]) {
    const found = sections.find((s) => s.id === id);
    assert.not.ok(found, `core.wasm has a ${NAME[id]} section (${found && found.size} bytes): it would run or be re-applied on every thread's instantiation`);
  }
});

Sections('no mutable global (each instance would have its own copy)', ({ bytes, sections }) => {
  const sec = sections.find((s) => s.id === SECTION.global);
  if (!sec) return;
  const mutable = globals(bytes, sec).map((g, i) => ({ ...g, i })).filter((g) => g.mutable);
  assert.is(mutable.length, 0, `mutable globals at indices ${mutable.map((g) => g.i).join(', ')}`);
});

Sections('the only import is env.memory (WebAssembly.Module.imports)', ({ bytes }) => {
  const list = WebAssembly.Module.imports(new WebAssembly.Module(bytes));
  assert.equal(list, [{ module: 'env', name: 'memory', kind: 'memory' }]);
});

Sections('the memory import is declared shared, with a maximum (limits flags 0x03)', ({ bytes, sections }) => {
  const sec = sections.find((s) => s.id === SECTION.import);
  assert.ok(sec, 'an import section');
  const mems = imports(bytes, sec).filter((e) => e.kind === 2);
  assert.is(mems.length, 1);
  const { flags, max } = mems[0].limits;
  assert.ok(flags & 2, `shared bit set (flags 0x${flags.toString(16)})`);
  assert.ok(flags & 1, 'has a maximum');
  assert.is(flags & 4, 0, 'a 32-bit memory');
  assert.ok(max <= 65536, `maximum ${max} pages ≤ 4 GiB`);
});

Sections('instantiating against a non-shared memory fails; against a shared one succeeds', ({ bytes }) => {
  const module = new WebAssembly.Module(bytes);
  const { min, max } = imports(bytes, sections(bytes).find((s) => s.id === SECTION.import))[0].limits;
  assert.throws(() => new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: min, maximum: max }) } }));
  const shared = new WebAssembly.Memory({ initial: min, maximum: max, shared: true });
  assert.ok(new WebAssembly.Instance(module, { env: { memory: shared } }));
});

Sections.run();

// ---

const Layout = suite('core layout invariants');

Layout.before(async (ctx) => {
  ctx.core = (await makeCore({ workers: 4 })).core;
});

Layout('Task is 128 bytes (taskAt shifts by 7), Run 64 (runAt shifts by 6), FnEntry 16 (fnAt shifts by 4)', ({ core }) => {
  assert.is(core.x.size_Task(), 128);
  assert.is(core.x.size_Run(), 64);
  assert.is(core.x.size_FnEntry(), 16);
  // and the host's pointer arithmetic agrees with the core's
  assert.is(core.taskPtr(3) - core.taskPtr(2), 128);
  assert.is(core.runPtr(1) - core.runPtr(0), 64);
  assert.is(core.fnPtr(1) - core.fnPtr(0), 16);
});

Layout('each worker slot\'s top and bottom lie on different 64-byte lines', ({ core }) => {
  for (let w = 0; w < core.nWorkers; w++) {
    const top = core.workerPtr(w) + core.L.W_top, bottom = core.workerPtr(w) + core.L.W_bottom;
    assert.is.not(top >> 6, bottom >> 6, `worker ${w}: top @${top} and bottom @${bottom} share a line`);
  }
});

Layout('worker slots are whole 64-byte lines, so no two slots share a line', ({ core }) => {
  assert.is(core.workers % 64, 0, `the slot table starts on a line (at ${core.workers})`);
  assert.is(core.L.size_WorkerSlot % 64, 0, `size_WorkerSlot() = ${core.L.size_WorkerSlot} is a multiple of 64`);
});

/**
 * Finds the Mpmc's head and tail words by behaviour, not by typing offsets: one push changes exactly one
 * word of the queue header (tail), one pop exactly one other (head). The header spans [q, q + span).
 */
function headAndTail(core, q, span) {
  const snap = () => Array.from(core.u32.subarray(q >> 2, (q + span) >> 2));
  const changed = (a, b) => a.map((v, i) => (v !== b[i] ? q + i * 4 : -1)).filter((p) => p >= 0);
  const s0 = snap();
  assert.is(core.x.mpmcPush(q, 12345), 1);
  const s1 = snap();
  assert.is(core.x.mpmcPop(q), 12345);
  const s2 = snap();
  const tail = changed(s0, s1), head = changed(s1, s2);
  assert.is(tail.length, 1, `a push changes one header word (changed: ${tail})`);
  assert.is(head.length, 1, `a pop changes one header word (changed: ${head})`);
  return { head: head[0], tail: tail[0] };
}

Layout('the injector\'s and the completion ring\'s head and tail lie on different 64-byte lines', ({ core }) => {
  const span = core.L.completions - core.L.injector; // the two Mpmc headers are adjacent
  for (const [name, q] of [['injector', core.L.injector], ['completions', core.L.completions]]) {
    const { head, tail } = headAndTail(core, q, span);
    assert.is.not(head >> 6, tail >> 6, `${name}: head @${head} and tail @${tail} share a line`);
  }
});

Layout.run();
