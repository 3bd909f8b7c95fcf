import type { Model } from '@descent/models';
import type { Tensor } from '@descent/tensor';
import { tensor } from '@descent/tensor';
import { END, START, encodeQuestion, idDigit, lengths } from './data.js';

/** The token ids an answer may contain: the ten digits and END. */
const OUTPUT_IDS = [END, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

/**
 * Greedy decoding: start every answer with START, run the model, take the most probable token (a digit
 * or END) at the next position, append it to the decoder input and repeat until each answer has ended
 * (or reached `digits + 1` characters). Causal self-attention makes position t depend only on the
 * tokens up to t, so the still-empty positions (padding, id 0) change nothing.
 */
export function greedyDecode(model: Model, questions: readonly string[], digits: number, batchSize = 512): string[] {
  const { question: qLen, answer: aLen } = lengths(digits);
  const n = questions.length;
  const q = tensor(Int32Array.from(questions.flatMap((s) => encodeQuestion(s, qLen))), [n, qLen], 'int32');
  const dec = new Int32Array(n * aLen);
  for (let i = 0; i < n; i++) dec[i * aLen] = START;
  const answers = Array.from({ length: n }, () => '');
  const done = new Array<boolean>(n).fill(false);
  for (let t = 0; t < aLen && done.includes(false); t++) {
    const probs = (model.predict([q, tensor(dec, [n, aLen], 'int32')], { batchSize }) as Tensor).dataSync();
    const vocab = probs.length / (n * aLen);
    for (let i = 0; i < n; i++) {
      if (done[i]) continue;
      const row = (i * aLen + t) * vocab;
      let best = OUTPUT_IDS[0]!;
      for (const id of OUTPUT_IDS) if (probs[row + id]! > probs[row + best]!) best = id;
      const digit = idDigit(best);
      if (digit === undefined || t === aLen - 1) {
        done[i] = true;
        continue;
      }
      answers[i] += digit;
      dec[i * aLen + t + 1] = best;
    }
  }
  return answers;
}

/** The fraction of questions whose decoded answer equals the true sum exactly. */
export function exactMatch(predicted: readonly string[], expected: readonly string[]): number {
  if (predicted.length !== expected.length) throw new Error(`exactMatch: ${predicted.length} predictions for ${expected.length} answers`);
  let hits = 0;
  predicted.forEach((p, i) => {
    if (p === expected[i]) hits++;
  });
  return hits / Math.max(1, predicted.length);
}
