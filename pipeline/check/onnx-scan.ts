/**
 * Static checks of an ONNX file, done by decoding the protobuf ourselves before any
 * onnxruntime session exists, so a hostile file never reaches the native loader:
 * - no tensor anywhere (initializers, sparse initializers, Constant and other attribute tensors,
 *   subgraphs of If/Loop/Scan, model-local functions) stores its data outside the file, and no
 *   location names onnxruntime's in-memory address markers;
 * - operators come only from the standard ONNX domains (or model-local functions built from them);
 * - opset and IR version are within what the evaluation runtime loads;
 * - the graph is of a sane size and nesting depth;
 * - one float32 [batch, samples] input and one float32 [batch, frames, D] output.
 */
import type { CheckItem } from '../../schemas/check-report.ts';
import { errorMessage } from '../errors.ts';
import {
  decodeModel,
  TensorDataType,
  type AttributeMessage,
  type GraphMessage,
  type ModelMessage,
  type NodeMessage,
  type SparseTensorMessage,
  type TensorMessage,
  type ValueInfoMessage,
} from '../onnx/proto.ts';

/** ai.onnx opsets onnxruntime 1.30 loads (it warns below 7 and refuses above 26). */
export const SUPPORTED_OPSETS = { min: 7, max: 26 } as const;
export const SUPPORTED_IR_VERSIONS = { min: 3, max: 13 } as const;
export const GRAPH_LIMITS = { maxNodes: 200_000, maxDepth: 8 } as const;
export const STANDARD_DOMAINS: ReadonlySet<string> = new Set(['', 'ai.onnx', 'ai.onnx.ml']);

const ORT_ADDRESS_MARKERS = ['_ORT_MEM_ADDR_', '_ORT_NATIVE_ENDIAN_MEM_ADDR_'];

export interface ModelStructure {
  readonly irVersion: number;
  readonly opset: number;
  readonly nodes: number;
  readonly parameters: number;
}

export interface OnnxScan {
  /** False when a failed check means the model must not be loaded. */
  readonly ok: boolean;
  readonly items: CheckItem[];
  readonly structure?: ModelStructure;
}

interface Finding {
  readonly message: string;
  readonly hint: string;
}

interface Walk {
  nodes: number;
  depth: number;
  parameters: number;
  external: Finding[];
  domains: Finding[];
}

function elementCount(dims: readonly number[] | undefined): number {
  return (dims ?? []).reduce((product, dim) => product * dim, 1);
}

function visitTensor(
  tensor: TensorMessage | undefined,
  owner: string,
  file: string,
  walk: Walk,
): void {
  if (!tensor) {
    return;
  }
  const locations = (tensor.external_data ?? [])
    .filter((entry) => entry.key === 'location')
    .map((entry) => entry.value);
  if (tensor.data_location === 1 || (tensor.external_data?.length ?? 0) > 0) {
    const where = locations.length > 0 ? ` ("${locations.join('", "')}")` : '';
    const marker = locations.some((location) =>
      ORT_ADDRESS_MARKERS.some((m) => location.includes(m)),
    )
      ? ', an onnxruntime in-memory address marker'
      : '';
    walk.external.push({
      message: `${file}: tensor "${tensor.name ?? owner}" keeps its data outside the file${where}${marker}; external data is not accepted`,
      hint: 'save the model as one self-contained file under 2 GiB, e.g. onnx.save_model(model, path, save_as_external_data=False)',
    });
  }
}

function visitSparse(
  sparse: SparseTensorMessage | undefined,
  owner: string,
  file: string,
  walk: Walk,
): void {
  visitTensor(sparse?.values, `${owner} values`, file, walk);
  visitTensor(sparse?.indices, `${owner} indices`, file, walk);
}

function visitAttribute(
  attribute: AttributeMessage,
  node: NodeMessage,
  file: string,
  walk: Walk,
  depth: number,
  localDomains: ReadonlySet<string>,
): void {
  const owner = `${node.name || node.op_type}.${attribute.name}`;
  visitTensor(attribute.t, owner, file, walk);
  for (const tensor of attribute.tensors ?? []) {
    visitTensor(tensor, owner, file, walk);
  }
  visitSparse(attribute.sparse_tensor, owner, file, walk);
  for (const sparse of attribute.sparse_tensors ?? []) {
    visitSparse(sparse, owner, file, walk);
  }
  if (attribute.g) {
    visitGraph(attribute.g, file, walk, depth + 1, localDomains);
  }
  for (const graph of attribute.graphs ?? []) {
    visitGraph(graph, file, walk, depth + 1, localDomains);
  }
}

