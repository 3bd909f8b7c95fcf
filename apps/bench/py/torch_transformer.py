"""PyTorch contender of the bench's transformer-train suite, as a long-lived worker.

Started once per thread count by src/suites/transformer-train.ts:
    python3 torch_transformer.py <spec.json> <threads>
It reads the data and the initial weights the TypeScript suite wrote (raw float32 files, Keras layouts,
and a JSON spec), builds the same pre-LayerNorm Transformer encoder block, prints one JSON line
({"ready": ...}), then answers commands, one JSON line each way, until stdin closes or
{"cmd": "quit"} arrives:
    {"cmd": "train", "batches": n}    ->  {"loss": mean loss, "ms": wall ms of the n training steps}
    {"cmd": "forward", "batches": n}  ->  {"ms": wall ms of n forward passes without gradients}
    {"cmd": "probs"}                  ->  {"probs": class probabilities of the first batch, flat}
Training cycles through the data's batches and continues from where the last command stopped (same
weights, same Adam state), as the Descent and TF.js contenders do.
"""
import json
import sys
import time

import torch
import torch.nn.functional as F


def read_floats(path, shape):
    with open(path, 'rb') as f:
        buf = bytearray(f.read())
    # .clone(): memory PyTorch allocated itself (tensors over foreign buffers ran slower).
    return torch.frombuffer(buf, dtype=torch.float32).reshape(shape).clone()


class EncoderBlock(torch.nn.Module):
    """x + MHA(LN(x)), then h + W2·gelu(W1·LN(h)), mean over the steps, Linear to the classes (logits).

    torch.nn.MultiheadAttention computes Keras's MultiHeadAttention math: q, k, v projections split
    into contiguous heads of head_dim features, q scaled by 1/sqrt(head_dim), softmax over the keys,
    heads concatenated and projected out."""

    def __init__(self, w, dim, heads, ff, classes):
        super().__init__()
        self.ln1 = torch.nn.LayerNorm(dim, eps=1e-3)  # Keras's default epsilon
        self.mha = torch.nn.MultiheadAttention(dim, heads, batch_first=True)
        self.ln2 = torch.nn.LayerNorm(dim, eps=1e-3)
        self.ff1 = torch.nn.Linear(dim, ff)
        self.ff2 = torch.nn.Linear(ff, dim)
        self.head = torch.nn.Linear(dim, classes)
        with torch.no_grad():
            self.ln1.weight.copy_(w['ln1/gamma'])
            self.ln1.bias.copy_(w['ln1/beta'])
            # Keras kernels [dim, heads, keyDim] -> [dim, heads*keyDim] -> torch's [out, in].
            flat = lambda k: k.reshape(k.shape[0], -1).t()
            self.mha.in_proj_weight.copy_(torch.cat([flat(w['mha/query/kernel']), flat(w['mha/key/kernel']), flat(w['mha/value/kernel'])], 0))
            self.mha.in_proj_bias.copy_(torch.cat([w['mha/query/bias'].flatten(), w['mha/key/bias'].flatten(), w['mha/value/bias'].flatten()]))
            # attention_output/kernel [heads, valueDim, dim] -> [heads*valueDim, dim] -> [dim, heads*valueDim].
            self.mha.out_proj.weight.copy_(w['mha/attention_output/kernel'].reshape(-1, dim).t())
            self.mha.out_proj.bias.copy_(w['mha/attention_output/bias'])
            self.ln2.weight.copy_(w['ln2/gamma'])
            self.ln2.bias.copy_(w['ln2/beta'])
            self.ff1.weight.copy_(w['ff1/kernel'].t())
            self.ff1.bias.copy_(w['ff1/bias'])
            self.ff2.weight.copy_(w['ff2/kernel'].t())
            self.ff2.bias.copy_(w['ff2/bias'])
            self.head.weight.copy_(w['head/kernel'].t())
            self.head.bias.copy_(w['head/bias'])

    def forward(self, x):
        a = self.ln1(x)
        h = x + self.mha(a, a, a, need_weights=False)[0]
        h = h + self.ff2(F.gelu(self.ff1(self.ln2(h))))
        return self.head(h.mean(1))


def main():
    spec = json.load(open(sys.argv[1]))
    threads = int(sys.argv[2])
    torch.set_num_threads(threads)
    b, t, d = spec['batch'], spec['steps'], spec['dim']
    count = spec['batches']
    x = read_floats(spec['x'], [count, b, t, d])
    y = read_floats(spec['y'], [count, b]).long()
    weights = {name: read_floats(path, shape) for name, path, shape in zip(spec['names'], spec['weights'], spec['shapes'])}
    model = EncoderBlock(weights, d, spec['heads'], spec['ff'], spec['classes'])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    state = {'next': 0}

    def run(batches):
        total = 0.0
        for _ in range(batches):
            i = state['next']
            state['next'] = (i + 1) % count
            opt.zero_grad()
            loss = F.cross_entropy(model(x[i]), y[i])
            loss.backward()
            opt.step()
            total += loss.item()
        return total / batches

    def reply(obj):
        sys.stdout.write(json.dumps(obj) + '\n')
        sys.stdout.flush()

    reply({'ready': True, 'version': torch.__version__, 'threads': torch.get_num_threads()})
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd['cmd'] == 'quit':
            break
        if cmd['cmd'] == 'train':
            t0 = time.perf_counter()
            loss = run(int(cmd['batches']))
            reply({'loss': loss, 'ms': (time.perf_counter() - t0) * 1000})
        elif cmd['cmd'] == 'forward':
            with torch.no_grad():
                t0 = time.perf_counter()
                for j in range(int(cmd['batches'])):
                    torch.softmax(model(x[j % count]), 1)
                reply({'ms': (time.perf_counter() - t0) * 1000})
        elif cmd['cmd'] == 'probs':
            with torch.no_grad():
                reply({'probs': torch.softmax(model(x[0]), 1).flatten().tolist()})
        else:
            reply({'error': 'unknown command ' + repr(cmd['cmd'])})


if __name__ == '__main__':
    main()
