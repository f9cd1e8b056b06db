// The shared heap: blocks for encoded values, successor lists, function sources and user typed arrays.
// One allocator for every thread, so it takes a spinlock (heapLock): AssemblyScript's own allocators
// keep their state in per-instance globals and are not thread-safe (notes/assemblyscript-threads.md §3),
// and this is not a hot path (numbers travel inline in task records). The critical section is a few
// dozen instructions and calls nothing that can block.
//
// Blocks come in power-of-two size classes (32 B .. 2 GiB) with a free list per class; fresh blocks are
// bumped from heapTop, and the memory grows (from whichever thread needs it) when heapTop passes its end.
// Block layout: [class u32][state u32][next u32][pad u32] then the payload, 16-byte aligned.
// heapTop, the free-list heads and block headers are plain words guarded by the lock; the lock's
// release (an atomic store) publishes them to the next holder.
import { HEADER, Header, HEAP_CLASSES } from "./layout";

const LOCK = HEADER + offsetof<Header>("heapLock");
const BLOCK_HEADER: u32 = 16;
const LIVE: u32 = 0x4c495645;   // 'LIVE'
const FREED: u32 = 0x46524545;  // 'FREE'
const MIN_CLASS: u32 = 5;       // 32-byte blocks: 16 of header, 16 of payload
const MAX_CLASS: u32 = 31;

function lock(): void {
  while (atomic.cmpxchg<i32>(LOCK, 0, 1) != 0) {
    while (atomic.load<i32>(LOCK) != 0) { /* spin on a load, not on the CAS */ }
  }
}
// @ts-ignore: decorator
@inline function unlock(): void { atomic.store<i32>(LOCK, 0); }

/** Any thread. Returns a 16-byte aligned payload of at least n bytes, or 0 when memory cannot grow. */
export function heapAlloc(n: u32): usize {
  const need = <u64>n + BLOCK_HEADER;
  let k: u32 = 64 - <u32>clz<u64>(need - 1);
  if (k < MIN_CLASS) k = MIN_CLASS;
  if (k > MAX_CLASS) return 0;
  const size = <u64>1 << k;
  const h = changetype<Header>(HEADER);
  const headp = HEAP_CLASSES + (<usize>k << 2);
  lock();
  let block = <usize>load<u32>(headp);
  if (block != 0) {
    store<u32>(headp, load<u32>(block, 8));
  } else {
    const top = <u64>h.heapTop;
    const end = top + size;
    const have = <u64>memory.size() << 16;
    if (end > have) {
      const pages = <i32>((end - have + 0xffff) >> 16);
      if (end > 0xffff0000 || memory.grow(pages) < 0) {
        h.heapFailures++;
        unlock();
        return 0;
      }
    }
    block = <usize>top;
    h.heapTop = <u32>end;
  }
  store<u32>(block, k);
  store<u32>(block, LIVE, 4);
  h.heapBytes += <u32>size;
  unlock();
  return block + BLOCK_HEADER;
}

/**
 * Any thread. Frees a payload from heapAlloc. Returns false (and does nothing) for a pointer that is not
 * a live block. The range and alignment checks come before the lock: a load past the memory's end traps,
 * and a trap while holding the lock would leave every other thread spinning on it.
 */
export function heapFree(p: usize): bool {
  const h = changetype<Header>(HEADER);
  // heapTop only grows, and whoever hands us p saw the allocation (and so this heapTop) first.
  if ((p & 15) != 0 || p < <usize>h.heapBase + BLOCK_HEADER || p >= <usize>atomic.load<u32>(HEADER + offsetof<Header>("heapTop"))) return false;
  const block = p - BLOCK_HEADER;
  lock();
  if (load<u32>(block, 4) != LIVE) { unlock(); return false; }
  const k = load<u32>(block);
  const headp = HEAP_CLASSES + (<usize>k << 2);
  store<u32>(block, FREED, 4);
  store<u32>(block, load<u32>(headp), 8);
  store<u32>(headp, <u32>block);
  h.heapBytes -= <u32>(<u64>1 << k);
  unlock();
  return true;
}

/** Usable payload bytes of a live block (its class size minus the header). */
export function heapUsable(p: usize): u32 {
  return <u32>((<u64>1 << load<u32>(p - BLOCK_HEADER)) - BLOCK_HEADER);
}
