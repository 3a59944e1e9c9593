#!/usr/bin/env python3
"""Export an X-ARES-style PyTorch audio encoder to ONNX, with a filled submission manifest.

The encoder is written as for the X-ARES template: a torch.nn.Module whose class name ends in
"Encoder", with the attributes ``sampling_rate``, ``output_dim`` and ``hop_size_in_ms``, and
``forward(audio)`` mapping a float waveform [B, T] to frame embeddings [B, T', D].

    python tools/export_onnx.py my_encoder.py --out submissions/my-team-encoder \\
        --team "My Team" --affiliation "My Lab" --name "MyEncoder" --version 1.0

writes ``model.onnx`` (dynamic batch and length axes) and ``manifest.json`` into ``--out``, then
verifies the export: ``onnx.checker``, the frame spacing against ``hop_size_in_ms``, and, when
the ``onnxruntime`` Python package is installed, the ONNX outputs against PyTorch's on several
batch sizes and lengths. Finish with ``npm run check -- <out>``, which runs the leaderboard's
own checks in onnxruntime-node.

``python tools/export_onnx.py --self-test`` exports a small conv + transformer encoder defined
below and verifies it the same way. Works with PyTorch 1.13 and 2.x.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import inspect
import json
import math
import sys
import tempfile
from pathlib import Path

import torch
from torch import nn

MANIFEST_SCHEMA = "../../schemas/manifest.schema.json"


def load_encoder_class(path: Path, class_name: str | None) -> type[nn.Module]:
    """Import ``path`` and return the encoder class: ``class_name``, or the one class ending in "Encoder"."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"error: cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    if class_name:
        found = getattr(module, class_name, None)
        if found is None:
            raise SystemExit(f"error: {path} has no class {class_name}")
        return found
    candidates = [
        value
        for name, value in vars(module).items()
        if inspect.isclass(value) and issubclass(value, nn.Module) and name.endswith("Encoder") and value.__module__ == module.__name__
    ]
    if len(candidates) != 1:
        names = ", ".join(c.__name__ for c in candidates) or "none"
        raise SystemExit(f"error: expected exactly one nn.Module class ending in 'Encoder' in {path} (found: {names}); pass --class")
    return candidates[0]


def contract_of(encoder: nn.Module) -> tuple[int, int, float]:
    """The X-ARES attributes, checked: (sampling_rate, output_dim, hop_size_in_ms)."""
    missing = [name for name in ("sampling_rate", "output_dim", "hop_size_in_ms") if not hasattr(encoder, name)]
    if missing:
        raise SystemExit(f"error: the encoder lacks {', '.join(missing)} (see the X-ARES template)")
    rate, dim, hop = encoder.sampling_rate, encoder.output_dim, encoder.hop_size_in_ms
    if int(rate) != rate or rate <= 0:
        raise SystemExit(f"error: sampling_rate must be a positive integer (got {rate!r})")
    if int(dim) != dim or dim <= 0:
        raise SystemExit(f"error: output_dim must be a positive integer (got {dim!r})")
    if not hop > 0:
        raise SystemExit(f"error: hop_size_in_ms must be positive (got {hop!r})")
    return int(rate), int(dim), float(hop)


