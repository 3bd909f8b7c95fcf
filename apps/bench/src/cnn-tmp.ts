import { add, conv2d, dispose, matMul, maxPool, relu, setBackend, tensor, reshape, softmax, withScope } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import { loadWasmContenders, useTf } from './suites/wasm-contenders.js';
import { measureInterleaved, seededFloats } from './measure.js';
const setup = await loadWasmContenders();
setBackend('wasm');
await useTf('wasm');
const B = 256;
const x = seededFloats(B * 28 * 28, 1), f1 = seededFloats(9 * 32, 2), b1 = seededFloats(32, 3), f2 = seededFloats(9 * 32 * 64, 4), b2 = seededFloats(64, 5), w3 = seededFloats(5 * 5 * 64 * 10, 6);
const dx = tensor(x, [B, 28, 28, 1]), df1 = tensor(f1, [3, 3, 1, 32]), db1 = tensor(b1, [32]), df2 = tensor(f2, [3, 3, 32, 64]), db2 = tensor(b2, [64]), dw3 = tensor(w3, [1600, 10]);
const tx = tf.tensor4d(x, [B, 28, 28, 1]), tf1 = tf.tensor4d(f1, [3, 3, 1, 32]), tb1 = tf.tensor1d(b1), tf2 = tf.tensor4d(f2, [3, 3, 32, 64]), tb2 = tf.tensor1d(b2), tw3 = tf.tensor2d(w3, [1600, 10]);
const dh1 = maxPool(relu(add(conv2d(dx, df1, 1, 'valid'), db1)), 2, 2, 'valid');
const th1 = tf.maxPool(tf.relu(tf.add(tf.conv2d(tx, tf1, 1, 'valid'), tb1)), 2, 2, 'valid') as tf.Tensor4D;
const dh2 = maxPool(relu(add(conv2d(dh1, df2, 1, 'valid'), db2)), 2, 2, 'valid');
const th2 = tf.maxPool(tf.relu(tf.add(tf.conv2d(th1, tf2, 1, 'valid'), tb2)), 2, 2, 'valid') as tf.Tensor4D;
console.log('shapes', dh1.shape, dh2.shape, th2.shape);
const am = tensor(seededFloats(173056 * 9, 7), [173056, 9]), bm = tensor(seededFloats(9 * 32, 8), [9, 32]);
const tam = tf.tensor2d(seededFloats(173056 * 9, 7), [173056, 9]), tbm = tf.tensor2d(seededFloats(9 * 32, 8), [9, 32]);
const c1 = conv2d(dx, df1, 1, 'valid'); const tc1 = tf.conv2d(tx, tf1, 1, 'valid');
const cases: [string, () => void, () => void][] = [
  ['bias add 256x26x26x32', () => dispose(add(c1, db1)), () => tf.add(tc1, tb1).dispose()],
  ['relu 256x26x26x32', () => dispose(relu(c1)), () => tf.relu(tc1).dispose()],
  ['maxPool 256x26x26x32', () => dispose(maxPool(c1, 2, 2, 'valid')), () => tf.maxPool(tc1 as tf.Tensor4D, 2, 2, 'valid').dispose()],
  ['matmul 173056x9x32', () => dispose(matMul(am, bm)), () => tf.matMul(tam, tbm).dispose()],
  ['conv1', () => dispose(conv2d(dx, df1, 1, 'valid')), () => tf.conv2d(tx, tf1, 1, 'valid').dispose()],
  ['conv1+bias+relu+pool', () => withScope(() => { maxPool(relu(add(conv2d(dx, df1, 1, 'valid'), db1)), 2, 2, 'valid'); }), () => tf.tidy(() => { tf.maxPool(tf.relu(tf.add(tf.conv2d(tx, tf1, 1, 'valid'), tb1)), 2, 2, 'valid'); })],
  ['conv2', () => dispose(conv2d(dh1, df2, 1, 'valid')), () => tf.conv2d(th1, tf2, 1, 'valid').dispose()],
  ['conv2+bias+relu+pool', () => withScope(() => { maxPool(relu(add(conv2d(dh1, df2, 1, 'valid'), db2)), 2, 2, 'valid'); }), () => tf.tidy(() => { tf.maxPool(tf.relu(tf.add(tf.conv2d(th1, tf2, 1, 'valid'), tb2)), 2, 2, 'valid'); })],
  ['dense+softmax', () => withScope(() => { softmax(matMul(reshape(dh2, [B, 1600]), dw3)); }), () => tf.tidy(() => { tf.softmax(tf.matMul(tf.reshape(th2, [B, 1600]), tw3)); })],
];
for (const [name, d, t] of cases) {
  const r = await measureInterleaved([{ name: 'descent', fn: d }, { name: 'tfjs', fn: t }], { warmup: 3, samples: 9, minSampleMs: 100 });
  console.log(name.padEnd(24), 'descent', (r.descent!.median).toFixed(2), 'ms  tfjs', (r.tfjs!.median).toFixed(2), 'ms');
}
setup.restore();
process.exit(0);
