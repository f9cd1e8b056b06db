// Which Dawn backends to try, best first, per operating system: a pure policy. Native APIs give the
// 'core' feature level; OpenGL ES gives only 'compatibility' (Dawn on GLES has no core adapter) but is
// what a machine without a GPU has through Mesa (llvmpipe), so it comes last everywhere it exists.

export type FeatureLevel = 'core' | 'compatibility';

/** One thing to ask for: a Dawn backend (its `backend=` flag) at a feature level. */
export interface BackendAttempt { readonly backend: string; readonly featureLevel: FeatureLevel }

const attempt = (backend: string, featureLevel: FeatureLevel): BackendAttempt => Object.freeze({ backend, featureLevel });

/** Dawn's backends for `os` (process.platform), in the order to try them. */
export function backendAttempts(os: string): readonly BackendAttempt[] {
  switch (os) {
    case 'darwin': return [attempt('metal', 'core')];
    case 'win32': return [attempt('d3d12', 'core'), attempt('vulkan', 'core'), attempt('d3d11', 'compatibility')];
    case 'linux': case 'android': case 'freebsd':
      return [attempt('vulkan', 'core'), attempt('opengles', 'compatibility')];
    default: return [attempt('vulkan', 'core'), attempt('opengles', 'compatibility')];
  }
}

/** "vulkan (core)". */
export const attemptName = (a: BackendAttempt): string => `${a.backend} (${a.featureLevel})`;
