// A pipeline's source as one shape: next() gives an iterator result, synchronously for iterables and as
// a promise for async iterables; close() is the iterator's return(), for stopping early.

export type Pull = IteratorResult<unknown> | Promise<IteratorResult<unknown>>;

export interface Source {
  /** The next item. Called again only after the previous pull settled (async iterators expect that). */
  next(): Pull;
  /** Tells the iterator no more items will be asked for (its `finally` blocks run). */
  close(): Promise<void>;
}

/** Whether v can be a source: iterable or async iterable, and not a string (characters are rarely meant). */
export function isSource(v: unknown): v is Iterable<unknown> | AsyncIterable<unknown> {
  if (typeof v === 'string' || v === null || v === undefined) return false;
  const o = v as Record<symbol, unknown>;
  return typeof o[Symbol.asyncIterator] === 'function' || typeof o[Symbol.iterator] === 'function';
}

/** Opens v's iterator (its async one when it has both, as `for await` does). */
export function openSource(v: Iterable<unknown> | AsyncIterable<unknown>): Source {
  const o = v as unknown as Record<symbol, unknown>;
  if (typeof o[Symbol.asyncIterator] === 'function') {
    const it = (v as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    return {
      next: () => Promise.resolve(it.next()),
      close: async () => { if (typeof it.return === 'function') await it.return(); },
    };
  }
  const it = (v as Iterable<unknown>)[Symbol.iterator]();
  return {
    next: () => it.next(),
    close: async () => { if (typeof it.return === 'function') it.return(); },
  };
}
