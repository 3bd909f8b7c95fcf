import type { Suite } from '../suite.js';
import { backwardSuite } from './backward.js';
import { cnnTrainSuite } from './cnn-train.js';
import { convSuite } from './conv.js';
import { inferenceSuite } from './inference.js';
import { matmulSuite } from './matmul.js';
import { mlpTrainSuite } from './mlp-train.js';
import { rnnPredictSuite, rnnTrainSuite } from './rnn-train.js';
import { transformerTrainSuite } from './transformer-train.js';
import { wasmMatmulSuite } from './wasm-matmul.js';
import { wasmOpsSuite } from './wasm-ops.js';

/** Every suite, in the order `bench` runs them. Add a new suite file and list it here. */
export const suites: readonly Suite[] = [matmulSuite, convSuite, wasmMatmulSuite, wasmOpsSuite, backwardSuite, mlpTrainSuite, cnnTrainSuite, inferenceSuite, rnnTrainSuite, rnnPredictSuite, transformerTrainSuite];
