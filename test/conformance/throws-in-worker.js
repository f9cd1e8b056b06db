// A task module that loads on the page but throws while a worker imports it (the browser lanes' bad input).
if (typeof WorkerGlobalScope === 'function' && globalThis instanceof WorkerGlobalScope) throw new RangeError('task module failed on purpose');
export function add(a, b) { return a + b; }
