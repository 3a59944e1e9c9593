"""The X-ARES Track A head (LayerNorm + Linear, Adam, per-epoch cosine lr, batch 32) in PyTorch on
the CPU: the peer of the engine's probe in `npm run bench`. Reads x [n, dim] float32 and int32
labels from raw files, trains for the given epochs and prints one JSON line: the seconds of the
training loop and the mean training loss of each epoch.

Usage: probe_torch.py x.f32 y.i32 N D C EPOCHS THREADS"""
import json
import math
import sys
import time

import numpy as np
import torch


def main() -> None:
    x_path, y_path, n, dim, classes, epochs, threads = sys.argv[1:8]
    n, dim, classes, epochs, threads = int(n), int(dim), int(classes), int(epochs), int(threads)
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = torch.from_numpy(np.fromfile(x_path, dtype=np.float32).reshape(n, dim))
    y = torch.from_numpy(np.fromfile(y_path, dtype=np.int32).astype(np.int64))
    model = torch.nn.Sequential(torch.nn.LayerNorm(dim), torch.nn.Linear(dim, classes))
    lr = 1e-3
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(0)
    epoch_seconds = []
    losses = []
    started = time.perf_counter()
    for epoch in range(epochs):
        for group in optimizer.param_groups:
            group["lr"] = lr + (0.1 * lr - lr) / 2 * (1 - math.cos(math.pi * epoch / epochs))
        epoch_start = time.perf_counter()
        order = torch.randperm(n, generator=generator)
        loss_sum = 0.0
        for start in range(0, n, 32):
            index = order[start : start + 32]
            optimizer.zero_grad()
            loss = loss_fn(model(x[index]), y[index])
            loss.backward()
            optimizer.step()
            loss_sum += float(loss.detach()) * len(index)
        losses.append(loss_sum / n)
        epoch_seconds.append(time.perf_counter() - epoch_start)
    print(json.dumps({"seconds": time.perf_counter() - started, "epochSeconds": epoch_seconds,
                      "losses": losses, "torch": torch.__version__, "threads": threads}))


main()
