#!/usr/bin/env python3
"""Export an X-ARES-style PyTorch audio encoder to ONNX, with a filled submission manifest.

The encoder is written as for the X-ARES template: a torch.nn.Module whose class name ends in
"Encoder", with the attributes ``sampling_rate``, ``output_dim`` and ``hop_size_in_ms``, and
``forward(audio)`` mapping a float waveform [B, T] in [-1, 1] to frame embeddings [B, T', D].

    python tools/export_onnx.py my_encoder.py --out submissions/my-team-encoder \\
        --team "My Team" --affiliation "My Lab" --name "MyEncoder" --version 1.0 \\
        --description "..." --license MIT --training-data "..." --max-input-seconds 10 \\
        --training-data-availability unknown --evaluation-overlap unknown

writes ``model.onnx`` (dynamic batch and length axes) and ``manifest.json`` into ``--out``.

What it does for you:
- the encoder file's folder is importable (its own modules load as they do in training);
- ``torch.stft`` and torchaudio's spectrogram front ends (Spectrogram, MelSpectrogram), which
  the TorchScript exporter cannot export, are replaced during export by the same transform as a
  convolution with a DFT basis (``onnx_friendly_stft`` in tools/onnx_stft.py); the PyTorch
  model itself is untouched;
- after export it runs the ONNX model through the leaderboard's own onnxruntime-node (this
  repository's ``node_modules``) at 1 s, 10 s, ``--max-input-seconds`` and an odd length, and
  prints the largest difference from PyTorch at each; a real difference is an error;
- it reports code whose path depends on the input length (the tracer freezes the path taken for
  the traced input), a graph with no inputs, a model over GitHub's 100 MB file limit (and how
  to submit it from a URL), and offers ``--float16`` weights to halve the file;
- it never fills in the training-data attestations: they are yours to make.

Finish with ``npm run check -- <out>``. ``python tools/export_onnx.py --self-test`` exports a
small conv + transformer encoder (tools/export_self_test.py) and verifies it the same way. Works
with PyTorch 1.13 (TorchScript exporter) and 2.x (``--exporter dynamo`` where it exists).
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import torch
from torch import nn

import onnx_stft
from export_errors import fail
from export_manifest import sha256_of, write_manifest
from export_self_test import SelfTestEncoder
from onnx_stft import stft_substituted

REPOSITORY = Path(__file__).resolve().parent.parent
GITHUB_FILE_LIMIT = 100 * 1000 * 1000
# Relative difference (to the largest PyTorch output value) above which the export is wrong.
# float32 DFT-by-convolution against PyTorch's FFT differs by about 1e-6 of the largest value.
RELATIVE_TOLERANCE = 1e-3


def load_encoder_class(path: Path, class_name: str | None) -> type[nn.Module]:
    """Import ``path`` (its folder first on sys.path) and return the encoder class."""
    if not path.is_file():
        fail(f"{path} does not exist")
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        # The encoder's own modules (layers.py, utils/...) import as they do in its repository.
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        fail(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    if class_name:
        found = getattr(module, class_name, None)
        if found is None:
            fail(f"{path} has no class {class_name}")
        return found
    candidates = [
        value
        for name, value in vars(module).items()
        if inspect.isclass(value) and issubclass(value, nn.Module) and name.endswith("Encoder") and value.__module__ == module.__name__
    ]
    if len(candidates) != 1:
        names = ", ".join(c.__name__ for c in candidates) or "none"
        fail(f"expected exactly one nn.Module class ending in 'Encoder' in {path} (found: {names}); pass --class")
    return candidates[0]


def contract_of(encoder: nn.Module) -> tuple[int, int, float]:
    """The X-ARES attributes, checked: (sampling_rate, output_dim, hop_size_in_ms)."""
    missing = [name for name in ("sampling_rate", "output_dim", "hop_size_in_ms") if not hasattr(encoder, name)]
    if missing:
        fail(f"the encoder lacks {', '.join(missing)} (see the X-ARES template)")
    rate, dim, hop = encoder.sampling_rate, encoder.output_dim, encoder.hop_size_in_ms
    if int(rate) != rate or rate <= 0:
        fail(f"sampling_rate must be a positive integer (got {rate!r})")
    if int(dim) != dim or dim <= 0:
        fail(f"output_dim must be a positive integer (got {dim!r})")
    if not hop > 0:
        fail(f"hop_size_in_ms must be positive (got {hop!r})")
    return int(rate), int(dim), float(hop)


def waveform(batch: int, samples: int, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return (0.3 * torch.randn(batch, max(1, samples), generator=generator)).clamp(-1, 1)


def run_torch(encoder: nn.Module, audio: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return encoder(audio)


# --- export ------------------------------------------------------------------------------------


def export(encoder: nn.Module, out: Path, rate: int, args: argparse.Namespace) -> tuple[Path, list[str]]:
    """Trace and export; returns the model path and the length-dependent code the tracer saw."""
    path = out / "model.onnx"
    samples = round(args.trace_seconds * rate)
    dummy = waveform(2, samples)
    kwargs: dict[str, Any] = dict(
        input_names=["waveform"],
        output_names=["embeddings"],
        dynamic_axes={"waveform": {0: "batch", 1: "samples"}, "embeddings": {0: "batch", 1: "frames"}},
        opset_version=args.opset,
        do_constant_folding=True,
    )
    has_dynamo = "dynamo" in inspect.signature(torch.onnx.export).parameters
    exporter = args.exporter
    if exporter == "dynamo" and not has_dynamo:
        fail(f"torch {torch.__version__} has no dynamo exporter; use --exporter torchscript")
    caught: list[warnings.WarningMessage] = []
    errors: list[str] = []
    attempts = ["dynamo"] if exporter == "dynamo" else ["torchscript"] + (["dynamo"] if exporter == "auto" and has_dynamo else [])
    for attempt in attempts:
        call = dict(kwargs)
        if has_dynamo:
            call["dynamo"] = attempt == "dynamo"
        if attempt == "dynamo":
            # The newer exporter takes dynamic shapes instead of dynamic_axes and exports STFT itself.
            call.pop("dynamic_axes")
            batch, length = torch.export.Dim("batch"), torch.export.Dim("samples")  # type: ignore[attr-defined]
            call["dynamic_shapes"] = ({0: batch, 1: length},)
        try:
            with warnings.catch_warnings(record=True) as recorded, torch.no_grad(), stft_substituted(attempt == "torchscript" and not args.no_stft_substitution):
                warnings.simplefilter("always")
                torch.onnx.export(encoder, (dummy,), str(path), **call)
            caught = list(recorded)
            print(f"exported with the {attempt} exporter, traced on [2, {samples}] ({args.trace_seconds:g} s)")
            break
        except SystemExit:
            raise
        except Exception as error:  # noqa: BLE001 - every exporter failure is reported, then the next one tried
            errors.append(f"{attempt} exporter: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
    else:
        fail("the export failed: " + "; ".join(errors) +
             "\nfix: an operator the exporter does not know; replace it with standard torch operations (see the guide's pitfalls)")
    branches: list[str] = []
    for warning in caught:
        # The substitution's own conversion of the window to numpy is not the encoder's code.
        if issubclass(warning.category, torch.jit.TracerWarning) and Path(warning.filename).resolve() != Path(onnx_stft.__file__).resolve():
            where = f"{Path(warning.filename).name}:{warning.lineno}"
            text = re.split(r"\.\s", str(warning.message))[0]
            line = f"{where}: {text}"
            if line not in branches:
                branches.append(line)
    return path, branches


def verify_graph(path: Path) -> None:
    import onnx

    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    external = [t.name for t in model.graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL]
    if external:
        fail(f"the export stored tensors outside the file: {external}")
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i.name for i in model.graph.input if i.name not in initializers]
    if not inputs:
        fail("the exported graph has no inputs: forward computed its features outside torch (numpy, librosa, "
             ".item(), .tolist()), so the tracer recorded them as constants and the model ignores its input; "
             "compute them with torch or torchaudio operations on the input tensor")
    print(f"onnx.checker: {path} is valid (opset {model.opset_import[0].version}, {len(model.graph.node)} nodes)")


def to_float16_weights(path: Path) -> None:
    """Store large float32 initializers as float16, cast back to float32 where used: the file
    halves, the computation stays float32 (the comparison below shows what the rounding costs)."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    casts = []
    for tensor in graph.initializer:
        if tensor.data_type != onnx.TensorProto.FLOAT or math.prod(tensor.dims) < 1024:
            continue
        values = numpy_helper.to_array(tensor).astype(np.float16)
        name = tensor.name
        half = numpy_helper.from_array(values, f"{name}__float16")
        tensor.CopyFrom(half)
        casts.append(helper.make_node("Cast", [f"{name}__float16"], [name], to=onnx.TensorProto.FLOAT, name=f"{name}__to_float32"))
    for node in reversed(casts):
        graph.node.insert(0, node)
    onnx.save(model, str(path))
    print(f"--float16: {len(casts)} weight tensors stored as float16")


