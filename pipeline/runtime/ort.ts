/**
 * The only module that imports onnxruntime-node. Everything else hands it model bytes and typed
 * arrays and gets typed arrays back, so the execution provider, thread settings and error
 * translation live in one place (and the site, which never imports the pipeline, stays free of
 * native code).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { EncoderError, errorMessage, UsageError } from '../errors.ts';
import { GraphBuilder } from '../onnx/graph-builder.ts';

/** What the user asks for on the command line. */
export const DEVICE_REQUESTS = ['cpu', 'cuda', 'webgpu', 'auto'] as const;
export type DeviceRequest = (typeof DEVICE_REQUESTS)[number];

/** The onnxruntime execution provider a session runs on. */
export type ExecutionProvider = 'cpu' | 'cuda' | 'webgpu';

export const ONNXRUNTIME_VERSION: string = ort.env.versions.node ?? ort.env.versions.common;

export type InputData = Float32Array | BigInt64Array | Int32Array | Uint8Array;

export interface TensorInput {
  readonly data: InputData;
  readonly dims: readonly number[];
}

export interface FloatOutput {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface RawOutput {
  readonly type: ort.Tensor['type'];
  readonly data: ort.Tensor['data'];
  readonly dims: readonly number[];
}

export interface SessionSettings {
  /** Defaults to the CPU provider. */
  provider?: ExecutionProvider;
  /** Threads inside one operator; defaults to every available core. */
  intraOpThreads?: number;
  /** Label used in error messages (a file path or a graph name). */
  label: string;
}

function tensorOf(input: TensorInput): ort.Tensor {
  const dims = [...input.dims];
  if (input.data instanceof Float32Array) {
    return new ort.Tensor('float32', input.data, dims);
  }
  if (input.data instanceof BigInt64Array) {
    return new ort.Tensor('int64', input.data, dims);
  }
  if (input.data instanceof Int32Array) {
    return new ort.Tensor('int32', input.data, dims);
  }
  return new ort.Tensor('bool', input.data, dims);
}

export class OrtSession {
  readonly label: string;
  readonly executionProvider: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly #session: ort.InferenceSession;

  private constructor(session: ort.InferenceSession, label: string, executionProvider: string) {
    this.#session = session;
    this.label = label;
    this.executionProvider = executionProvider;
    this.inputNames = session.inputNames;
    this.outputNames = session.outputNames;
  }

  /** Create a session from model bytes or a file path. */
  static async create(model: Uint8Array | string, settings: SessionSettings): Promise<OrtSession> {
    const provider = settings.provider ?? 'cpu';
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: [provider],
      intraOpNumThreads: settings.intraOpThreads ?? availableParallelism(),
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      // Idle intra-op threads sleep instead of spinning between operators. The pipeline runs
      // crop readers, a training loop and other sessions beside each session; spinning took
      // their cores: `npm run build` on the demo suite (2 cores) used 130 s of CPU spinning and
      // 87 s not, and finished in 80 s instead of 92, with byte-identical scores.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    };
    try {
      const session =
        typeof model === 'string'
          ? await ort.InferenceSession.create(model, options)
          : await ort.InferenceSession.create(model, options);
      return new OrtSession(session, settings.label, provider);
    } catch (error) {
      const reason = errorMessage(error);
      // An operator onnxruntime does not know is the same mistake the static scan reports for
      // foreign domains, so it gets the same explanation.
      const unknownOperator = /No Op registered for (\S+) with domain_version of (\d+)/.exec(
        reason,
      );
      if (unknownOperator) {
        throw new EncoderError(
          `${settings.label}: unsupported operator: onnxruntime has no operator "${unknownOperator[1] ?? ''}" at opset ${unknownOperator[2] ?? ''}`,
          {
            hint: 'use only standard ONNX operators of a supported opset (re-export with torch.onnx.export and a standard opset)',
            cause: error,
          },
        );
      }
      throw new EncoderError(`${settings.label}: onnxruntime could not load the model: ${reason}`, {
        cause: error,
      });
    }
  }

