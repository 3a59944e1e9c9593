"""PyTorch peer of the encoder benchmark: the same encoder file and seed as the ONNX export, run
on a batch of clips with torch.inference_mode, on CUDA (fp32 and TF32) when available, else on
the CPU. Prints one JSON line: the median seconds per batch per mode."""

from __future__ import annotations

import importlib.util
import json
import statistics
import sys
import time

import torch


def main() -> None:
    path, batch, seconds, repetitions, threads = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(threads)
    spec = importlib.util.spec_from_file_location("encoder_module", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cls = next(v for k, v in vars(module).items() if k.endswith("Encoder") and isinstance(v, type))
    encoder = cls().eval()
    generator = torch.Generator().manual_seed(1)
    audio = 0.1 * torch.randn(batch, int(seconds * encoder.sampling_rate), generator=generator)
    modes = {}
    devices = ["cuda"] if torch.cuda.is_available() else ["cpu"]
    for device in devices:
        model = encoder.to(device)
        x = audio.to(device)
        variants = [("fp32", False), ("tf32", True)] if device == "cuda" else [("fp32", False)]
        for name, tf32 in variants:
            if device == "cuda":
                torch.backends.cuda.matmul.allow_tf32 = tf32
                torch.backends.cudnn.allow_tf32 = tf32
            times = []
            with torch.inference_mode():
                model(x)
                for _ in range(repetitions):
                    if device == "cuda":
                        torch.cuda.synchronize()
                    started = time.perf_counter()
                    model(x)
                    if device == "cuda":
                        torch.cuda.synchronize()
                    times.append(time.perf_counter() - started)
            modes[f"{device} {name}"] = statistics.median(times)
    print(json.dumps({"torch": torch.__version__, "threads": threads, "seconds": modes}))


if __name__ == "__main__":
    main()