def node_runner() -> list[str] | None:
    """The command that runs tools/run-onnx.ts with this repository's Node and onnxruntime-node."""
    local = REPOSITORY / "node_modules" / ".bin" / "node"
    if not (REPOSITORY / "node_modules" / "onnxruntime-node").is_dir():
        return None
    node = str(local) if local.exists() else shutil.which("node")
    if node is None:
        return None
    return [node, str(REPOSITORY / "tools" / "run-onnx.ts")]


def compare(encoder: nn.Module, path: Path, rate: int, max_input_seconds: float, args_trace_seconds: float) -> list[dict[str, Any]]:
    """ONNX (onnxruntime-node) against PyTorch at 1 s, 10 s, the maximum input and an odd length."""
    import numpy as np

    runner = node_runner()
    if runner is None:
        print(f"warning: not compared with PyTorch: {REPOSITORY / 'node_modules'} has no onnxruntime-node; run npm install in the repository first")
        return []
    max_samples = math.floor(max_input_seconds * rate)
    cases = [
        ("1 s, batch of 2", 2, rate),
        ("10 s", 1, 10 * rate),
        (f"maxInputSeconds ({max_input_seconds:g} s)", 1, max_samples),
        ("an odd length (2.5 s + 3 samples)", 1, round(2.5 * rate) + 3),
    ]
    seen: set[int] = set()
    cases = [case for case in cases if case[2] <= max_samples and not (case[2] in seen or seen.add(case[2]))]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="export-compare-") as work:
        inputs, expected = [], []
        for i, (label, batch, samples) in enumerate(cases):
            audio = waveform(batch, samples, seed=i + 1)
            file = Path(work) / f"input-{i}.f32"
            audio.numpy().astype("<f4").tofile(file)
            inputs.append({"file": str(file), "dims": list(audio.shape)})
            expected.append(run_torch(encoder, audio).numpy())
        request = Path(work) / "request.json"
        request.write_text(json.dumps({"inputs": inputs}), encoding="utf-8")
        done = subprocess.run([*runner, str(path), str(request)], capture_output=True, text=True, cwd=REPOSITORY)
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
            fail(f"{reason}\nfix: the exported graph does not run at every length: a length-dependent path frozen at the traced "
                 f"{args_trace_seconds:g} s (see the warnings above) is the usual cause; make it a tensor operation, "
                 "or keep every call within the traced path (maxInputSeconds)")
        outputs = json.loads(done.stdout.strip().splitlines()[-1])["outputs"]
        for (label, batch, samples), want, got in zip(cases, expected, outputs):
            actual = np.fromfile(got["file"], dtype="<f4").reshape(got["dims"])
            if tuple(actual.shape) != tuple(want.shape):
                fail(f"at {label} ([{batch}, {samples}]) onnxruntime-node returns {list(actual.shape)} but PyTorch {list(want.shape)}: "
                     "the graph froze a length-dependent path at the traced length (see the warnings above)")
            difference = float(np.abs(actual.astype(np.float64) - want.astype(np.float64)).max())
            scale = max(1e-12, float(np.abs(want).max()))
            rows.append({"length": label, "samples": samples, "maxAbsDifference": difference, "relative": difference / scale})
    print("ONNX (onnxruntime-node) against PyTorch:")
    for row in rows:
        print(f"  {row['length']:<40} largest difference {row['maxAbsDifference']:.2e} ({row['relative']:.1e} of the largest value)")
    worst = max(rows, key=lambda row: row["relative"])
    if worst["relative"] > RELATIVE_TOLERANCE:
        fail(f"ONNX and PyTorch differ by {worst['relative']:.1e} of the largest value at {worst['length']}: "
             "a length-dependent path frozen at the traced length (see the warnings above), or an operator that exports differently")
    return rows


