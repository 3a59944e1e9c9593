/**
 * A small builder for ONNX graphs written in TypeScript. The engine's heavy arithmetic (kNN
 * distance + top-k, head training steps) and the example encoders are defined with it, so the
 * same graphs run on whichever execution provider onnxruntime offers.
 *
 * Attribute values: an integer `number` becomes INT, `number[]` INTS, `string` STRING, and
 * floats must be spelled `{ float: x }` / `{ floats: [...] }`, because 1.0 and 1 are the same
 * JavaScript number but different ONNX attribute types.
 */
import {
  AttributeType,
  encodeModel,
  TensorDataType,
  type AttributeMessage,
  type GraphMessage,
  type NodeMessage,
  type TensorMessage,
  type TensorType,
  type ValueInfoMessage,
} from './proto.ts';

export type Dim = number | string;

export type TensorData =
  Float32Array | Float64Array | Float16Array | Int32Array | BigInt64Array | Uint8Array;

export type AttributeValue =
  | number
  | readonly number[]
  | string
  | { readonly float: number }
  | { readonly floats: readonly number[] }
  | {
      readonly tensor: {
        readonly data: TensorData;
        readonly dims: readonly number[];
        readonly type?: TensorType;
      };
    }
  | { readonly graph: GraphBuilder };

export const DEFAULT_OPSET = 21;
/** IR version matching opset 21. */
const IR_VERSION = 10;

function typeOfData(data: TensorData): TensorType {
  if (data instanceof Float32Array) {
    return 'float32';
  }
  if (data instanceof Float64Array) {
    return 'float64';
  }
  if (data instanceof Int32Array) {
    return 'int32';
  }
  if (data instanceof BigInt64Array) {
    return 'int64';
  }
  if (data instanceof Float16Array) {
    return 'float16';
  }
  return 'uint8';
}

export function tensorMessage(
  name: string,
  data: TensorData,
  dims: readonly number[],
  type: TensorType = typeOfData(data),
): TensorMessage {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) {
    throw new RangeError(
      `tensor ${name}: ${data.length} values for dims [${dims.join(', ')}] (${expected} expected)`,
    );
  }
  return {
    name,
    dims: [...dims],
    data_type: TensorDataType[type],
    raw_data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

function valueInfo(
  name: string,
  type: TensorType,
  dims: readonly Dim[] | undefined,
): ValueInfoMessage {
  const tensorType: NonNullable<NonNullable<ValueInfoMessage['type']>['tensor_type']> = {
    elem_type: TensorDataType[type],
  };
  if (dims) {
    tensorType.shape = {
      dim: dims.map((dim) => (typeof dim === 'number' ? { dim_value: dim } : { dim_param: dim })),
    };
  }
  return { name, type: { tensor_type: tensorType } };
}

// Array.isArray does not narrow readonly arrays out of a union.
function isIntegerList(value: AttributeValue): value is readonly number[] {
  return Array.isArray(value);
}

function attribute(name: string, value: AttributeValue): AttributeMessage {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) {
      throw new TypeError(
        `attribute ${name}: ${value} is not an integer; write { float: ${value} }`,
      );
    }
    return { name, type: AttributeType.INT, i: value };
  }
  if (typeof value === 'string') {
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  }
  if (isIntegerList(value)) {
    return { name, type: AttributeType.INTS, ints: [...value] };
  }
  if ('float' in value) {
    return { name, type: AttributeType.FLOAT, f: value.float };
  }
  if ('floats' in value) {
    return { name, type: AttributeType.FLOATS, floats: [...value.floats] };
  }
  if ('tensor' in value) {
    const { data, dims, type } = value.tensor;
    return { name, type: AttributeType.TENSOR, t: tensorMessage(name, data, dims, type) };
  }
  return { name, type: AttributeType.GRAPH, g: value.graph.toGraph() };
}

export class GraphBuilder {
  readonly name: string;
  readonly #nodes: NodeMessage[] = [];
  readonly #initializers: TensorMessage[] = [];
  readonly #inputs: ValueInfoMessage[] = [];
  readonly #outputs: ValueInfoMessage[] = [];
  readonly #names = new Set<string>();
  /** Values renamed to the graph output that exposes them (see #renameNodeOutput). */
  readonly #renamed = new Map<string, string>();
  readonly #prefix: string;
  #counter = 0;

  /**
   * `prefix` starts every generated value name; subgraphs (Scan and Loop bodies) need one of
   * their own, because ONNX forbids a subgraph name that shadows a name of the outer graph.
   */
  constructor(name: string, options: { readonly prefix?: string } = {}) {
    this.name = name;
    this.#prefix = options.prefix ?? '';
  }

