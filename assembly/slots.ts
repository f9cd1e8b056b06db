// Slot allocators for fixed arrays of records (task slots, subflow run slots): a Treiber stack of freed
// slots with a 32-bit ABA tag in front of a bump counter.
//
// The stack head is one u64: (tag << 32) | (slot + 1), 0 when empty. A free slot's link word holds the
// next free slot + 1. A pop that read a stale link fails its CAS because a push or pop in between
// changed the tag, so a stale link is never installed. The link word is written and read with atomics:
// a popper may read it while the slot's new owner overwrites it.

/**
 * Pops a freed slot, or returns -1. Slot i's link word is at base + (i << shift) + linkOff.
 * Any thread.
 */
export function freePop(head: usize, base: usize, shift: u32, linkOff: usize): i32 {
  while (true) {
    const h = atomic.load<u64>(head);
    const idx1 = <u32>h;
    if (idx1 == 0) return -1;
    const next1 = atomic.load<u32>(base + (<usize>(idx1 - 1) << shift) + linkOff);
    const tag = (h >> 32) + 1;
    if (atomic.cmpxchg<u64>(head, h, (tag << 32) | <u64>next1) == h) return <i32>(idx1 - 1);
  }
}

/** Pushes slot i (the caller owns it: nobody else refers to it). Any thread. */
export function freePush(head: usize, base: usize, shift: u32, linkOff: usize, i: u32): void {
  const link = base + (<usize>i << shift) + linkOff;
  while (true) {
    const h = atomic.load<u64>(head);
    atomic.store<u32>(link, <u32>h);
    const tag = (h >> 32) + 1;
    if (atomic.cmpxchg<u64>(head, h, (tag << 32) | <u64>(i + 1)) == h) return;
  }
}

/** Claims the next never-used slot below cap from the bump counter at `bump`, or returns -1. Any thread. */
export function bumpClaim(bump: usize, cap: u32): i32 {
  let t = atomic.load<u32>(bump);
  while (t < cap) {
    const seen = atomic.cmpxchg<u32>(bump, t, t + 1);
    if (seen == t) return <i32>t;
    t = seen;
  }
  return -1;
}