  /** Run the graph and return every output, whatever its element type (int64 top-k indices, say). */
  async runRaw(feeds: Record<string, TensorInput>): Promise<Record<string, RawOutput>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, input] of Object.entries(feeds)) {
      ortFeeds[name] = tensorOf(input);
    }
    let results: ort.InferenceSession.ReturnType;
    try {
      results = await this.#session.run(ortFeeds);
    } catch (error) {
      throw new EncoderError(
        `${this.label}: onnxruntime failed while running: ${errorMessage(error)}`,
        {
          cause: error,
        },
      );
    }
    const outputs: Record<string, RawOutput> = {};
    for (const name of this.outputNames) {
      const tensor = results[name];
      if (!tensor) {
        throw new EncoderError(`${this.label}: output "${name}" is missing`);
      }
      outputs[name] = { type: tensor.type, data: tensor.data, dims: tensor.dims };
    }
    return outputs;
  }

  /** Run the graph; every output must be float32. */
  async run(feeds: Record<string, TensorInput>): Promise<Record<string, FloatOutput>> {
    const outputs: Record<string, FloatOutput> = {};
    for (const [name, output] of Object.entries(await this.runRaw(feeds))) {
      if (output.type !== 'float32' || !(output.data instanceof Float32Array)) {
        throw new EncoderError(
          `${this.label}: output "${name}" has type ${output.type}; float32 is required`,
        );
      }
      outputs[name] = { data: output.data, dims: output.dims };
    }
    return outputs;
  }

  async release(): Promise<void> {
    await this.#session.release();
  }
}

/** The provider library the CUDA provider needs beside onnxruntime's own binary. */
function cudaProviderLibrary(): string {
  const require = createRequire(import.meta.url);
  const binding = join(
    dirname(require.resolve('onnxruntime-node')),
    '..',
    'bin',
    'napi-v6',
    process.platform,
    process.arch,
  );
  return join(binding, 'libonnxruntime_providers_cuda.so');
}

/** A one-node model: creating a session for it shows whether a provider initialises. */
function probeModel(): Uint8Array {
  const g = new GraphBuilder('provider_probe');
  const x = g.input('x', 'float32', [2]);
  g.output(g.op('Add', [x, x]), 'float32', [2], 'y');
  return g.toModel();
}

/** Why `provider` cannot run a session here, or undefined when it can. */
export async function providerProblem(provider: ExecutionProvider): Promise<string | undefined> {
  if (provider === 'cuda' && !existsSync(cudaProviderLibrary())) {
    return `onnxruntime-node's CUDA provider is not installed (${cudaProviderLibrary()} is missing; its install script is skipped by default)`;
  }
  try {
    const session = await OrtSession.create(probeModel(), { label: 'probe', provider });
    const { y } = await session.run({ x: { data: Float32Array.of(1, 2), dims: [2] } });
    await session.release();
    return y?.data[1] === 4 ? undefined : 'it returned a wrong result on a test graph';
  } catch (error) {
    const message = errorMessage(error);
    // onnxruntime prefixes the reason with a source location; keep the sentence a person needs.
    return (
      /Failed to get a WebGPU adapter[^\n]*/.exec(message)?.[0] ??
      message.replace(/^probe: onnxruntime could not load the model: /, '').trim()
    );
  }
}

export interface ProviderChoice {
  readonly provider: ExecutionProvider;
  /** Why each faster provider was not used, for the log. */
  readonly notes: readonly string[];
}

const HINTS: Record<'cuda' | 'webgpu', string> = {
  cuda: 'install the CUDA provider on a machine with CUDA 12 and network access (node node_modules/onnxruntime-node/script/install.js --onnxruntime-node-install=cuda12), or use --device webgpu or --device cpu',
  webgpu:
    'the WebGPU provider needs a GPU with a Vulkan driver and the Vulkan loader (Debian: libvulkan1); or use --device cpu',
};

/**
 * Resolve a device request to a provider that works on this machine. An explicit "cuda" or
 * "webgpu" that cannot start is an error; "auto" tries CUDA, then WebGPU, then settles on the
 * CPU and says why.
 */
export async function chooseExecutionProvider(request: DeviceRequest): Promise<ProviderChoice> {
  if (request === 'cpu') {
    return { provider: 'cpu', notes: [] };
  }
  if (request === 'cuda' || request === 'webgpu') {
    const problem = await providerProblem(request);
    if (problem !== undefined) {
      throw new UsageError(
        `--device ${request} was requested but the ${request === 'cuda' ? 'CUDA' : 'WebGPU'} provider cannot start: ${problem}`,
        HINTS[request],
      );
    }
    return { provider: request, notes: [] };
  }
  const notes: string[] = [];
  for (const provider of ['cuda', 'webgpu'] as const) {
    const problem = await providerProblem(provider);
    if (problem === undefined) {
      return { provider, notes };
    }
    notes.push(`${provider === 'cuda' ? 'CUDA' : 'WebGPU'}: ${problem}`);
  }
  return { provider: 'cpu', notes };
}
