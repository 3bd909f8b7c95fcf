import type { ModelArtifacts } from '../../io/artifacts.js';

/** Float count of version k's weights: sizes differ between neighbours, so a mix cannot pass. */
function sizeOf(k: number): number {
  return 40_000 * (1 + (k % 4)) + (k % 97);
}

/** Artifacts of version k: one float32 weight filled with k, and k in the metadata. */
export function artifactsFor(k: number): ModelArtifacts {
  const n = sizeOf(k);
  return {
    modelTopology: { class_name: 'Sequential', config: { name: `v${k}`, layers: [] } },
    userDefinedMetadata: { version: k },
    weightSpecs: [{ name: 'w', shape: [n], dtype: 'float32' }],
    weightData: new Float32Array(n).fill(k).buffer,
  };
}

/** The version that loaded `artifacts` are, or an error saying how they are not a complete one. */
export function versionOf(artifacts: ModelArtifacts): number {
  const meta = artifacts.userDefinedMetadata as { version?: unknown } | undefined;
  const k = meta?.version;
  if (typeof k !== 'number') throw new Error(`no version in metadata: ${JSON.stringify(meta)}`);
  const name = (artifacts.modelTopology as { config?: { name?: unknown } } | null)?.config?.name;
  if (name !== `v${k}`) throw new Error(`version ${k} with the topology of ${String(name)}`);
  const spec = artifacts.weightSpecs[0];
  if (artifacts.weightSpecs.length !== 1 || spec?.shape[0] !== sizeOf(k)) throw new Error(`version ${k} with weight specs ${JSON.stringify(artifacts.weightSpecs)}`);
  if (Array.isArray(artifacts.weightData)) throw new Error('expected one weight buffer');
  const values = new Float32Array(artifacts.weightData);
  if (values.length !== sizeOf(k)) throw new Error(`version ${k} with ${values.length} floats of weights`);
  const wrong = values.findIndex((v) => v !== k);
  if (wrong >= 0) throw new Error(`version ${k} with weight ${wrong} = ${values[wrong]}`);
  return k;
}
