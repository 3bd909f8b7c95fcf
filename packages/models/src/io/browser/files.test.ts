// browserFiles (load from File objects) and downloads:// (save as two browser downloads), in Node
// with its own File and Blob URLs and a stand-in `document` whose anchors record their clicks.
import { Dense, resetLayerNames } from '@descent/layers';
import { randomNormal, setSeed, tensor } from '@descent/tensor';
import { resolveObjectURL } from 'node:buffer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetSequentialNames, Sequential } from '../../sequential.js';
import { smallTrainedModel } from '../../test-utils/trained.js';
import { loadModel } from '../load.js';
import { browserDownloads, browserFiles } from './index.js';

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
  setSeed(19);
});

function trainedModel(): Promise<Sequential> {
  return smallTrainedModel('elu', 'rmsprop', [], 1);
}

function modelFiles(m: Sequential, weightsName = 'weights.bin'): { json: File; weights: File } {
  const { modelJSON, weightData } = m.toJSON();
  modelJSON.weightsManifest[0]!.paths = [`./${weightsName}`];
  return { json: new File([JSON.stringify(modelJSON)], 'model.json', { type: 'application/json' }), weights: new File([new Uint8Array(weightData)], weightsName) };
}

describe('browserFiles', () => {
  it('loads model.json and its weight file with identical predictions', async () => {
    const m = await trainedModel();
    const { json, weights } = modelFiles(m);
    const again = await loadModel<Sequential>(browserFiles([json, weights]));
    const x = randomNormal([3, 3]);
    expect(Array.from(again.predict(x).dataSync())).toEqual(Array.from(m.predict(x).dataSync()));
  });

  it('matches shards by file name in any order', async () => {
    const m = await trainedModel();
    const { modelJSON, weightData } = m.toJSON();
    modelJSON.weightsManifest[0]!.paths = ['group1-shard1of2.bin', 'sub/group1-shard2of2.bin'];
    const bytes = new Uint8Array(weightData);
    const files = [
      new File([JSON.stringify(modelJSON)], 'my-model.json'),
      new File([bytes.slice(40)], 'group1-shard2of2.bin'),
      new File([bytes.slice(0, 40)], 'group1-shard1of2.bin'),
    ];
    const x = tensor([[0.1, -0.2, 0.3]]);
    expect(Array.from((await loadModel<Sequential>(browserFiles(files))).predict(x).dataSync())).toEqual(Array.from(m.predict(x).dataSync()));
  });

  it('says which file is missing, extra, the wrong size or not JSON', async () => {
    const m = await trainedModel();
    const { json, weights } = modelFiles(m);
    await expect(loadModel(browserFiles([json]))).rejects.toThrow("loadModel: browserFiles: 'model.json' lists weight file 'weights.bin', which is not among the files (only the model.json was given); select it too");
    await expect(loadModel(browserFiles([json, weights, new File(['x'], 'notes.txt')]))).rejects.toThrow(
      "loadModel: browserFiles: 'notes.txt' is not listed in the weights manifest of 'model.json' (it lists 'weights.bin')",
    );
    await expect(loadModel(browserFiles([json, new File([new Uint8Array(10)], 'weights.bin')]))).rejects.toThrow(
      "loadModel: browserFiles: 'weights.bin' (10 bytes) holds 10 bytes, but 'model.json' describes 104 bytes (dense/kernel, dense/bias, dense_1/kernel, dense_1/bias): the file is truncated",
    );
    await expect(loadModel(browserFiles([weights, json]))).rejects.toThrow("loadModel: browserFiles: 'weights.bin' (the first file) is not valid JSON (");
    expect(() => browserFiles([])).toThrow('browserFiles: expected at least one File (the model.json, then its weight files), got an empty list');
    expect(() => browserFiles([json, 'weights.bin' as never])).toThrow('browserFiles: item 1 is not a File');
  });
});

interface Click {
  download: string;
  href: string;
}

describe('downloads://', () => {
  const g = globalThis as { document?: unknown };
  let clicks: Click[];

  beforeEach(() => {
    clicks = [];
    g.document = {
      createElement(tag: string) {
        expect(tag).toBe('a');
        const anchor = {
          download: '',
          href: '',
          click() {
            clicks.push({ download: anchor.download, href: anchor.href });
          },
        };
        return anchor;
      },
    };
  });

  afterEach(() => {
    delete g.document;
  });

  async function downloaded(href: string, name: string): Promise<File> {
    const blob = resolveObjectURL(href);
    expect(blob, `${href} should still be a live Blob URL`).toBeDefined();
    return new File([new Uint8Array(await blob!.arrayBuffer())], name, { type: blob!.type });
  }

  it('downloads name.json and name.weights.bin, which load back with identical predictions', async () => {
    const m = await trainedModel();
    const result = await m.save('downloads://my-model');
    expect(result).toMatchObject({ location: 'downloads://my-model', weightDataBytes: 104 });
    expect(clicks.map((c) => c.download)).toEqual(['my-model.json', 'my-model.weights.bin']);
    expect(clicks.every((c) => c.href.startsWith('blob:'))).toBe(true);

    const json = await downloaded(clicks[0]!.href, 'my-model.json');
    expect(json.type).toBe('application/json');
    const parsed = JSON.parse(await json.text()) as { format: string; weightsManifest: { paths: string[] }[] };
    expect(parsed.format).toBe('layers-model');
    expect(parsed.weightsManifest[0]!.paths).toEqual(['./my-model.weights.bin']);
    const weights = await downloaded(clicks[1]!.href, 'my-model.weights.bin');
    expect(new Uint8Array(await weights.arrayBuffer())).toEqual(new Uint8Array(m.toJSON().weightData));

    const again = await loadModel<Sequential>(browserFiles([json, weights]));
    const x = randomNormal([4, 3]);
    expect(Array.from(again.predict(x).dataSync())).toEqual(Array.from(m.predict(x).dataSync()));
  });

  it("uses 'model' without a name, refuses folders, and cannot load", async () => {
    await new Sequential([new Dense({ units: 1, inputShape: [2] })]).save(browserDownloads());
    expect(clicks.map((c) => c.download)).toEqual(['model.json', 'model.weights.bin']);
    expect(() => browserDownloads('a/b')).toThrow("browserDownloads: 'a/b' names a folder, but downloads go to the browser's download folder");
    await expect(loadModel('downloads://model')).rejects.toThrow('loadModel: this IOHandler cannot load (it has no load method)');
  });

  it('says what is missing without a page (Node)', async () => {
    delete g.document;
    const m = new Sequential([new Dense({ units: 1, inputShape: [2] })]);
    await expect(m.save('downloads://x')).rejects.toThrow(
      "downloads:// needs a browser page (document and URL.createObjectURL) to start downloads, which this environment lacks; in Node, save to a folder with file:// URLs after `import '@descent/models/node'`",
    );
  });
});
