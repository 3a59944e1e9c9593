/**
 * Encoding and decoding of ONNX model files with protobufjs and our own subset of onnx.proto.
 * Used to build the engine's graphs and the example encoders, and to inspect submitted models
 * before onnxruntime ever sees them.
 */
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

const root = protobuf.parse(readFileSync(new URL('./onnx.proto', import.meta.url), 'utf8'), {
  keepCase: true,
}).root;
const ModelProtoType = root.lookupType('onnx.ModelProto');

/** TensorProto.DataType codes. */
export const TensorDataType = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
} as const;
export type TensorType = keyof typeof TensorDataType;

export const AttributeType = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
} as const;

export interface StringStringEntry {
  key: string;
  value: string;
}

export interface TensorMessage {
  name?: string;
  dims?: number[];
  data_type?: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  external_data?: StringStringEntry[];
  data_location?: number;
}

export interface SparseTensorMessage {
  values?: TensorMessage;
  indices?: TensorMessage;
  dims?: number[];
}

export interface AttributeMessage {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorMessage;
  g?: GraphMessage;
  sparse_tensor?: SparseTensorMessage;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
  tensors?: TensorMessage[];
  graphs?: GraphMessage[];
  sparse_tensors?: SparseTensorMessage[];
}

export interface NodeMessage {
  input: string[];
  output: string[];
  name?: string;
  op_type: string;
  domain?: string;
  attribute?: AttributeMessage[];
}

export interface DimensionMessage {
  dim_value?: number;
  dim_param?: string;
}

export interface ValueInfoMessage {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: DimensionMessage[] } } };
}

export interface GraphMessage {
  name?: string;
  node?: NodeMessage[];
  initializer?: TensorMessage[];
  sparse_initializer?: SparseTensorMessage[];
  input?: ValueInfoMessage[];
  output?: ValueInfoMessage[];
  value_info?: ValueInfoMessage[];
  doc_string?: string;
}

export interface OperatorSetIdMessage {
  domain?: string;
  version: number;
}

export interface FunctionMessage {
  name?: string;
  domain?: string;
  node?: NodeMessage[];
  opset_import?: OperatorSetIdMessage[];
}

export interface ModelMessage {
  ir_version: number;
  opset_import: OperatorSetIdMessage[];
  producer_name?: string;
  producer_version?: string;
  doc_string?: string;
  graph: GraphMessage;
  metadata_props?: StringStringEntry[];
  functions?: FunctionMessage[];
}

export function encodeModel(model: Partial<ModelMessage>): Uint8Array {
  return ModelProtoType.encode(ModelProtoType.fromObject(model)).finish();
}

/**
 * Decode a model file. Throws protobufjs' error on malformed bytes; callers wrap it with the
 * file name. 64-bit integers come back as JavaScript numbers (exact below 2^53). Every field
 * may be missing in a file someone else wrote, hence the Partial.
 */
export function decodeModel(bytes: Uint8Array): Partial<ModelMessage> {
  const message = ModelProtoType.decode(bytes);
  return ModelProtoType.toObject(message, {
    longs: Number,
    enums: Number,
    defaults: false,
    arrays: true,
  });
}
