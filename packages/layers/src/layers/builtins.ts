import type { LayerClass } from '../engine/registry.js';
import { AdditiveAttention, Attention } from './attention.js';
import { EinsumDense } from './einsum-dense.js';
import { MultiHeadAttention } from './multi-head-attention.js';
import { Activation } from './activation.js';
import { ELU, LeakyReLU, ReLU, Softmax } from './activation-layers.js';
import { BatchNormalization } from './batch-normalization.js';
import { Bidirectional } from './bidirectional.js';
import { Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose } from './conv.js';
import { Cropping1D, Cropping2D } from './cropping.js';
import { GroupNormalization } from './group-normalization.js';
import { Identity } from './identity.js';
import { AlphaDropout, GaussianDropout } from './noise-dropout.js';
import { PReLU } from './prelu.js';
import { RMSNormalization } from './rms-normalization.js';
import { UnitNormalization } from './unit-normalization.js';
import { Dense } from './dense.js';
import { DepthwiseConv2D, SeparableConv2D } from './depthwise-conv.js';
import { Dropout, SpatialDropout1D, SpatialDropout2D } from './dropout.js';
import { Embedding } from './embedding.js';
import { Masking } from './masking.js';
import { GaussianNoise } from './gaussian-noise.js';
import { GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D } from './global-pooling.js';
import { GRU } from './gru.js';
import { InputLayer } from './input-layer.js';
import { LayerNormalization } from './layer-normalization.js';
import { LSTM } from './lstm.js';
import { Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract } from './merge.js';
import { AveragePooling1D, AveragePooling2D, MaxPooling1D, MaxPooling2D } from './pooling.js';
import { Flatten, Permute, RepeatVector, Reshape } from './reshaping.js';
import { SimpleRNN } from './rnn.js';
import { UpSampling2D, ZeroPadding2D } from './spatial-2d.js';
import { TimeDistributed } from './time-distributed.js';

/**
 * The built-in layer classes by Keras class name. A function, not a module-level registration,
 * so deserialization finds every built-in layer even when a bundler drops modules whose
 * exports the program never names (the package is `sideEffects: false`).
 */
export function builtinLayers() {
  return {
    Activation,
    AdditiveAttention,
    Attention,
    EinsumDense,
    MultiHeadAttention,
    Add,
    AlphaDropout,
    Conv1DTranspose,
    Cropping1D,
    Cropping2D,
    GaussianDropout,
    GroupNormalization,
    Identity,
    PReLU,
    RMSNormalization,
    UnitNormalization,
    Average,
    AveragePooling1D,
    AveragePooling2D,
    BatchNormalization,
    Bidirectional,
    Concatenate,
    Conv1D,
    Conv2D,
    Conv2DTranspose,
    Dense,
    DepthwiseConv2D,
    Dot,
    Dropout,
    ELU,
    Embedding,
    Masking,
    Flatten,
    GRU,
    GaussianNoise,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    InputLayer,
    LSTM,
    LayerNormalization,
    LeakyReLU,
    MaxPooling1D,
    MaxPooling2D,
    Maximum,
    Minimum,
    Multiply,
    Permute,
    ReLU,
    RepeatVector,
    Reshape,
    SeparableConv2D,
    SimpleRNN,
    Softmax,
    SpatialDropout1D,
    SpatialDropout2D,
    Subtract,
    TimeDistributed,
    UpSampling2D,
    ZeroPadding2D,
  } as const satisfies Readonly<Record<string, LayerClass>>;
}
