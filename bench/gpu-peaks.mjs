// Known GPUs' peaks, for bench/gpu.mjs to print a measured figure as a share of the card's: FP32 TFLOP/s
// (boost clock, no tensor cores) and memory bandwidth in GB/s, from the vendors' spec sheets. The adapter
// is matched by its strings (vendor, architecture, device, description); the first pattern that matches
// wins, so specific names come before the generic ones. Browsers often name only vendor and
// architecture: then nothing matches and the bench says the peak is unknown.

/** [pattern, card, FP32 TFLOP/s, GB/s]. */
const PEAKS = [
  [/H200/i, 'NVIDIA H200 SXM', 67, 4800],
  [/H100.*PCIe/i, 'NVIDIA H100 PCIe', 51.2, 2000],
  [/H100/i, 'NVIDIA H100 SXM5', 67, 3350],
  [/A100.*80\s*GB/i, 'NVIDIA A100 80GB SXM', 19.5, 2039],
  [/A100/i, 'NVIDIA A100 40GB', 19.5, 1555],
  [/\bL4\b/i, 'NVIDIA L4', 30.3, 300],
  [/\bT4\b/i, 'NVIDIA T4', 8.1, 320],
  [/RTX\s*4090/i, 'NVIDIA GeForce RTX 4090', 82.6, 1008],
  [/RTX\s*4080/i, 'NVIDIA GeForce RTX 4080', 48.7, 717],
  [/RTX\s*3090/i, 'NVIDIA GeForce RTX 3090', 35.6, 936],
  [/RTX\s*3080/i, 'NVIDIA GeForce RTX 3080 (10 GB)', 29.8, 760],
  [/RTX\s*3060/i, 'NVIDIA GeForce RTX 3060 (12 GB)', 12.7, 360],
  [/RTX\s*2080\s*Ti/i, 'NVIDIA GeForce RTX 2080 Ti', 13.4, 616],
  [/RX\s*7900\s*XTX/i, 'AMD Radeon RX 7900 XTX', 61.4, 960],
  [/RX\s*6800\s*XT/i, 'AMD Radeon RX 6800 XT', 20.7, 512],
  [/Apple M1 Max/i, 'Apple M1 Max (32-core GPU)', 10.4, 400],
  [/Apple M1 Pro/i, 'Apple M1 Pro (16-core GPU)', 5.2, 200],
  [/Apple M1/i, 'Apple M1 (8-core GPU)', 2.6, 68.25],
  [/Apple M2/i, 'Apple M2 (10-core GPU)', 3.6, 100],
];

/** The card an adapter is, with its peaks, or undefined when it is none of the known ones. */
export function peakOf(adapter) {
  const text = [adapter.vendor, adapter.architecture, adapter.device, adapter.description].join(' ');
  const hit = PEAKS.find(([re]) => re.test(text));
  return hit && { card: hit[1], tflops: hit[2], gbs: hit[3] };
}