function visitNodes(
  nodes: readonly NodeMessage[],
  file: string,
  walk: Walk,
  depth: number,
  localDomains: ReadonlySet<string>,
): void {
  for (const node of nodes) {
    walk.nodes += 1;
    const domain = node.domain ?? '';
    if (!STANDARD_DOMAINS.has(domain) && !localDomains.has(domain)) {
      walk.domains.push({
        message: `${file}: node "${node.name || node.op_type}" (${node.op_type}) is in operator domain "${domain}"; only the standard ONNX domains are accepted`,
        hint: 'custom operators are not available in the evaluation runtime; export with standard ONNX operators only (no custom-op libraries)',
      });
    }
    for (const attribute of node.attribute ?? []) {
      visitAttribute(attribute, node, file, walk, depth, localDomains);
    }
  }
}

function visitGraph(
  graph: GraphMessage,
  file: string,
  walk: Walk,
  depth: number,
  localDomains: ReadonlySet<string>,
): void {
  walk.depth = Math.max(walk.depth, depth);
  if (depth > GRAPH_LIMITS.maxDepth) {
    return;
  }
  for (const tensor of graph.initializer ?? []) {
    visitTensor(tensor, tensor.name ?? 'initializer', file, walk);
    walk.parameters += elementCount(tensor.dims);
  }
  for (const sparse of graph.sparse_initializer ?? []) {
    visitSparse(sparse, sparse.values?.name ?? 'sparse initializer', file, walk);
    walk.parameters += elementCount(sparse.dims);
  }
  visitNodes(graph.node ?? [], file, walk, depth, localDomains);
}

const TYPE_NAMES = new Map<number, string>(
  Object.entries(TensorDataType).map(([name, code]) => [code, name]),
);

function describeValue(value: ValueInfoMessage): { type: string; rank: number | undefined } {
  const tensor = value.type?.tensor_type;
  const code = tensor?.elem_type ?? 0;
  return { type: TYPE_NAMES.get(code) ?? `type ${code}`, rank: tensor?.shape?.dim?.length };
}

function interfaceFindings(graph: GraphMessage, file: string): Finding[] {
  const initializerNames = new Set((graph.initializer ?? []).map((tensor) => tensor.name));
  const inputs = (graph.input ?? []).filter((input) => !initializerNames.has(input.name));
  const outputs = graph.output ?? [];
  const findings: Finding[] = [];
  const contract =
    'the encoder must take one float32 [batch, samples] waveform and return one float32 [batch, frames, D] tensor';
  if (inputs.length === 0) {
    findings.push({
      message: `${file}: the graph has no inputs: the waveform it was exported with became a constant, so it returns the same frames whatever it is given; ${contract}`,
      hint: 'this happens when forward computes features outside torch (numpy, librosa, .item(), .tolist()) and the tracer records the result; compute the features with torch or torchaudio operations on the input tensor',
    });
  } else if (inputs.length !== 1) {
    findings.push({
      message: `${file}: the graph has ${inputs.length} inputs (${inputs.map((input) => `"${input.name}"`).join(', ')}); ${contract}`,
      hint: 'export a module whose forward takes only the waveform',
    });
  }
  if (outputs.length !== 1) {
    findings.push({
      message: `${file}: the graph has ${outputs.length} outputs; ${contract}`,
      hint: 'return only the frame embeddings from forward',
    });
  }
  const [input] = inputs;
  const [output] = outputs;
  if (inputs.length === 1 && input) {
    const { type, rank } = describeValue(input);
    if (type !== 'float32' || (rank !== undefined && rank !== 2)) {
      findings.push({
        message: `${file}: input "${input.name}" is ${type}${rank === undefined ? '' : ` of rank ${rank}`}; ${contract}`,
        hint: 'feed the mono waveform as float32 [batch, samples]',
      });
    }
    const fixed = (input.type?.tensor_type?.shape?.dim ?? []).map((dim) => dim.dim_value ?? 0);
    if (fixed.some((size) => size > 0)) {
      findings.push({
        message: `${file}: input "${input.name}" has a fixed shape [${fixed.map((size) => (size > 0 ? size : '?')).join(', ')}]; batch size and length must be dynamic`,
        hint: `export with dynamic axes, e.g. torch.onnx.export(..., dynamic_axes={"${input.name}": {0: "batch", 1: "samples"}})`,
      });
    }
  }
  if (outputs.length === 1 && output) {
    const { type, rank } = describeValue(output);
    if (type !== 'float32' || (rank !== undefined && rank !== 3)) {
      findings.push({
        message: `${file}: output "${output.name}" is ${type}${rank === undefined ? '' : ` of rank ${rank}`}; ${contract}`,
        hint: 'return float32 frame embeddings shaped [batch, frames, D]',
      });
    }
  }
  return findings;
}

/** One check's item: every finding's message, and every distinct fix, in the order found. */
function item(id: CheckItem['id'], findings: readonly Finding[], passMessage: string): CheckItem {
  if (findings.length === 0) {
    return { id, status: 'pass', message: passMessage };
  }
  const hints = [...new Set(findings.map((finding) => finding.hint))];
  return {
    id,
    status: 'fail',
    message: findings.map((finding) => finding.message).join('; '),
    hint: hints.join('; '),
  };
}

