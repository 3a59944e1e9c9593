/**
 * Runs an ONNX encoder on raw float32 inputs through the leaderboard's own onnxruntime-node
 * session (pipeline/runtime/ort.ts), so that tools/export_onnx.py compares PyTorch with exactly
 * the runtime that will evaluate the model.
 *
 *   node tools/run-onnx.ts <model.onnx> <request.json>
 *
 * request.json: {"inputs": [{"file": "<path of raw little-endian float32>", "dims": [B, T]}]}.
 * For each input it writes the first output next to it as `<file>.out` and prints one JSON line:
 * {"outputs": [{"file": ..., "dims": [...]}]}. Errors go to stderr with exit code 1.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { errorMessage } from '../pipeline/errors.ts';
import { OrtSession } from '../pipeline/runtime/ort.ts';

const Request = z.strictObject({
  inputs: z.array(z.strictObject({ file: z.string(), dims: z.array(z.int().nonnegative()) })),
});

async function main(modelPath: string, requestPath: string): Promise<void> {
  const request = Request.parse(JSON.parse(await readFile(requestPath, 'utf8')));
  const session = await OrtSession.create(modelPath, { label: modelPath, intraOpThreads: 1 });
  const outputs: { file: string; dims: readonly number[] }[] = [];
  try {
    for (const input of request.inputs) {
      const bytes = await readFile(input.file);
      const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      const result = await session
        .run({ [session.inputNames[0] ?? 'waveform']: { data, dims: input.dims } })
        .catch((error: unknown) => {
          throw new Error(`for an input of [${input.dims.join(', ')}]: ${errorMessage(error)}`, {
            cause: error,
          });
        });
      const output = result[session.outputNames[0] ?? 'embeddings'];
      if (!output) {
        throw new Error('the model returned no output');
      }
      const file = `${input.file}.out`;
      await writeFile(
        file,
        new Uint8Array(output.data.buffer, output.data.byteOffset, output.data.byteLength),
      );
      outputs.push({ file, dims: output.dims });
    }
  } finally {
    await session.release();
  }
  process.stdout.write(`${JSON.stringify({ outputs })}\n`);
}

const [modelPath, requestPath] = process.argv.slice(2);
if (modelPath === undefined || requestPath === undefined) {
  process.stderr.write('usage: node tools/run-onnx.ts <model.onnx> <request.json>\n');
  process.exit(2);
}
main(modelPath, requestPath).catch((error: unknown) => {
  process.stderr.write(`onnxruntime-node: ${errorMessage(error)}\n`);
  process.exit(1);
});
