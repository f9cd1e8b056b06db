// The task module every worker imports (by URL: the bundler emits it as an asset, as it is).
export function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
export function words(text) { return text.split(/\s+/).filter(Boolean); }
export function count(list) { return list.length; }
