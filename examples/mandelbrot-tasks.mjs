// Task module for examples/mandelbrot.mjs: every worker imports it, and the host passes these
// functions by identity (executor.async(tile, …) or tf.emplace(tile)).

/** Escape-time iterations for each pixel of one tile, written into the shared image (row-major). */
export function tile(image, width, height, x0, y0, size, maxIter) {
  const x1 = Math.min(x0 + size, width), y1 = Math.min(y0 + size, height);
  let total = 0;
  for (let py = y0; py < y1; py++) {
    const ci = (py / height) * 2.4 - 1.2;
    for (let px = x0; px < x1; px++) {
      const cr = (px / width) * 3.5 - 2.5;
      let zr = 0, zi = 0, n = 0;
      while (n < maxIter && zr * zr + zi * zi <= 4) {
        const t = zr * zr - zi * zi + cr;
        zi = 2 * zr * zi + ci;
        zr = t;
        n++;
      }
      image[py * width + px] = n;
      total += n;
    }
  }
  return total;
}

/** Sums the tiles' iteration counts (a fan-in task: it receives every tile's result as an argument). */
export function sum(...totals) {
  return totals.reduce((a, b) => a + b, 0);
}
