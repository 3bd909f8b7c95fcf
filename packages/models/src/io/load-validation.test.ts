import { Dense, resetLayerNames } from '@descent/layers';
import { setSeed } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetSequentialNames, Sequential } from '../sequential.js';
import type { ModelJSON } from './artifacts.js';
import { validateModelJSON } from './artifacts.js';
import { fromPythonic, MAX_CONFIG_DEPTH } from './case.js';
import { fromMemory } from './router.js';
import { fromJSON, loadModel } from './load.js';

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
  setSeed(3);
});

/** A saved Dense(4) on 3 inputs: model.json as a plain (deep-copied) object and its weights. */
function saved(): { json: ModelJSON; data: ArrayBuffer } {
  const m = new Sequential([new Dense({ units: 4, inputShape: [3] })]);
  const { modelJSON, weightData } = m.toJSON();
  return { json: JSON.parse(JSON.stringify(modelJSON)) as ModelJSON, data: weightData };
}

type Layers = { class_name: string; config: Record<string, unknown> }[];
function layersOf(json: ModelJSON): Layers {
  return (json.modelTopology as unknown as { config: { layers: Layers } }).config.layers;
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('model.json is checked against its weights before anything is built', () => {
  it('a config whose weights are far larger than the manifest fails in milliseconds, naming the layer and weight', () => {
    const { json, data } = saved();
    layersOf(json)[0]!.config.units = 2e7; // a 3×2e7 kernel: 240 MB initialised before the shapes were compared
    const t0 = performance.now();
    const err = thrown(() => fromJSON(json, data));
    expect(performance.now() - t0).toBeLessThan(500);
    expect(err.message).toMatch(/^fromJSON: weight 'dense\/kernel' has shape \[3,4\] in the weight file, but layer 'dense' \(Dense\) expects \[3,20000000\] from its config/);
  });

  it('units: 1e9 fails before initialising (not with an out-of-memory error)', async () => {
    const { json, data } = saved();
    layersOf(json)[0]!.config.units = 1e9;
    const t0 = performance.now();
    await expect(loadModel(fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData: data }))).rejects.toThrow(
      /^loadModel: weight 'dense\/kernel' has shape \[3,4\] in the weight file, but layer 'dense' \(Dense\) expects \[3,1000000000\] from its config; nothing was built/,
    );
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('a layer weight the manifest does not have is refused before it is initialised when it is larger than any saved weight', () => {
    const { json, data } = saved();
    layersOf(json)[0]!.config.name = 'other';
    layersOf(json)[0]!.config.units = 1e9;
    const t0 = performance.now();
    expect(() => fromJSON(json, data)).toThrow(
      /^fromJSON: layer 'other' \(Dense\) would create weight 'other\/kernel' \[3,1000000000\] \(3000000000 values\) from its config, but the largest weight in the weights manifest has 12 values/,
    );
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('a manifest describing more bytes than the weight data fails before the layers are built', () => {
    const { json, data } = saved();
    // Consistent config and manifest, but 64 bytes of data: before, the 240 MB kernel was initialised first.
    layersOf(json)[0]!.config.units = 2e7;
    json.weightsManifest[0]!.weights[0]!.shape = [3, 2e7];
    json.weightsManifest[0]!.weights[1]!.shape = [2e7];
    const t0 = performance.now();
    expect(() => fromJSON(json, data)).toThrow(/^fromJSON: weight data is truncated: it holds 64 bytes but the manifest needs 320000000; weight 'dense\/kernel' \[3,20000000\] float32 needs bytes 0\.\.240000000/);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('a manifest entry too large for any buffer is refused by its shape', () => {
    const { json, data } = saved();
    json.weightsManifest[0]!.weights[0]!.shape = [3, 1e9];
    expect(() => fromJSON(json, data)).toThrow(
      /^fromJSON: weightsManifest\[0\]\.weights\[0\]: weight 'dense\/kernel' has shape \[3,1000000000\] \(12000000000 bytes\) in the weights manifest; expected at most 4294967296 bytes per weight/,
    );
  });
});

describe('manifest entries and groups are validated with messages naming the weight or group', () => {
  it.each([
    [[-1, 4], /\[-1,4\]/],
    [[1.5, 4], /\[1\.5,4\]/],
    [['3', 4], /\["3",4\]/],
    [null, /null/],
  ])('shape %j names the weight and the bad shape', (shape, given) => {
    const { json, data } = saved();
    (json.weightsManifest[0]!.weights[0] as { shape: unknown }).shape = shape;
    const err = thrown(() => fromJSON(json, data));
    expect(err.message).toMatch(/^fromJSON: weightsManifest\[0\]\.weights\[0\]: weight 'dense\/kernel' has shape /);
    expect(err.message).toMatch(given);
    expect(err.message).toMatch(/expected a list of non-negative integers/);
    // The file loader validates with its own path and op before reading any weight file.
    expect(() => validateModelJSON(json, '/m/model.json', 'loadModel')).toThrow(/^loadModel: \/m\/model\.json: weightsManifest\[0\]\.weights\[0\]: weight 'dense\/kernel' has shape /);
  });

  it('paths: [123] names the group and the bad path instead of failing inside the file system', () => {
    const { json } = saved();
    (json.weightsManifest[0] as { paths: unknown[] }).paths = [123];
    expect(() => validateModelJSON(json, '/m/model.json', 'loadModel')).toThrow(
      /^loadModel: \/m\/model\.json: weightsManifest\[0\]\.paths\[0\] must be a non-empty weight file name such as 'weights\.bin', got 123$/,
    );
    expect(() => validateModelJSON(json, '/m/model.json')).toThrow(/^\/m\/model\.json: weightsManifest\[0\]\.paths\[0\] must be/);
  });

  it("paths: [] with weights says no weight file is listed (not 'weight file  holds 0 bytes')", () => {
    const { json, data } = saved();
    json.weightsManifest[0]!.paths = [];
    expect(() => validateModelJSON(json, '/m/model.json', 'loadModel')).toThrow(
      /^loadModel: \/m\/model\.json: weightsManifest\[0\] describes 64 bytes of weights \(dense\/kernel, dense\/bias\) but lists no weight files: 'paths' is \[\], expected e\.g\. \["weights\.bin"\]$/,
    );
    expect(() => fromJSON(json, data)).toThrow(/^fromJSON: weightsManifest\[0\] describes 64 bytes/);
  });

  it('a group or entry of the wrong type is named', () => {
    const { json } = saved();
    (json as { weightsManifest: unknown[] }).weightsManifest = [null];
    expect(() => validateModelJSON(json, 'f', 'loadModel')).toThrow(/^loadModel: f: weightsManifest\[0\] must be a \{ paths, weights \} object, got null$/);
    (json as { weightsManifest: unknown[] }).weightsManifest = [{ paths: ['w.bin'], weights: [7] }];
    expect(() => validateModelJSON(json, 'f', 'loadModel')).toThrow(/^loadModel: f: weightsManifest\[0\]\.weights\[0\]: expected a weights manifest entry \{ name, shape, dtype \}, got 7$/);
  });
});

describe('dtypes', () => {
  it('a manifest saying int32 for a float32 kernel is refused, naming the weight and both dtypes (TF.js refuses it too)', () => {
    const { json, data } = saved();
    json.weightsManifest[0]!.weights[0]!.dtype = 'int32';
    expect(() => fromJSON(json, data)).toThrow(
      /^fromJSON: weight 'dense\/kernel' is int32 in the weights manifest, but layer 'dense' \(Dense\) expects float32; the manifest's dtype does not match the layer/,
    );
  });

  it('the same through model.loadWeights', async () => {
    const { json, data } = saved();
    json.weightsManifest[0]!.weights[1]!.dtype = 'int32';
    resetLayerNames();
    const m = new Sequential([new Dense({ units: 4, inputShape: [3] })]);
    await expect(m.loadWeights(fromMemory({ modelTopology: null, weightSpecs: json.weightsManifest[0]!.weights, weightData: data }))).rejects.toThrow(
      /^loadWeights: weight 'dense\/bias' is int32 in the weights manifest, but layer 'dense' \(Dense\) expects float32/,
    );
  });
});

describe('hostile keys', () => {
  const cases: [string, (text: string) => string][] = [
    ['__proto__ in a layer config', (t) => t.replace('"units":4', '"units":4,"__proto__":{"polluted":true}')],
    ['constructor/prototype in a layer config', (t) => t.replace('"units":4', '"units":4,"constructor":{"prototype":{"polluted":true}},"prototype":{"polluted":true}')],
    ['__proto__ as the class name', (t) => t.replace('"class_name":"Dense"', '"class_name":"__proto__"')],
    ['constructor as the class name', (t) => t.replace('"class_name":"Dense"', '"class_name":"constructor"')],
    ['__proto__ in the topology', (t) => t.replace('"class_name":"Sequential"', '"__proto__":{"polluted":true},"class_name":"Sequential"')],
    ['__proto__ as a weight name', (t) => t.replace('"name":"dense/kernel"', '"name":"__proto__"')],
    ['constructor as a weight name', (t) => t.replace('"name":"dense/bias"', '"name":"constructor"')],
    ['__proto__ in an initializer config', (t) => t.replace('"seed":null', '"seed":null,"__proto__":{"polluted":true}')],
  ];

  it.each(cases)('%s: nothing is polluted and the error names the problem', (_label, edit) => {
    const { json, data } = saved();
    const text = JSON.stringify(json);
    const hostile = edit(text);
    expect(hostile).not.toBe(text);
    let err: unknown;
    try {
      fromJSON(hostile, data);
    } catch (e) {
      err = e;
    }
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect((Object.prototype as { polluted?: unknown }).polluted).toBeUndefined();
    // Either it is refused with a message from the loader (not a TypeError from deep inside), or
    // the extra key was ignored and the model loaded.
    if (err !== undefined) {
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(TypeError);
      expect((err as Error).message).toMatch(/^fromJSON: /);
    }
  });

  it('a __proto__ config key is refused by name', () => {
    const { json, data } = saved();
    const text = JSON.stringify(json).replace('"units":4', '"units":4,"__proto__":{"units":1e9}');
    expect(() => fromJSON(text, data)).toThrow(/^fromJSON: layer 0 \(class 'Dense'\): config key '__proto__' \(in 'config'\) is not a layer option/);
  });
});

describe('deeply nested configs', () => {
  function nested(depth: number): string {
    return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  }

  it('a 20k-deep layer config is refused with the bound, not a stack overflow', () => {
    const { json, data } = saved();
    const text = JSON.stringify(json).replace('"units":4', `"units":4,"deep":${nested(20000)}`);
    const err = thrown(() => fromJSON(text, data));
    expect(err).not.toBeInstanceOf(RangeError);
    expect(err.message).toMatch(new RegExp(`^fromJSON: modelTopology nests deeper than ${MAX_CONFIG_DEPTH} levels`));
  });

  it('a 20k-deep topology given as artifacts (no validateModelJSON) is refused too', async () => {
    const { json, data } = saved();
    layersOf(json)[0]!.config.deep = JSON.parse(nested(20000)) as unknown;
    await expect(loadModel(fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData: data }))).rejects.toThrow(
      new RegExp(`^loadModel: modelTopology nests deeper than ${MAX_CONFIG_DEPTH} levels`),
    );
  });

  it('case conversion bounds its depth', () => {
    const err = thrown(() => fromPythonic(JSON.parse(nested(20000))));
    expect(err).not.toBeInstanceOf(RangeError);
    expect(err.message).toMatch(/nests deeper than 100 levels/);
    expect(fromPythonic(JSON.parse(nested(50)))).toBeTruthy();
  });
});

describe('Sequential.fromConfig', () => {
  it('a 20k-deep config is refused with the bound, not a stack overflow', () => {
    // Wrapper layers deserialize the layer they wrap, so nesting them recursed once per level.
    let layer: unknown = { className: 'Dense', config: { units: 2 } };
    for (let i = 0; i < 20000; i++) layer = { className: 'TimeDistributed', config: { layer } };
    const err = thrown(() => Sequential.fromConfig({ layers: [layer as { className: string; config: Record<string, unknown> }] }));
    expect(err).not.toBeInstanceOf(RangeError);
    expect(err.message).toMatch(new RegExp(`^Sequential\\.fromConfig: config nests deeper than ${MAX_CONFIG_DEPTH} levels`));
  });
});

describe('weight data types', () => {
  it('takes the weights as a typed array or Node Buffer (e.g. readFileSync), even a view into a larger buffer', () => {
    const { json, data } = saved();
    const big = new Uint8Array(data.byteLength + 8);
    big.set(new Uint8Array(data), 4);
    const view = big.subarray(4, 4 + data.byteLength);
    const a = fromJSON(json, data);
    for (const given of [view, Buffer.from(view)]) {
      const b = fromJSON(json, given as unknown as ArrayBuffer);
      expect(Array.from(b.layers[0]!.getWeights()[0]!.dataSync())).toEqual(Array.from(a.layers[0]!.getWeights()[0]!.dataSync()));
    }
  });

  it('refuses other weight data by name instead of failing inside DataView', () => {
    const { json } = saved();
    expect(() => fromJSON(json, 'weights.bin' as unknown as ArrayBuffer)).toThrow(/^fromJSON: expected the weight data as an ArrayBuffer \(or a typed array \/ Buffer, or a list of them\), got string$/);
    expect(() => fromJSON(json, [1, 2] as unknown as ArrayBuffer[])).toThrow(/^fromJSON: shard 0: expected the weight data as an ArrayBuffer .*got number$/);
  });
});

describe('errors while building layers from a loaded config name the loader and the layer', () => {
  it.each([
    ['batch_input_shape [null]', (c: Record<string, unknown>) => { c.batch_input_shape = [null]; }, /expected input of rank/],
    ['batch_input_shape [null, null]', (c: Record<string, unknown>) => { c.batch_input_shape = [null, null]; }, /dimension 1 of input shape/],
    ["dtype 'int32'", (c: Record<string, unknown>) => { c.dtype = 'int32'; }, /only float32 weights/],
  ])('%s', async (_label, mutate, detail) => {
    const { json, data } = saved();
    mutate(layersOf(json)[0]!.config);
    const err = thrown(() => fromJSON(json, data));
    expect(err.message).toMatch(/^fromJSON: layer 0 'dense' \(class 'Dense'\): /);
    expect(err.message).toMatch(detail);
    const loaded = loadModel(fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData: data }));
    // loadModel checks each weight against the manifest first: a dtype change is caught there (also prefixed).
    await expect(loaded).rejects.toThrow(detail.source.includes('float32') ? /^loadModel: / : /^loadModel: .*layer 0 'dense' \(class 'Dense'\): /);
  });

  it('objects in the manifest and format print readably, not as [object Object]', () => {
    const { json, data } = saved();
    (json.weightsManifest[0]!.weights[0] as unknown as { dtype: unknown }).dtype = { a: 1 };
    expect(thrown(() => fromJSON(json, data)).message).toContain('has dtype {"a":1} in the weights manifest');
    const fmt = saved();
    (fmt.json as unknown as { format: unknown }).format = { a: 1 };
    expect(thrown(() => fromJSON(fmt.json, fmt.data)).message).toContain('format {"a":1} is not supported');
  });
});
