import { mulberry32 } from '@descent/app-utils/random';
import type { Tensor } from '@descent/tensor';
import { tensor } from '@descent/tensor';

/**
 * Token ids. 0 is padding (the embeddings use `maskZero: true`, so it never counts as data); the decoder
 * starts from START and the target ends with END, so the answer can have any length up to `digits + 1`.
 */
export const PAD = 0;
export const START = 1;
export const END = 2;
const DIGIT0 = 3; // '0'..'9' → 3..12
export const PLUS = 13;
/** Vocabulary size: PAD, START, END, ten digits, '+'. */
export const VOCAB = 14;

/** The id of one character of a question or an answer ('0'..'9' or '+'). */
export function charId(c: string): number {
  if (c === '+') return PLUS;
  const d = c.charCodeAt(0) - 48;
  if (c.length !== 1 || d < 0 || d > 9) throw new Error(`addition: cannot encode character '${c}': expected a digit or '+'`);
  return DIGIT0 + d;
}

/** The character of a digit token id, or undefined for any other id. */
export function idDigit(id: number): string | undefined {
  return id >= DIGIT0 && id < DIGIT0 + 10 ? String(id - DIGIT0) : undefined;
}

/** The fixed lengths of a problem with numbers of up to `digits` digits. */
export function lengths(digits: number): { question: number; answer: number } {
  // "a+b": two numbers and the plus; the answer has up to digits+1 characters, plus START (decoder
  // input) or END (target).
  return { question: 2 * digits + 1, answer: digits + 2 };
}

/** One number of 1..digits digits: first the length (uniform), then the value of that length (uniform). */
function randomNumber(rng: () => number, digits: number): number {
  const len = 1 + Math.floor(rng() * digits);
  const lo = len === 1 ? 0 : 10 ** (len - 1);
  const hi = 10 ** len;
  return lo + Math.floor(rng() * (hi - lo));
}

export interface Problem {
  a: number;
  b: number;
  /** The question as typed, `"123+45"`. */
  question: string;
  /** The sum as a string, `"168"`. */
  answer: string;
}

export interface Split {
  train: Problem[];
  test: Problem[];
}

/**
 * Draw `trainSize + testSize` distinct problems with numbers of up to `digits` digits, then split them
 * at random (seeded) into a training and a held-out set. The sets share nothing: no problem is drawn
 * twice, counting `a+b` and its mirror `b+a` as the same problem, so a correct held-out answer is not a
 * remembered one. Both sets follow the same distribution (the few problems of small numbers, which
 * the no-repeat rule exhausts first, land in either set alike).
 */
export function generateProblems(opts: { digits: number; trainSize: number; testSize: number; seed: number }): Split {
  const { digits, trainSize, testSize, seed } = opts;
  if (!Number.isInteger(digits) || digits < 1 || digits > 6) throw new Error(`addition: digits must be an integer from 1 to 6, got ${digits}`);
  for (const [name, v] of [['trainSize', trainSize], ['testSize', testSize]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`addition: ${name} must be a positive integer, got ${v}`);
  }
  const space = 10 ** digits;
  // Unordered pairs available; keep well clear of the limit so the rejection sampling below ends fast.
  const available = (space * (space + 1)) / 2;
  if (trainSize + testSize > available / 2) {
    throw new Error(`addition: ${trainSize + testSize} distinct problems asked for, but numbers of up to ${digits} digits give only ${available} unordered pairs; use fewer samples or more digits`);
  }
  const rng = mulberry32(seed);
  const seen = new Set<number>();
  const problems: Problem[] = [];
  while (problems.length < trainSize + testSize) {
    const a = randomNumber(rng, digits);
    const b = randomNumber(rng, digits);
    const key = Math.min(a, b) * space + Math.max(a, b);
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ a, b, question: `${a}+${b}`, answer: String(a + b) });
  }
  // Fisher-Yates shuffle, then the first testSize are held out.
  for (let i = problems.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [problems[i], problems[j]] = [problems[j]!, problems[i]!];
  }
  return { test: problems.slice(0, testSize), train: problems.slice(testSize) };
}

export interface Encoded {
  /** Question ids `[n, 2·digits+1]`, right-padded with 0. */
  question: Tensor;
  /** Decoder input (teacher forcing): START then the answer's digits, `[n, digits+2]`, padded with 0. */
  decoderInput: Tensor;
  /** Target: the answer's digits then END, `[n, digits+2]`, padded with 0 (masked out of the loss). */
  target: Tensor;
}

/** The ids of one question, right-padded with PAD to `length`. */
export function encodeQuestion(question: string, length: number): number[] {
  if (question.length > length) throw new Error(`addition: question '${question}' is longer than ${length} characters`);
  const ids = Array.from(question, charId);
  while (ids.length < length) ids.push(PAD);
  return ids;
}

/** Encode problems as padded id tensors. */
export function encode(problems: readonly Problem[], digits: number): Encoded {
  const { question: qLen, answer: aLen } = lengths(digits);
  const n = problems.length;
  const q = new Int32Array(n * qLen);
  const dIn = new Int32Array(n * aLen);
  const tgt = new Int32Array(n * aLen);
  problems.forEach((p, i) => {
    q.set(encodeQuestion(p.question, qLen), i * qLen);
    const ans = Array.from(p.answer, charId);
    if (ans.length + 1 > aLen) throw new Error(`addition: answer '${p.answer}' is longer than ${aLen - 1} characters`);
    dIn.set([START, ...ans], i * aLen);
    tgt.set([...ans, END], i * aLen);
  });
  return {
    question: tensor(q, [n, qLen], 'int32'),
    decoderInput: tensor(dIn, [n, aLen], 'int32'),
    target: tensor(tgt, [n, aLen], 'int32'),
  };
}