def run(encoder_class: type[nn.Module], args: argparse.Namespace) -> Path:
    encoder = encoder_class().eval()
    rate, dim, hop = contract_of(encoder)
    output = run_torch(encoder, waveform(2, 50000))
    if output.ndim != 3 or output.shape[0] != 2 or output.shape[2] != dim:
        fail(f"the X-ARES probe [2, 50000] gives {tuple(output.shape)}; expected (2, T, {dim})")
    out = Path(args.out)
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", out.name):
        suggestion = re.sub(r"[^a-z0-9]+", "-", out.name.lower()).strip("-") or "my-team-encoder"
        fail(f"--out {out}: the folder name \"{out.name}\" is not a valid submission slug; use lowercase letters, "
             f"digits and single hyphens, for example --out {out.parent / suggestion}")
    out.mkdir(parents=True, exist_ok=True)
    if args.trace_seconds is None:
        args.trace_seconds = min(args.max_input_seconds, 2.0)
    model, branches = export(encoder, out, rate, args)
    for branch in branches:
        print(f"warning: length-dependent code at {branch}: the graph keeps the path taken for the traced "
              f"{args.trace_seconds:g} s input; the comparison below shows whether other lengths still agree "
              "(if not: make the branch a tensor operation, or trace at another --trace-seconds)")
    verify_graph(model)
    if args.float16:
        to_float16_weights(model)
    compare(encoder, model, rate, args.max_input_seconds, args.trace_seconds)
    size = model.stat().st_size
    if size > GITHUB_FILE_LIMIT:
        print(f"warning: {model} is {size / 1e6:.0f} MB, over GitHub's 100 MB file limit, so it cannot be committed: "
              "host the file (a release asset or any https server), replace \"encoder\": {\"file\": ...} in the manifest "
              f"with {{\"url\": \"https://...\", \"sha256\": \"{sha256_of(model)}\", \"sizeBytes\": {size}}}, "
              "and leave model.onnx out of the pull request" + ("" if args.float16 else "; or export again with --float16 to halve it"))
    manifest = write_manifest(out, model, args, rate, dim, hop)
    print(f"wrote {model} ({size} bytes) and {manifest}")
    print(f"next: npm run check -- {out}")
    return model


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
    parser.add_argument("--trace-seconds", type=float, help="length of the input traced for export (default: the smaller of 2 s and --max-input-seconds)")
    parser.add_argument("--exporter", choices=["auto", "torchscript", "dynamo"], default="auto",
                        help="auto: TorchScript with the ONNX-friendly STFT, then the dynamo exporter where torch has one")
    parser.add_argument("--no-stft-substitution", action="store_true", help="export torch.stft as it is (for exporters that support it)")
    parser.add_argument("--float16", action="store_true", help="store the weights as float16 (half the file; computation stays float32)")
    parser.add_argument("--self-test", action="store_true", help="export and verify the built-in test encoder")
    args = parser.parse_args(argv)
    print(f"torch {torch.__version__}")
    if args.self_test:
        args.out = args.out or str(Path(tempfile.mkdtemp(prefix="export-onnx-")) / "self-test-encoder")
        for key, value in (("team", "Self test"), ("affiliation", "tools/export_onnx.py"), ("name", "SelfTestEncoder"),
                           ("version", "1"), ("description", "Conv + transformer test encoder."), ("license", "MIT"),
                           ("training_data", "None: random weights."),
                           # True of the tool's own untrained encoder; a team's encoder never gets them.
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
