import { Dense, GRU, LSTM } from '@descent/layers';
import type { Layer } from '@descent/layers';
import * as tf from '@tensorflow/tfjs';

/**
 * The recurrent benchmark models of issue 20: MNIST digits as 28 time steps of 28 pixel rows →
 * LSTM(128) (or GRU(128), or LSTM(128, returnSequences) → LSTM(128)) → Dense(10) softmax.
 */
export type RecurrentKind = 'lstm' | 'gru' | 'lstm2';
export const RECURRENT_KINDS: readonly RecurrentKind[] = ['lstm', 'gru', 'lstm2'];
export const RECURRENT_UNITS = 128;

export function isRecurrent(kind: string): kind is RecurrentKind {
  return (RECURRENT_KINDS as readonly string[]).includes(kind);
}

/** What each kind is, for table rows. */
export const RECURRENT_LABEL: Record<RecurrentKind, string> = {
  lstm: 'LSTM(128)',
  gru: 'GRU(128)',
  lstm2: 'LSTM(128, seq) → LSTM(128)',
};

/** Descent's layers (Keras defaults: tanh/sigmoid, GRU resetAfter). */
export function descentRecurrentLayers(kind: RecurrentKind): Layer[] {
  const u = RECURRENT_UNITS;
  const first =
    kind === 'gru' ? new GRU({ units: u, inputShape: [28, 28] }) : new LSTM({ units: u, inputShape: [28, 28], returnSequences: kind === 'lstm2' });
  return [first, ...(kind === 'lstm2' ? [new LSTM({ units: u })] : []), new Dense({ units: 10, activation: 'softmax' })];
}

/**
 * TF.js's LSTMs: the same math as Keras 3 (sigmoid gates rather than TF.js's default hard_sigmoid),
 * so the same weights give the same losses. TF.js has no GRU with Keras 3's resetAfter.
 */
export function tfRecurrentLayers(kind: RecurrentKind): tf.layers.Layer[] {
  const u = RECURRENT_UNITS;
  const rnn = { units: u, recurrentActivation: 'sigmoid' as const };
  if (kind === 'gru') {
    throw new Error("bench: TF.js 4.22's GRU implements only resetAfter: false, not the Keras 3 default (resetAfter: true) the gru model uses");
  }
  const first = tf.layers.lstm({ ...rnn, inputShape: [28, 28], returnSequences: kind === 'lstm2' });
  return [first, ...(kind === 'lstm2' ? [tf.layers.lstm(rnn)] : []), tf.layers.dense({ units: 10, activation: 'softmax' })];
}
