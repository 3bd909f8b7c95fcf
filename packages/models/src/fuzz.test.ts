/**
 * Fuzz tests (issue 13): `fit` / `evaluate` / `predict` option objects with hostile values and
 * unknown keys on a tiny compiled Sequential, and mutated model.json artifacts loaded through
 * `fromJSON` and `loadModel(fromMemory(...))`. Every call must either succeed with a result that
 * passes a cheap property check, or throw an Error whose message starts with the function's name and
 * is none of the "unclear" kinds — and never run unbounded (a callback stops training after a cap).
 * Fixed seed; FUZZ_RUNS raises numRuns (scripts/fuzz.ts runs thousands).
 */
import { Dense, resetLayerNames } from '@descent/layers';
import { dispose, setSeed, tensor, zeros, type Tensor } from '@descent/tensor';
import { fuzzHarness, UNCLEAR_MESSAGES, type KnownDefect } from '@descent/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Callback } from './callbacks/index.js';
import type { ModelJSON } from './io/artifacts.js';
import { fromMemory } from './io/router.js';
import { fromJSON, loadModel } from './io/load.js';
import { resetSequentialNames, Sequential } from './sequential.js';

/**
 * Known open defects found by this fuzz suite (issue 13). Each is reported, not fixed here; a
 * violation matching one is counted under `known` instead of failing, so the suite stays green and
 * any *new* defect still fails. Remove an entry once its defect is fixed.
 */
// M1–M6 (callbacks / classWeight validation, `[object Object]` in messages, unprefixed layer-build
// errors from model.json) are fixed; the fuzz suite now fails on any of them.
const KNOWN_DEFECTS: readonly KnownDefect[] = [];
const EXTRA_UNCLEAR = [/Cannot set properties/, /Cannot destructure/];
const UNCLEAR = [...UNCLEAR_MESSAGES, ...EXTRA_UNCLEAR];
const fz = fuzzHarness({ suite: 'models', knownDefects: KNOWN_DEFECTS, allowInstanceName: true, extraUnclear: EXTRA_UNCLEAR });
const { opts, show } = fz;
const violation = (prop: string, what: string): void => fz.violation(prop, what);
/** Runs `fn` (awaited): an error must be clear, a result must pass `check`. */
const oracle = <T>(prop: string, names: readonly string[], fn: () => T | Promise<T>, check: (r: T) => void): Promise<void> => fz.oracleAsync(prop, names, fn, check);

const hostile = fc.oneof(
  fc.integer({ min: -2, max: 4 }),
  fc.constantFrom<unknown>(0, -1, NaN, Infinity, -Infinity, 1e9, 2.5, 0.5, 1, 2 ** 31),
  fc.constantFrom<unknown>('3', 'abc', '', null, undefined, [2], [[1]], {}, true, false, { a: 1 }),
);

const MAX_STEPS = 400;
class StepCap extends Callback {
  steps = 0;
  override onBatchEnd(): void {
    if (++this.steps >= MAX_STEPS && this.model) this.model.stopTraining = true;
  }
}

function tinyModel(): Sequential {
  resetLayerNames();
  resetSequentialNames();
  setSeed(3);
  const m = new Sequential([new Dense({ units: 2, inputShape: [3] })]);
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
}
const X = (): Tensor => tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17].map((v) => v / 10), [6, 3]);
const Y = (): Tensor => tensor([0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0], [6, 2]);
const finiteNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

const FIT_KEYS = ['epochs', 'batchSize', 'verbose', 'validationSplit', 'shuffle', 'initialEpoch', 'validationFreq', 'validationBatchSize', 'classWeight', 'sampleWeight', 'validationData', 'callbacks'];
const TYPO_KEYS = ['epoch', 'batch_size', 'batchsize', 'validationSplt', '__proto__', 'constructor', 'toString'];
const fitOpts = fc.dictionary(fc.constantFrom(...FIT_KEYS, ...TYPO_KEYS), hostile, { maxKeys: 3 })
  .map((o) => (o.verbose === undefined || typeof o.verbose === 'number' ? { ...o, verbose: o.verbose === 1 || o.verbose === 2 ? 0 : o.verbose ?? 0 } : o));
const evalOpts = fc.dictionary(fc.constantFrom('batchSize', 'sampleWeight', 'callbacks', 'batchSize', 'batch_size', 'verbose', '__proto__'), hostile, { maxKeys: 2 });
const predictOpts = fc.dictionary(fc.constantFrom('batchSize', 'callbacks', 'batchSize', 'batchsize', 'steps', '__proto__'), hostile, { maxKeys: 2 });