  #claim(name: string): string {
    if (this.#names.has(name)) {
      throw new Error(`graph ${this.name}: value name "${name}" is used twice`);
    }
    this.#names.add(name);
    return name;
  }

  /** A name not used yet (not claimed: the caller claims it). */
  #unique(hint: string): string {
    let name: string;
    do {
      name = `${this.#prefix}${hint}_${this.#counter++}`;
    } while (this.#names.has(name));
    return name;
  }

  /** Declare a graph input. Symbolic dims (strings) stay dynamic. */
  input(name: string, type: TensorType, dims?: readonly Dim[]): string {
    this.#inputs.push(valueInfo(this.#claim(name), type, dims));
    return name;
  }

  /** Declare `value` as a graph output; with `as`, it is renamed through an Identity node. */
  output(value: string, type: TensorType, dims?: readonly Dim[], as?: string): string {
    const current = this.#renamed.get(value) ?? value;
    let name = current;
    if (as !== undefined && as !== current) {
      name = this.#claim(as);
      if (this.#renameNodeOutput(current, name)) {
        this.#renamed.set(value, name);
      } else {
        this.#nodes.push({ op_type: 'Identity', input: [current], output: [name] });
      }
    }
    this.#outputs.push(valueInfo(name, type, dims));
    return name;
  }

  /**
   * Give a node's output the name of a graph output when the value also feeds other nodes, as
   * every Adam moment does: onnxruntime removes an Identity in front of a graph output only when
   * nothing else reads its input, and otherwise copies the tensor at every run. Other values keep
   * the Identity (onnxruntime removes it, and model bytes stay as they were), as do values that
   * subgraphs could capture, inputs and existing outputs.
   */
  #renameNodeOutput(value: string, name: string): boolean {
    const producer = this.#nodes.find((node) => node.output.includes(value));
    const capturable = this.#nodes.some((node) =>
      node.attribute?.some((entry) => entry.type === AttributeType.GRAPH),
    );
    const consumed = this.#nodes.some((node) => node.input.includes(value));
    if (
      !producer ||
      !consumed ||
      capturable ||
      this.#outputs.some((output) => output.name === value)
    ) {
      return false;
    }
    for (const node of this.#nodes) {
      node.input = node.input.map((input) => (input === value ? name : input));
      node.output = node.output.map((output) => (output === value ? name : output));
    }
    return true;
  }

  /** A named constant tensor stored in the model. */
  initializer(name: string, data: TensorData, dims: readonly number[], type?: TensorType): string {
    this.#initializers.push(tensorMessage(this.#claim(name), data, dims, type));
    return name;
  }

  /** An anonymous constant; scalars are rank 0 unless `dims` says otherwise. */
  constant(data: TensorData, dims: readonly number[] = [], type?: TensorType): string {
    return this.initializer(this.#unique('const'), data, dims, type);
  }

  scalar(value: number): string {
    return this.constant(new Float32Array([value]));
  }

  int64s(values: readonly number[]): string {
    return this.constant(BigInt64Array.from(values.map(BigInt)), [values.length]);
  }

  /** Add a node with one output and return the output's name. */
  op(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
  ): string {
    return this.opMulti(opType, inputs, 1, attributes)[0] as string;
  }

  /** Add a node with several outputs. An empty input name marks an omitted optional input. */
  opMulti(
    opType: string,
    inputs: readonly string[],
    outputCount: number,
    attributes: Record<string, AttributeValue> = {},
  ): string[] {
    const outputs = Array.from({ length: outputCount }, () =>
      this.#claim(this.#unique(opType.toLowerCase())),
    );
    this.#nodes.push({
      op_type: opType,
      input: inputs.map((input) => this.#renamed.get(input) ?? input),
      output: outputs,
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return outputs;
  }

  toGraph(): GraphMessage {
    return {
      name: this.name,
      node: this.#nodes,
      initializer: this.#initializers,
      input: this.#inputs,
      output: this.#outputs,
    };
  }

  /** Serialise as a complete model file. */
  toModel(
    options: {
      opset?: number;
      producer?: string;
      docString?: string;
      metadata?: Record<string, string>;
    } = {},
  ): Uint8Array {
    return encodeModel({
      ir_version: IR_VERSION,
      opset_import: [{ domain: '', version: options.opset ?? DEFAULT_OPSET }],
      producer_name: options.producer ?? 'audio-encoder-leaderboard',
      ...(options.docString === undefined ? {} : { doc_string: options.docString }),
      graph: this.toGraph(),
      metadata_props: Object.entries(options.metadata ?? {}).map(([key, value]) => ({
        key,
        value,
      })),
    });
  }
}