def probe(encoder: nn.Module, batch: int, seconds: float, rate: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    audio = (0.3 * torch.randn(batch, max(1, round(seconds * rate)), generator=generator)).clamp(-1, 1)
    with torch.no_grad():
        return audio, encoder(audio)


def measured_hop_ms(encoder: nn.Module, rate: int) -> float:
    """Frame spacing from the difference of frame counts between 2 s and 10 s of audio."""
    _, short = probe(encoder, 1, 2.0, rate)
    _, long = probe(encoder, 1, 10.0, rate)
    return 8000.0 / max(1, long.shape[1] - short.shape[1])


def export(encoder: nn.Module, out: Path, rate: int, opset: int, trace_seconds: float) -> Path:
    path = out / "model.onnx"
    dummy, _ = probe(encoder, 2, trace_seconds, rate)
    kwargs = dict(
        input_names=["waveform"],
        output_names=["embeddings"],
        dynamic_axes={"waveform": {0: "batch", 1: "samples"}, "embeddings": {0: "batch", 1: "frames"}},
        opset_version=opset,
        do_constant_folding=True,
    )
    # PyTorch >= 2.5 has a second (dynamo) exporter; the TorchScript one handles dynamic_axes.
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    with torch.no_grad():
        torch.onnx.export(encoder, (dummy,), str(path), **kwargs)
    return path


def verify_onnx(encoder: nn.Module, path: Path, rate: int) -> None:
    import onnx

    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    external = [t.name for t in model.graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL]
    if external:
        raise SystemExit(f"error: the export stored tensors outside the file: {external}")
    print(f"onnx.checker: {path} is valid (opset {model.opset_import[0].version}, {len(model.graph.node)} nodes)")
    try:
        import onnxruntime
    except ImportError:
        print("onnxruntime (Python) is not installed: skipped comparing ONNX and PyTorch outputs here;")
        print("`npm run check -- <folder>` runs the model in onnxruntime-node instead.")
        return
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    worst = 0.0
    for batch, seconds in ((1, 0.5), (2, 1.0), (3, 3.3)):
        audio, expected = probe(encoder, batch, seconds, rate, seed=batch)
        (actual,) = session.run(None, {"waveform": audio.numpy()})
        if tuple(actual.shape) != tuple(expected.shape):
            raise SystemExit(f"error: onnxruntime returns {tuple(actual.shape)} but PyTorch {tuple(expected.shape)} for [{batch}, {audio.shape[1]}]")
        scale = max(1.0, float(expected.abs().max()))
        worst = max(worst, float((torch.from_numpy(actual) - expected).abs().max()) / scale)
    if worst > 1e-4:
        raise SystemExit(f"error: onnxruntime and PyTorch outputs differ by {worst:.2e} (relative)")
    print(f"onnxruntime {onnxruntime.__version__}: outputs equal PyTorch's within {worst:.1e} (relative) on 3 batch sizes and lengths")


def write_reference(encoder: nn.Module, path: Path, rate: int) -> None:
    """A probe input and PyTorch's output for it, for checking the export in another runtime."""
    audio, output = probe(encoder, 2, 0.75, rate, seed=7)
    reference = {
        "input": {"dims": list(audio.shape), "data": audio.flatten().tolist()},
        "output": {"dims": list(output.shape), "data": output.flatten().tolist()},
    }
    path.write_text(json.dumps(reference) + "\n", encoding="utf-8")
    print(f"wrote the PyTorch reference output to {path}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(out: Path, model: Path, args: argparse.Namespace, rate: int, dim: int, hop: float) -> Path:
    manifest = {
        "$schema": MANIFEST_SCHEMA,
        "team": args.team,
        "affiliation": args.affiliation,
        "model": {"name": args.name, "version": args.version},
        "description": args.description,
        "links": {},
        "license": args.license,
        # The attestations are the team's to make: left empty (and refused by the checker) unless
        # given on the command line.
        "trainingData": {
            "description": args.training_data,
            "availability": args.training_data_availability,
            "evaluationOverlap": args.evaluation_overlap,
        },
        "encoder": {"file": model.name, "sha256": sha256_of(model), "sizeBytes": model.stat().st_size},
        "sampleRate": rate,
        "embeddingDim": dim,
        "hopMs": hop,
        "maxInputSeconds": args.max_input_seconds,
    }
    path = out / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    empty = [key for key in ("team", "affiliation", "description", "license") if not manifest[key]]
    empty += [f"model.{key}" for key in ("name", "version") if not manifest["model"][key]]
    if not manifest["trainingData"]["description"]:
        empty.append("trainingData.description")
    if empty:
        print(f"fill in before submitting: {', '.join(empty)} in {path}")
    if not manifest["trainingData"]["availability"] or not manifest["trainingData"]["evaluationOverlap"]:
        print("state what you can attest: trainingData.availability (public, not-public or unknown) and "
              "trainingData.evaluationOverlap (none, some or unknown), or pass --training-data-availability "
              "and --evaluation-overlap")
    return path


def run(encoder_class: type[nn.Module], args: argparse.Namespace) -> Path:
    encoder = encoder_class().eval()
    rate, dim, hop = contract_of(encoder)
    _, output = probe(encoder, 2, 50000 / rate, rate)
    if output.ndim != 3 or output.shape[0] != 2 or output.shape[2] != dim:
        raise SystemExit(f"error: the X-ARES probe [2, 50000] gives {tuple(output.shape)}; expected (2, T, {dim})")
    hop_measured = measured_hop_ms(encoder, rate)
    if not math.isclose(hop_measured, hop, rel_tol=0.05):
        print(f"warning: hop_size_in_ms is {hop} but the model emits a frame every {hop_measured:.1f} ms; "
              "the checker will reject a wrong hop, fix the attribute")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model = export(encoder, out, rate, args.opset, min(args.max_input_seconds, 2.0))
    verify_onnx(encoder, model, rate)
    if args.reference:
        write_reference(encoder, Path(args.reference), rate)
    manifest = write_manifest(out, model, args, rate, dim, hop)
    print(f"wrote {model} ({model.stat().st_size} bytes) and {manifest}")
    print(f"next: npm run check -- {out}")
    return model


# --- self-test: a small conv + transformer encoder, written like an X-ARES template encoder ----


class SelfTestBlock(nn.Module):
    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.scale = 1.0 / math.sqrt(dim // heads)
        self.norm1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, frames, dim = x.shape
        qkv = self.qkv(self.norm1(x)).reshape(batch, frames, 3, self.heads, dim // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attention = torch.softmax((q @ k.transpose(-2, -1)) * self.scale, dim=-1)
        x = x + self.proj((attention @ v).transpose(1, 2).reshape(batch, frames, dim))
        return x + self.mlp(self.norm2(x))


class SelfTestEncoder(nn.Module):
    """Conv front end (25 ms windows, 20 ms hop) + two transformer blocks, D = 64."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.sampling_rate = 16000
        self.output_dim = 64
        self.hop_size_in_ms = 20
        self.frontend = nn.Sequential(nn.Conv1d(1, 32, 400, stride=320, padding=200), nn.GELU(), nn.Conv1d(32, 64, 3, padding=1))
        self.blocks = nn.ModuleList([SelfTestBlock(64, 4) for _ in range(2)])
        self.norm = nn.LayerNorm(64)

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        x = self.frontend(audio.unsqueeze(1)).transpose(1, 2)
        for block in self.blocks:
            x = block(x)
        return self.norm(x)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("encoder_file", nargs="?", type=Path, help="Python file defining the encoder class")
    parser.add_argument("--class", dest="class_name", help="encoder class name (default: the one ending in 'Encoder')")
    parser.add_argument("--out", help="submission folder to write (default for --self-test: a temporary folder)")
    parser.add_argument("--opset", type=int, default=17, help="ONNX opset (default 17)")
    parser.add_argument("--max-input-seconds", type=float, default=10.0, help="longest input per encoder call (default 10)")
    parser.add_argument("--team", default="")
    parser.add_argument("--affiliation", default="")
    parser.add_argument("--name", default="")
    parser.add_argument("--version", default="")
    parser.add_argument("--description", default="")
    parser.add_argument("--license", default="")
    parser.add_argument("--training-data", default="", help="what the encoder was trained on")
    parser.add_argument("--training-data-availability", default="", choices=["", "public", "not-public", "unknown"],
                        help="whether every training dataset is public (left for you to fill in if not given)")
    parser.add_argument("--evaluation-overlap", default="", choices=["", "none", "some", "unknown"],
                        help="whether training used any evaluation dataset of the suite")
    parser.add_argument("--reference", help="also write a probe input and PyTorch's output to this JSON file")
    parser.add_argument("--self-test", action="store_true", help="export and verify the built-in test encoder")
    args = parser.parse_args(argv)
    print(f"torch {torch.__version__}")
    if args.self_test:
        args.out = args.out or tempfile.mkdtemp(prefix="export-onnx-self-test-")
        for key, value in (("team", "Self test"), ("affiliation", "tools/export_onnx.py"), ("name", "SelfTestEncoder"),
                           ("version", "1"), ("description", "Conv + transformer test encoder."), ("license", "MIT"),
                           ("training_data", "None: random weights."),
                           # True of the built-in encoder, which was never trained on anything.
                           ("training_data_availability", "public"), ("evaluation_overlap", "none")):
            setattr(args, key, getattr(args, key) or value)
        run(SelfTestEncoder, args)
        return 0
    if args.encoder_file is None or args.out is None:
        parser.error("give ENCODER_FILE and --out (or --self-test)")
    run(load_encoder_class(args.encoder_file, args.class_name), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