describe('fuzz: fit / evaluate / predict options', () => {
  it('hostile option objects are used or refused clearly, and training stays bounded', async () => {
    await fc.assert(fc.asyncProperty(fitOpts, evalOpts, predictOpts, async (fo, eo, po) => {
      fz.current = [fo, eo, po];
      const m = tinyModel();
      const x = X();
      const y = Y();
      const cap = new StepCap();
      const fitOptions = { ...fo, callbacks: Array.isArray(fo.callbacks) || fo.callbacks === undefined ? [...((fo.callbacks as []) ?? []), cap] : fo.callbacks };
      await oracle('fit', ['fit'], () => m.fit(x, y, fitOptions as never), (h) => {
        // A huge but valid integer `epochs` legitimately trains until stopped; anything else must stay bounded.
        const e = fo.epochs;
        if (!(typeof e === 'number' && Number.isInteger(e) && e > 50)) expect(cap.steps < MAX_STEPS, `fit ran ${cap.steps} steps (unbounded)`).toBe(true);
        const losses = (h as { history: Record<string, unknown[]> }).history.loss ?? [];
        expect(losses.every(finiteNumber), `non-finite loss ${String(losses)}`).toBe(true);
      });
      await oracle('evaluate', ['evaluate'], () => m.evaluate(x, y, eo as never), (logs) => {
        const v = Object.values(logs as Record<string, unknown>);
        expect(v.length > 0 && v.every(finiteNumber), `evaluate logs ${show(logs)}`).toBe(true);
      });
      await oracle('predict', ['predict'], () => m.predict(x, po as never), (r) => {
        expect([...r.shape]).toEqual([6, 2]);
        expect(r.dataSync().every((v) => Number.isFinite(v))).toBe(true);
        dispose(r);
      });
      dispose([x, y]);
    }), opts);
  });
});

/** A saved Dense(4) on 3 inputs (as in io/load-validation.test.ts): model.json deep-copied, and its weights. */
function saved(): { json: ModelJSON; data: ArrayBuffer } {
  resetLayerNames();
  resetSequentialNames();
  setSeed(3);
  const m = new Sequential([new Dense({ units: 4, inputShape: [3], activation: 'relu' }), new Dense({ units: 2 })]);
  const { modelJSON, weightData } = m.toJSON();
  return { json: JSON.parse(JSON.stringify(modelJSON)) as ModelJSON, data: weightData };
}
const BASE = saved();

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((c, i) => paths(c, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, c] of Object.entries(v)) paths(c, [...at, k], out);
  return out;
}
const ALL_PATHS = paths(BASE.json as unknown as Json).filter((p) => p.length > 0);

const deep = (n: number): unknown => { let v: unknown = 1; for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v }; return v; };
const mutationValue = fc.oneof(
  hostile,
  fc.constantFrom<unknown>('Dense', 'Sequential', 'float64', 'int32', 'string', 'Conv2D', 'NoSuchLayer', '__proto__', 'constructor', 'toString',
    [3, 1e9], [1e9, 1e9], [-3, 4], [3, 4, 5], [], '../../etc/passwd', 'weights.bin', 1e300),
  fc.constantFrom('DEEP'),
  fc.constantFrom('DELETE'),
  fc.constantFrom('PROTO'),
);
const mutation = fc.tuple(fc.nat({ max: ALL_PATHS.length - 1 }), mutationValue);

function mutate(json: unknown, [pi, value]: [number, unknown]): unknown {
  const path = ALL_PATHS[pi]!;
  let parent = json as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  if (value === 'DELETE') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (value === 'DEEP') parent[key] = deep(20000);
  else if (value === 'PROTO') parent[key] = JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"class_name":"Dense"}');
  else parent[key] = value;
  return json;
}
const weightCut = fc.oneof(fc.constant(-1), fc.constant(-1), fc.constant(-1), fc.nat({ max: 60 }));

describe('fuzz: model.json mutations', () => {
  it('mutated artifacts load, or fail fast and clearly through fromJSON and loadModel', async () => {
    await fc.assert(fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), weightCut, async (muts, cut) => {
      const json = JSON.parse(JSON.stringify(BASE.json)) as ModelJSON;
      // Paths shift once a mutation replaces a subtree; later ones that no longer resolve are skipped.
      const applied: unknown[] = [];
      for (const m of muts) {
        try { mutate(json, m); applied.push([ALL_PATHS[m[0]]!.join('.'), m[1]]); } catch { /* path gone */ }
      }
      const data = cut < 0 ? BASE.data : BASE.data.slice(0, cut);
      fz.current = [applied, cut];
      const x = zeros([2, 3]);
      const checkModel = (m: Sequential): void => {
        expect(m).toBeInstanceOf(Sequential);
        expect(({} as Record<string, unknown>).polluted, 'Object.prototype was polluted').toBeUndefined();
        let r: Tensor;
        try {
          r = m.predict(x);
        } catch (e) {
          // A loaded model may legitimately refuse this input (e.g. a fixed batch size in batch_input_shape).
          const msg = (e as Error).message;
          expect(e instanceof Error && /^[A-Za-z]\w*( '[^']*')?: /.test(msg) && !UNCLEAR.some((re) => re.test(msg)), `predict on the loaded model: ${msg}`).toBe(true);
          return;
        }
        expect(r.shape[0]).toBe(2);
        expect(r.dataSync().every((v) => Number.isFinite(v)), 'non-finite prediction').toBe(true);
        dispose(r);
      };
      const t0 = performance.now();
      await oracle('fromJSON', ['fromJSON'], () => fromJSON<Sequential>(json, data), checkModel);
      const manifest = (json as { weightsManifest?: { weights?: unknown }[] }).weightsManifest;
      const weightSpecs = Array.isArray(manifest) && manifest[0] && typeof manifest[0] === 'object' ? manifest[0].weights : undefined;
      await oracle('loadModel', ['loadModel'], () => loadModel<Sequential>(fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData: data } as never)), checkModel);
      const ms = performance.now() - t0;
      if (ms > 2000) violation('loadModel', `slow: ${Math.round(ms)} ms`);
      dispose(x);
    }), opts);
  });

  it('summary', () => {
    fz.summary();
  });
});