/** Decode and check `bytes`; `file` names the model in messages. */
export function scanOnnxModel(bytes: Uint8Array, file: string): OnnxScan {
  let model: Partial<ModelMessage>;
  try {
    model = decodeModel(bytes);
  } catch (error) {
    const reason =
      error instanceof RangeError && /call stack/i.test(error.message)
        ? 'nested too deeply to read'
        : errorMessage(error);
    return {
      ok: false,
      items: [
        {
          id: 'onnx-format',
          status: 'fail',
          message: `${file} is not a readable ONNX model (${reason})`,
          hint: 'the file is truncated, corrupt or not an ONNX protobuf; export it again (see tools/export_onnx.py)',
        },
      ],
    };
  }
  const graph = model.graph;
  const opsetEntry = (model.opset_import ?? []).find(
    (entry) => (entry.domain ?? '') === '' || entry.domain === 'ai.onnx',
  );
  const formatFindings: Finding[] = [];
  if (!graph || (graph.node ?? []).length === 0) {
    formatFindings.push({
      message: `${file} has no graph (or an empty one)`,
      hint: 'the file is truncated, corrupt or not an ONNX model; export it again',
    });
  }
  const irVersion = model.ir_version ?? 0;
  if (irVersion < SUPPORTED_IR_VERSIONS.min || irVersion > SUPPORTED_IR_VERSIONS.max) {
    formatFindings.push({
      message: `${file} declares ONNX IR version ${irVersion}; supported: ${SUPPORTED_IR_VERSIONS.min} to ${SUPPORTED_IR_VERSIONS.max}`,
      hint: 'export with a current exporter (torch.onnx.export, opset 17)',
    });
  }
  const items: CheckItem[] = [];
  if (!graph || formatFindings.length > 0) {
    return { ok: false, items: [item('onnx-format', formatFindings, '')] };
  }
  items.push({
    id: 'onnx-format',
    status: 'pass',
    message: `${file} is an ONNX model (IR version ${irVersion})`,
  });

  const localDomains = new Set((model.functions ?? []).map((fn) => fn.domain ?? ''));
  const walk: Walk = { nodes: 0, depth: 0, parameters: 0, external: [], domains: [] };
  visitGraph(graph, file, walk, 0, localDomains);
  for (const fn of model.functions ?? []) {
    visitNodes(fn.node ?? [], file, walk, 1, localDomains);
  }
  for (const fn of model.functions ?? []) {
    for (const entry of fn.opset_import ?? []) {
      if (!STANDARD_DOMAINS.has(entry.domain ?? '') && !localDomains.has(entry.domain ?? '')) {
        walk.domains.push({
          message: `${file}: function "${fn.name ?? ''}" imports operator domain "${entry.domain ?? ''}"; only the standard ONNX domains are accepted`,
          hint: 'export with standard ONNX operators only',
        });
      }
    }
  }

  items.push(item('external-data', walk.external, 'every tensor is stored inside the file'));
  items.push(item('operator-domains', walk.domains, 'only standard ONNX operators'));
  const opset = opsetEntry?.version ?? 0;
  const opsetFindings: Finding[] = [];
  if (!opsetEntry) {
    opsetFindings.push({
      message: `${file} does not import the standard ONNX operator set`,
      hint: 'export with opset_version between 7 and 26 (17 is a safe choice)',
    });
  } else if (opset < SUPPORTED_OPSETS.min || opset > SUPPORTED_OPSETS.max) {
    opsetFindings.push({
      message: `${file} uses ONNX opset ${opset}; supported: ${SUPPORTED_OPSETS.min} to ${SUPPORTED_OPSETS.max}`,
      hint: `export with opset_version between ${SUPPORTED_OPSETS.min} and ${SUPPORTED_OPSETS.max} (17 is a safe choice)`,
    });
  }
  items.push(item('opset', opsetFindings, `ONNX opset ${opset}`));
  const sizeFindings: Finding[] = [];
  if (walk.nodes > GRAPH_LIMITS.maxNodes) {
    sizeFindings.push({
      message: `${file} has ${walk.nodes} nodes; at most ${GRAPH_LIMITS.maxNodes} are accepted`,
      hint: 'simplify the graph (onnxsim) or fold constants when exporting',
    });
  }
  if (walk.depth > GRAPH_LIMITS.maxDepth) {
    sizeFindings.push({
      message: `${file} nests subgraphs more than ${GRAPH_LIMITS.maxDepth} levels deep`,
      hint: 'unroll control flow when exporting',
    });
  }
  items.push(
    item(
      'graph-size',
      sizeFindings,
      `${walk.nodes} nodes, ${walk.parameters.toLocaleString('en')} parameters`,
    ),
  );
  items.push(
    item(
      'interface',
      interfaceFindings(graph, file),
      'one float32 [batch, samples] input, one float32 [batch, frames, D] output',
    ),
  );

  const ok = items.every((entry) => entry.status !== 'fail');
  return {
    ok,
    items,
    structure: { irVersion, opset, nodes: walk.nodes, parameters: walk.parameters },
  };
}
