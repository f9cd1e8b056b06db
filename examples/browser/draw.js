// What the browser example draws, and how: the view (shared with the test that checks the canvas,
// test/lane-examples.test.mjs) and the colours, from iteration counts to opaque RGBA pixels.

/** The image: width × height pixels in size × size tiles, at most maxIter iterations per pixel. */
export const VIEW = { width: 600, height: 400, size: 50, maxIter: 500 };

/**
 * Writes the RGBA pixels of `counts` (iterations per pixel) into `rgba`: black inside the set, a ramp
 * from deep blue to gold outside. Plain arithmetic and Math.sqrt only (both exact in every engine), so
 * the same counts give the same bytes everywhere.
 */
export function paint(counts, maxIter, rgba) {
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i], o = i * 4;
    const v = n >= maxIter ? 0 : Math.floor(Math.sqrt(n / maxIter) * 255);
    rgba[o] = v;
    rgba[o + 1] = Math.floor((v * v) / 255);
    rgba[o + 2] = n >= maxIter ? 0 : 96 + Math.floor(v / 2);
    rgba[o + 3] = 255;
  }
  return rgba;
}
