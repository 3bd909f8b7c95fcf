import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getMask } from '@descent/layers';
import { loadModel } from '@descent/models';
import '@descent/models/node';
import { Adam } from '@descent/optimizers';
import { setSeed, tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { buildCli, oneLineError, parseCli } from './cli.js';
import { END, PAD, PLUS, START, charId, encode, encodeQuestion, generateProblems, lengths } from './data.js';
import { exactMatch, greedyDecode } from './decode.js';
import { buildModel } from './model.js';

describe('data', () => {
  it('draws reproducible, correct and distinct problems with numbers of every length', () => {
    const a = generateProblems({ digits: 3, trainSize: 2000, testSize: 300, seed: 7 });
    const b = generateProblems({ digits: 3, trainSize: 2000, testSize: 300, seed: 7 });
    const c = generateProblems({ digits: 3, trainSize: 2000, testSize: 300, seed: 8 });
    expect(a).toEqual(b);
    expect(a.train.map((p) => p.question)).not.toEqual(c.train.map((p) => p.question));
    for (const p of [...a.train, ...a.test]) {
      expect(p.question).toBe(`${p.a}+${p.b}`);
      expect(Number(p.answer)).toBe(p.a + p.b);
      expect(p.a).toBeLessThan(1000);
      expect(p.b).toBeLessThan(1000);
    }
    // Lengths 1, 2 and 3 all occur, so the questions really vary in length.
    const lens = new Set(a.train.map((p) => p.question.length));
    expect(Math.min(...lens)).toBe(3);
    expect(Math.max(...lens)).toBe(7);
    expect(new Set(a.train.map((p) => p.question)).size).toBe(2000);
  });

  it('keeps the held-out problems out of the training set, in either order', () => {
    const { train, test } = generateProblems({ digits: 2, trainSize: 1500, testSize: 500, seed: 3 });
    const seen = new Set(train.map((p) => p.question));
    for (const p of test) {
      expect(seen.has(`${p.a}+${p.b}`)).toBe(false);
      expect(seen.has(`${p.b}+${p.a}`)).toBe(false);
    }
    // The split is random, so small problems (few, and drawn early) are not all held out.
    const small = (ps: typeof train) => ps.filter((p) => p.a < 10 && p.b < 10).length;
    expect(small(train)).toBeGreaterThan(small(test));
  });

  it('pads questions and answers with id 0 to fixed lengths', () => {
    expect(lengths(3)).toEqual({ question: 7, answer: 5 });
    const enc = encode(
      [
        { a: 7, b: 45, question: '7+45', answer: '52' },
        { a: 999, b: 999, question: '999+999', answer: '1998' },
      ],
      3,
    );
    expect(enc.question.dtype).toBe('int32');
    const d = (c: string) => charId(c);
    expect(enc.question.toArray()).toEqual([
      [d('7'), PLUS, d('4'), d('5'), PAD, PAD, PAD],
      [d('9'), d('9'), d('9'), PLUS, d('9'), d('9'), d('9')],
    ]);
    expect(enc.decoderInput.toArray()).toEqual([
      [START, d('5'), d('2'), PAD, PAD],
      [START, d('1'), d('9'), d('9'), d('8')],
    ]);
    expect(enc.target.toArray()).toEqual([
      [d('5'), d('2'), END, PAD, PAD],
      [d('1'), d('9'), d('9'), d('8'), END],
    ]);
  });

  it('rejects impossible requests with a clear message', () => {
    expect(() => generateProblems({ digits: 1, trainSize: 40, testSize: 10, seed: 1 })).toThrow(/50 distinct problems asked for, but numbers of up to 1 digits give only 55 unordered pairs/);
    expect(() => generateProblems({ digits: 0, trainSize: 4, testSize: 1, seed: 1 })).toThrow(/digits must be an integer from 1 to 6, got 0/);
    expect(() => encodeQuestion('12+3x', 7)).toThrow(/cannot encode character 'x'/);
    expect(() => encodeQuestion('1234+5678', 7)).toThrow(/longer than 7 characters/);
  });
});

describe('model', () => {
  it('gives a question the same encoding with or without padding (the mask hides the pad)', () => {
    setSeed(5);
    const { encoder } = buildModel({ digits: 3, dModel: 16, numHeads: 2, seed: 5 });
    const ids = encodeQuestion('12+345', 6);
    const bare = encoder.apply(tensor([ids], [1, 6], 'int32'));
    const padded = encoder.apply(tensor([[...ids, PAD]], [1, 7], 'int32'));
    expect(padded.shape).toEqual([1, 7, 16]);
    expect(Array.from(getMask(padded)!.dataSync())).toEqual([1, 1, 1, 1, 1, 1, 0]);
    const p = padded.slice([0, 0, 0], [1, 6, 16]).dataSync();
    const b = bare.dataSync();
    for (let i = 0; i < b.length; i++) expect(p[i]).toBeCloseTo(b[i]!, 5);
    // A batch mixing lengths gives the short question what it gets alone.
    const batch = encoder.apply(tensor([[...encodeQuestion('12+345', 7)], [...encodeQuestion('1+2', 7)]], [2, 7], 'int32'));
    const alone = encoder.apply(tensor([encodeQuestion('1+2', 3)], [1, 3], 'int32'));
    const short = batch.slice([1, 0, 0], [1, 3, 16]).dataSync();
    alone.dataSync().forEach((v, i) => expect(short[i]).toBeCloseTo(v, 5));
  });

  it('decodes causally: a decoder step does not see the tokens after it', () => {
    setSeed(6);
    const { model } = buildModel({ digits: 3, dModel: 16, numHeads: 2, seed: 6 });
    const q = tensor([encodeQuestion('12+345', 7)], [1, 7], 'int32');
    const d = (c: string) => charId(c);
    const a = model.apply([q, tensor([[START, d('3'), d('5'), PAD, PAD]], [1, 5], 'int32')]).dataSync();
    const b = model.apply([q, tensor([[START, d('3'), d('8'), d('1'), d('1')]], [1, 5], 'int32')]).dataSync();
    // Steps 0 and 1 (14 probabilities each) see START and '3' in both; step 2 sees a different token.
    for (let i = 0; i < 28; i++) expect(b[i]).toBeCloseTo(a[i]!, 6);
    expect(Math.max(...Array.from({ length: 14 }, (_, i) => Math.abs(a[28 + i]! - b[28 + i]!)))).toBeGreaterThan(1e-4);
  });

  it('trains: the masked loss is finite and falls, and greedy decoding returns digit strings', async () => {
    setSeed(11);
    const digits = 2;
    const { train } = generateProblems({ digits, trainSize: 256, testSize: 16, seed: 11 });
    const x = encode(train, digits);
    const { model } = buildModel({ digits, dModel: 16, numHeads: 2, seed: 11 });
    model.compile({ optimizer: new Adam({ learningRate: 3e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const history = await model.fit([x.question, x.decoderInput], x.target, { epochs: 6, batchSize: 32, verbose: 0 });
    const loss = history.history['loss']!;
    expect(loss).toHaveLength(6);
    for (const l of loss) expect(Number.isFinite(l)).toBe(true);
    expect(loss[5]!).toBeLessThan(loss[0]! * 0.8);
    // The output carries the decoder input's mask, so padded target steps are left out of the loss.
    const probs = model.apply([x.question.slice([0, 0], [2, 5]), x.decoderInput.slice([0, 0], [2, 4])]);
    expect(probs.shape).toEqual([2, 4, 14]);
    expect(getMask(probs)!.toArray()).toEqual(x.decoderInput.slice([0, 0], [2, 4]).notEqual(0).toArray());

    // Same seed, same run: a second model trained for two epochs repeats the first two losses exactly.
    setSeed(11);
    const again = buildModel({ digits, dModel: 16, numHeads: 2, seed: 11 }).model;
    again.compile({ optimizer: new Adam({ learningRate: 3e-3 }), loss: 'sparseCategoricalCrossentropy' });
    expect((await again.fit([x.question, x.decoderInput], x.target, { epochs: 2, batchSize: 32, verbose: 0 })).history['loss']).toEqual(loss.slice(0, 2));

    const questions = ['3+4', '12+9', '99+99', '0+0'];
    const answers = greedyDecode(model, questions, digits);
    expect(answers).toHaveLength(4);
    for (const a of answers) expect(a).toMatch(/^\d{0,3}$/);
    // Saved and loaded (PositionEmbedding is registered), the model decodes the same answers.
    const dir = mkdtempSync(join(tmpdir(), 'descent-addition-'));
    try {
      await model.save(`file://${dir}`);
      const loaded = await loadModel(`file://${join(dir, 'model.json')}`);
      expect(greedyDecode(loaded, questions, digits)).toEqual(answers);
      const inputs = [x.question.slice([0, 0], [8, 5]), x.decoderInput.slice([0, 0], [8, 4])];
      expect(loaded.apply(inputs).dataSync()).toEqual(model.apply(inputs).dataSync());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(exactMatch(['7', '21', '1', ''], ['7', '21', '198', '0'])).toBe(0.5);
  });
});

describe('cli', () => {
  it('has the documented defaults and rejects bad values', () => {
    const o = parseCli([]);
    expect(o).toMatchObject({ digits: 3, trainSize: 30000, testSize: 1000, seed: 42, batchSize: 64 });
    expect(parseCli(['--', '--digits', '2', '--save', 'out/m']).save).toBe('out/m');
    const errors: string[] = [];
    const strict = () => buildCli().exitOverride().configureOutput({ writeErr: (m) => errors.push(m), outputError: (m, write) => write(oneLineError(m)) });
    expect(() => strict().parse(['--digits', '9'], { from: 'user' })).toThrow();
    expect(() => strict().parse(['--epochs', '0'], { from: 'user' })).toThrow();
    expect(errors).toEqual([
      "addition: option '--digits <n>' argument '9' is invalid. --digits must be an integer from 1 to 6, got '9'; see --help\n",
      "addition: option '-e, --epochs <n>' argument '0' is invalid. --epochs must be a positive integer, got '0'; see --help\n",
    ]);
  });
});
