/**
 * The only module that imports onnxruntime-node. Everything else hands it model bytes and typed
 * arrays and gets typed arrays back, so the execution provider, thread settings and error
 * translation live in one place (and the site, which never imports the pipeline, stays free of
 * native code).
 */
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { EncoderError, errorMessage } from '../errors.ts';

export type Device = 'cpu';

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
  device?: Device;
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
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: ['cpu'],
      intraOpNumThreads: settings.intraOpThreads ?? availableParallelism(),
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    };
    try {
      const session =
        typeof model === 'string'
          ? await ort.InferenceSession.create(model, options)
          : await ort.InferenceSession.create(model, options);
      return new OrtSession(session, settings.label, 'cpu');
    } catch (error) {
      throw new EncoderError(
        `${settings.label}: onnxruntime could not load the model: ${errorMessage(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  /** Run the graph; every requested output must be float32. */
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
