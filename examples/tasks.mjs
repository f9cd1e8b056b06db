// The task module for examples/quickstart.mjs: every worker imports it.
export function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
export function words(text) { return text.split(/\s+/).filter(Boolean); }
export function count(list) { return list.length; }
