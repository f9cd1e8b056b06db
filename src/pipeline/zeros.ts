// -0 across a batch. A stage call's input or output that is a number, or a tuple of two or three numbers,
// crosses threads in the task record's words, exactly; a batch task sends its tokens' inputs and outputs
// as arrays through the codec, whose msgpack encoding writes -0 as the integer 0. So the sender marks
// where such a -0 is and the receiver puts it back, and a batch's values are the ones tokens of their
// own get. Deeper inside a value, -0 is 0 on both paths (the codec's rule for any encoded value).

/** A small number tuple (2 numbers, or 3 when `longest` is 3): what fits a task record's words. */
function isTuple(v: unknown, longest: number): v is number[] {
  return Array.isArray(v) && v.length >= 2 && v.length <= longest && v.every((x) => typeof x === 'number');
}

/**
 * Marks of values[]'s -0s: 4·i for values[i] itself, 4·i + 1 + j for element j of its tuple; undefined
 * when there is none (the usual case: one typeof per value). `longest`: the longest tuple that keeps
 * its words on a token's own path: 3 for an input (an argument with the record's words free), 2 for an
 * output (a result has two words).
 */
export function negativeZeros(values: readonly unknown[], longest: number): number[] | undefined {
  let marks: number[] | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number') { if (v === 0 && 1 / v < 0) (marks ??= []).push(4 * i); continue; }
    if (!isTuple(v, longest)) continue;
    for (let j = 0; j < v.length; j++) if (v[j] === 0 && 1 / v[j] < 0) (marks ??= []).push(4 * i + 1 + j);
  }
  return marks;
}

/** Puts the -0s `marks` name back into values (decoded: each tuple is a fresh array of its own). */
export function restoreZeros(values: unknown[], marks: readonly number[]): void {
  for (const m of marks) {
    const i = m >> 2, j = (m & 3) - 1;
    if (j < 0) values[i] = -0;
    else (values[i] as number[])[j] = -0;
  }
}
