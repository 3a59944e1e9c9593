"""The submission manifest tools/export_onnx.py writes beside model.onnx.

It fills in what the export knows (the encoder file's hash and size, sample rate, embedding
size, hop) and what the command line gave; it never fills in the training-data attestations.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

MANIFEST_SCHEMA = "../../schemas/manifest.schema.json"


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
    empty = [f"--{key}" for key in ("team", "affiliation", "description", "license") if not manifest[key]]
    empty += [f"--{key}" for key in ("name", "version") if not manifest["model"][key]]
    if not manifest["trainingData"]["description"]:
        empty.append("--training-data")
    if empty:
        print(f"fill in before submitting: {', '.join(empty)} (or the same fields in {path})")
    if not manifest["trainingData"]["availability"] or not manifest["trainingData"]["evaluationOverlap"]:
        print("state what you can attest: --training-data-availability (public, not-public or unknown) and "
              "--evaluation-overlap (none, some or unknown), or trainingData.availability and "
              f"trainingData.evaluationOverlap in {path}; the tool never fills them in")
    return path
