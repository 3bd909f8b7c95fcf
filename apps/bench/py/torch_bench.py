"""PyTorch contender of the bench's mlp-train / cnn-train suites, as a long-lived worker.

Started once per thread count by src/suites/pytorch.ts:
    python3 torch_bench.py <spec.json> <threads>
It reads the data and initial weights the TypeScript suite wrote (raw float32 files and a JSON spec),
builds the same model, prints one JSON line ({"ready": ...}), then answers commands, one JSON line
each way, until stdin closes or {"cmd": "quit"} arrives:
    {"cmd": "train", "batches": n}  ->  {"loss": mean loss, "ms": wall ms of the n steps}
Training continues from where the last command stopped (same model, same Adam state), as the
Descent and TF.js contenders do; the suite interleaves these commands with their runs.
"""
import json
import sys
import time

import torch
import torch.nn.functional as F


def read_floats(path, shape):
    with open(path, 'rb') as f:
        buf = bytearray(f.read())
    # .clone(): memory PyTorch allocated itself (tensors over foreign buffers ran ~1.4x slower).
    return torch.frombuffer(buf, dtype=torch.float32).reshape(shape).clone()


class Mlp(torch.nn.Module):
    def __init__(self, w):
        super().__init__()
        # Keras kernels are [in, out]; torch.nn.Linear keeps [out, in].
        self.fc1 = torch.nn.Linear(784, 128)
        self.fc2 = torch.nn.Linear(128, 10)
        with torch.no_grad():
            self.fc1.weight.copy_(w[0].t())
            self.fc1.bias.copy_(w[1])
            self.fc2.weight.copy_(w[2].t())
            self.fc2.bias.copy_(w[3])

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class Cnn(torch.nn.Module):
    def __init__(self, w):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 32, 3)
        self.conv2 = torch.nn.Conv2d(32, 64, 3)
        self.fc = torch.nn.Linear(1600, 10)
        with torch.no_grad():
            # Keras conv kernels are [kh, kw, in, out]; torch wants [out, in, kh, kw].
            self.conv1.weight.copy_(w[0].permute(3, 2, 0, 1))
            self.conv1.bias.copy_(w[1])
            self.conv2.weight.copy_(w[2].permute(3, 2, 0, 1))
            self.conv2.bias.copy_(w[3])
            self.fc.weight.copy_(w[4].t())
            self.fc.bias.copy_(w[5])

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        # Flatten in NHWC order, as Keras's Flatten does, so the dense kernel lines up.
        return self.fc(x.permute(0, 2, 3, 1).flatten(1))


class Recurrent(torch.nn.Module):
    """The rnn-train models (issue 20): 28 rows of 28 pixels as time steps -> LSTM(128) or GRU(128), or
    LSTM(128, all steps) -> LSTM(128) ('lstm2'), -> Linear(10) on the last step's output."""

    def __init__(self, kind, w):
        super().__init__()
        u = w[1].shape[0]
        if kind == 'gru':
            # Keras GRU (resetAfter, PyTorch's math too): gates z, r, h along the columns, bias [2, 3u]
            # (input, recurrent); PyTorch orders them r, z, n.
            def order(m):
                return torch.cat([m[..., u:2 * u], m[..., :u], m[..., 2 * u:]], -1)
            self.rnns = torch.nn.ModuleList([torch.nn.GRU(28, u, batch_first=True)])
            with torch.no_grad():
                g = self.rnns[0]
                g.weight_ih_l0.copy_(order(w[0]).t())
                g.weight_hh_l0.copy_(order(w[1]).t())
                g.bias_ih_l0.copy_(order(w[2][0]))
                g.bias_hh_l0.copy_(order(w[2][1]))
            dense = 3
        else:
            # Keras LSTM: gates i, f, c, o along the columns, as PyTorch's i, f, g, o; one bias (bias_hh 0).
            layers = 2 if kind == 'lstm2' else 1
            self.rnns = torch.nn.ModuleList([torch.nn.LSTM(28 if l == 0 else u, u, batch_first=True) for l in range(layers)])
            with torch.no_grad():
                for l, r in enumerate(self.rnns):
                    r.weight_ih_l0.copy_(w[3 * l].t())
                    r.weight_hh_l0.copy_(w[3 * l + 1].t())
                    r.bias_ih_l0.copy_(w[3 * l + 2])
                    r.bias_hh_l0.zero_()
            dense = 3 * layers
        self.fc = torch.nn.Linear(u, 10)
        with torch.no_grad():
            self.fc.weight.copy_(w[dense].t())
            self.fc.bias.copy_(w[dense + 1])

    def forward(self, x):
        for r in self.rnns:
            x, _ = r(x)
        return self.fc(x[:, -1])


def matmul_gflops(n=256, reps=20):
    """Speed of torch.mm at n x n: Debian's python3-torch calls whatever libblas.so.3 points to, and the
    reference BLAS (libblas3) runs ~50x slower than OpenBLAS, which would make PyTorch look slow."""
    a = torch.rand(n, n)
    b = torch.rand(n, n)
    torch.mm(a, b)
    t0 = time.perf_counter()
    for _ in range(reps):
        torch.mm(a, b)
    return 2 * n ** 3 * reps / (time.perf_counter() - t0) / 1e9


def main():
    spec = json.load(open(sys.argv[1]))
    threads = int(sys.argv[2])
    torch.set_num_threads(threads)
    kind = spec['kind']
    n = spec['trainSize']
    recurrent = kind in ('lstm', 'gru', 'lstm2')
    x = read_floats(spec['x'], [n, 784] if kind == 'mlp' else [n, 28, 28] if recurrent else [n, 28, 28, 1])
    if kind == 'cnn':
        x = x.permute(0, 3, 1, 2).contiguous()
    y = read_floats(spec['y'], [n, 10])
    weights = [read_floats(p, s) for p, s in zip(spec['weights'], spec['shapes'])]
    model = Mlp(weights) if kind == 'mlp' else Recurrent(kind, weights) if recurrent else Cnn(weights)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    batch = spec['batch']

    def run(batches):
        total = 0.0
        for b in range(batches):
            xb = x[b * batch:(b + 1) * batch]
            yb = y[b * batch:(b + 1) * batch]
            opt.zero_grad()
            loss = -(yb * F.log_softmax(model(xb), dim=1)).sum(1).mean()
            loss.backward()
            opt.step()
            total += loss.item()
        return total / batches

    def reply(obj):
        sys.stdout.write(json.dumps(obj) + '\n')
        sys.stdout.flush()

    reply({'ready': True, 'version': torch.__version__, 'threads': torch.get_num_threads(), 'gflops': matmul_gflops()})
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd['cmd'] == 'quit':
            break
        if cmd['cmd'] == 'predict':
            # Inference on the first n training inputs in batches: {"ms": wall ms of the whole pass}.
            with torch.no_grad():
                t0 = time.perf_counter()
                for b in range(0, int(cmd['n']), int(cmd['batch'])):
                    torch.softmax(model(x[b:b + int(cmd['batch'])]), 1)
                reply({'ms': (time.perf_counter() - t0) * 1000})
            continue
        if cmd['cmd'] != 'train':
            reply({'error': 'unknown command ' + repr(cmd['cmd'])})
            continue
        t0 = time.perf_counter()
        loss = run(int(cmd['batches']))
        reply({'loss': loss, 'ms': (time.perf_counter() - t0) * 1000})


if __name__ == '__main__':
    main()
