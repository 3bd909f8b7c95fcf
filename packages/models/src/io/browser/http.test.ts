import { resetLayerNames } from '@descent/layers';
import { randomNormal, setSeed, tensor } from '@descent/tensor';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sequential } from '../../sequential.js';
import { resetSequentialNames } from '../../sequential.js';
import { expectSameTensor as expectSame, smallTrainedModel } from '../../test-utils/trained.js';
import { loadModel } from '../load.js';
import { http } from './index.js';

/**
 * A tiny model server on 127.0.0.1: GET serves `files`, POST /upload/<dir> stores the multipart
 * form fields TF.js's http() sends (model_json, model_weights_bin) as <dir>/model.json and
 * <dir>/model.weights.bin. Every request is logged with its headers. Closed after the tests.
 */
const files = new Map<string, { body: Uint8Array; type: string }>();
const requests: { method: string; path: string; headers: IncomingMessage['headers'] }[] = [];
let server: Server;
let origin = '';

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', origin);
  requests.push({ method: req.method ?? '', path: url.pathname + url.search, headers: req.headers });
  if (req.method === 'POST' && url.pathname.startsWith('/upload/')) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
    const dir = url.pathname.slice('/upload'.length);
    for (const [field, name] of [['model_json', 'model.json'], ['model_weights_bin', 'model.weights.bin']] as const) {
      const part = form.get(field);
      if (!(part instanceof File) || part.name !== name) {
        res.writeHead(400).end(`expected form field ${field} with file ${name}`);
        return;
      }
      files.set(`${dir}/${name}`, { body: new Uint8Array(await part.arrayBuffer()), type: part.type });
    }
    res.writeHead(201).end('stored');
    return;
  }
  const file = files.get(url.pathname);
  if (req.method !== 'GET' || file === undefined) {
    res.writeHead(404, 'Not Found').end('no such file');
    return;
  }
  res.writeHead(200, { 'Content-Type': file.type }).end(file.body);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => res.writeHead(500).end(String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
  setSeed(17);
  files.clear();
  requests.length = 0;
});

function trainedModel(): Promise<Sequential> {
  return smallTrainedModel('relu', 'sgd', [], 1);
}


/** Serve a model as model.json + weight files under `dir`, the manifest naming `paths`. */
function publish(m: Sequential, dir: string, paths: string[] = ['weights.bin']): void {
  const { modelJSON, weightData } = m.toJSON();
  const bytes = new Uint8Array(weightData);
  const cut = paths.length === 1 ? [bytes] : [bytes.slice(0, 20), bytes.slice(20)];
  modelJSON.weightsManifest[0]!.paths = paths;
  files.set(`${dir}/model.json`, { body: new TextEncoder().encode(JSON.stringify(modelJSON)), type: 'application/json' });
  paths.forEach((p, i) => files.set(new URL(p, `${origin}${dir}/model.json`).pathname, { body: cut[i]!, type: 'application/octet-stream' }));
}

