// Device limits: what to ask for, as a pure function of what the adapter offers. A device gets the
// *default* limits unless requiredLimits says otherwise, and the compatibility defaults are small
// (128 invocations per workgroup, 8 storage buffers, 256 MiB buffers, while llvmpipe offers 1024, 16
// and 2 GiB), so every limit a compute kernel runs into is asked for at the adapter's value.

/** The limits compute work depends on, asked for at the adapter's maximum. */
export const COMPUTE_LIMITS = Object.freeze([
  'maxStorageBufferBindingSize', 'maxBufferSize', 'maxUniformBufferBindingSize',
  'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupSizeZ',
  'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupsPerDimension', 'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage', 'maxUniformBuffersPerShaderStage', 'maxBindGroups', 'maxBindingsPerBindGroup',
] as const);

export type ComputeLimit = (typeof COMPUTE_LIMITS)[number];
export type ComputeLimits = Readonly<Record<ComputeLimit, number>>;

/**
 * requiredLimits for requestDevice: each compute limit the adapter reports, at its value (limits are read
 * through the prototype's getters, so the object is indexed, not spread). Limits it does not report are
 * left to the device's default.
 */
export function negotiateLimits(adapter: object): Record<string, number> {
  const out: Record<string, number> = {};
  const read = adapter as Record<string, unknown>;
  for (const k of COMPUTE_LIMITS) {
    const v = read[k];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) out[k] = v;
  }
  return out;
}

/** The compute limits a device ended up with, as plain frozen data (executor.gpu.limits). */
export function computeLimits(device: object): ComputeLimits {
  const read = device as Record<string, unknown>;
  const out = {} as Record<ComputeLimit, number>;
  for (const k of COMPUTE_LIMITS) out[k] = typeof read[k] === 'number' ? read[k] as number : 0;
  return Object.freeze(out);
}