describe('http:// and https://', () => {
  it('saves by POSTing multipart form data and loads it back with identical predictions', async () => {
    const m = await trainedModel();
    const x = randomNormal([4, 3]);
    const result = await m.save(`${origin}/upload/models/a`);
    expect(result.location).toBe(`${origin}/upload/models/a`);
    expect(requests.map((r) => r.method)).toEqual(['POST']);
    expect(requests[0]!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const savedJSON = JSON.parse(new TextDecoder().decode(files.get('/models/a/model.json')!.body)) as { weightsManifest: { paths: string[] }[]; format: string };
    expect(savedJSON.format).toBe('layers-model');
    expect(savedJSON.weightsManifest[0]!.paths).toEqual(['./model.weights.bin']);
    expect(files.get('/models/a/model.weights.bin')!.body).toEqual(new Uint8Array(m.toJSON().weightData));

    const again = await loadModel<Sequential>(`${origin}/models/a/model.json`);
    expectSame(m.predict(x), again.predict(x));
    expect(requests.slice(1).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /models/a/model.json', 'GET /models/a/model.weights.bin']);
  });

  it('resolves weight files relative to model.json, keeps its query string, and joins shards in order', async () => {
    const m = await trainedModel();
    publish(m, '/deep/dir', ['shards/part1.bin', '../dir/shards/part2.bin']);
    const fractions: number[] = [];
    const again = await loadModel<Sequential>(http(`${origin}/deep/dir/model.json?v=3`, { requestInit: { headers: { 'x-token': 'secret' } }, onProgress: (f) => fractions.push(f) }));
    const x = randomNormal([2, 3]);
    expectSame(m.predict(x), again.predict(x));
    expect(requests.map((r) => r.path).sort()).toEqual(['/deep/dir/model.json?v=3', '/deep/dir/shards/part1.bin?v=3', '/deep/dir/shards/part2.bin?v=3']);
    expect(requests.every((r) => r.headers['x-token'] === 'secret')).toBe(true);
    // model.json, then each of the two files: thirds.
    expect(fractions).toEqual([1 / 3, 2 / 3, 1]);
  });

  it('uses fetchFunc, weightPathPrefix and weightUrlConverter when given', async () => {
    const m = await trainedModel();
    publish(m, '/m');
    files.set('/cdn/weights.bin', files.get('/m/weights.bin')!);
    files.delete('/m/weights.bin');
    const seen: string[] = [];
    const fetchFunc = (input: string, init?: RequestInit): Promise<Response> => {
      seen.push(input);
      return fetch(input, init);
    };
    const x = tensor([[1, 2, 3]]);
    expectSame(m.predict(x), (await loadModel<Sequential>(http(`${origin}/m/model.json`, { fetchFunc, weightPathPrefix: '/cdn/' }))).predict(x));
    expect(seen).toEqual([`${origin}/m/model.json`, `${origin}/cdn/weights.bin`]);
    const converted = await loadModel<Sequential>(http(`${origin}/m/model.json`, { weightUrlConverter: (name) => Promise.resolve(`${origin}/cdn/${name}`) }));
    expectSame(m.predict(x), converted.predict(x));
  });

  it('names the URL and the HTTP status when a request fails', async () => {
    await expect(loadModel(`${origin}/missing/model.json`)).rejects.toThrow(`loadModel: GET ${origin}/missing/model.json answered HTTP 404 Not Found`);
    const m = await trainedModel();
    publish(m, '/nw');
    files.delete('/nw/weights.bin');
    await expect(loadModel(`${origin}/nw/model.json`)).rejects.toThrow(`loadModel: weight file 'weights.bin' of ${origin}/nw/model.json: GET ${origin}/nw/weights.bin answered HTTP 404 Not Found`);
    await expect(m.save(`${origin}/not-upload`)).rejects.toThrow(`save: POST ${origin}/not-upload answered HTTP 404 Not Found`);
    files.set('/bad/model.json', { body: new TextEncoder().encode('<html>login</html>'), type: 'text/html' });
    await expect(loadModel(`${origin}/bad/model.json`)).rejects.toThrow(`loadModel: ${origin}/bad/model.json is not valid JSON (`);
    await expect(loadModel(`${origin}/bad/model.json`)).rejects.toThrow('the server sent text/html); expected the model.json of a saved model');
    // A port nothing listens on: the network error, with the URL.
    await expect(loadModel('http://127.0.0.1:9/model.json')).rejects.toThrow('loadModel: the request to http://127.0.0.1:9/model.json failed: fetch failed');
  });

  it('checks the weight bytes against the manifest', async () => {
    const m = await trainedModel();
    publish(m, '/short');
    const w = files.get('/short/weights.bin')!;
    files.set('/short/weights.bin', { ...w, body: w.body.slice(0, 50) });
    await expect(loadModel(`${origin}/short/model.json`)).rejects.toThrow(
      `loadModel: weight file ${origin}/short/weights.bin holds 50 bytes, but ${origin}/short/model.json describes 104 bytes (dense/kernel, dense/bias, dense_1/kernel, dense_1/bias): the download is truncated`,
    );
  });

  it('refuses weight paths that lead to another origin unless asked to', async () => {
    const m = await trainedModel();
    publish(m, '/x');
    const json = JSON.parse(new TextDecoder().decode(files.get('/x/model.json')!.body)) as { weightsManifest: { paths: string[] }[] };
    json.weightsManifest[0]!.paths = ['http://other.invalid/weights.bin'];
    files.set('/x/model.json', { body: new TextEncoder().encode(JSON.stringify(json)), type: 'application/json' });
    await expect(loadModel(`${origin}/x/model.json`)).rejects.toThrow(
      `loadModel: ${origin}/x/model.json lists weight file 'http://other.invalid/weights.bin', which resolves to http://other.invalid/weights.bin on another origin`,
    );
    expect(requests.map((r) => r.path)).toEqual(['/x/model.json']);
  });

  it('validates its options', () => {
    expect(() => http(`${origin}/m.json`, { requestInit: { body: 'x' } })).toThrow("http: option 'requestInit' must have no 'body'");
    expect(() => http(`${origin}/m.json`, { fetchFn: fetch } as never)).toThrow("http: unknown option 'fetchFn'. Did you mean 'fetchFunc'?");
    expect(() => http(`${origin}/m.json`, { onProgress: 3 } as never)).toThrow("http: option 'onProgress' must be a function, got number");
    expect(() => http('')).toThrow('http: expected the URL of a model.json');
    expect(() => http('ftp://127.0.0.1/model.json')).toThrow("http: 'ftp://127.0.0.1/model.json' is a ftp: URL; expected an absolute http:// or https:// URL");
    expect(() => http('not a url')).toThrow("http: 'not a url' is not a valid URL; expected an absolute http:// or https:// URL");
  });
});
