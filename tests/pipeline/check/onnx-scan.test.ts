/**
 * The static ONNX scan against every hiding place of external data, foreign operators and
 * unreadable files (threats §8, scenarios 11 to 13). Each variant is built from the valid log-mel
 * encoder by editing its protobuf, and must be refused before any onnxruntime session exists.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scanOnnxModel } from '../../../pipeline/check/onnx-scan.ts';
import { EncoderError } from '../../../pipeline/errors.ts';
import { OrtSession } from '../../../pipeline/runtime/ort.ts';
import {
  decodeModel,
  encodeModel,
  type GraphMessage,
  type ModelMessage,
  type TensorMessage,
} from '../../../pipeline/onnx/proto.ts';
import { validLogMel } from '../../support/broken-encoders.ts';

const GRAPH_ATTRIBUTE = 5;
const TENSOR_ATTRIBUTE = 4;
const SPARSE_TENSOR_ATTRIBUTE = 11;

function edited(change: (model: Partial<ModelMessage> & { graph: GraphMessage }) => void) {
  const model = decodeModel(validLogMel()) as Partial<ModelMessage> & { graph: GraphMessage };
  change(model);
  return encodeModel(model);
}

function externalTensor(name: string, location: string): TensorMessage {
  return {
    name,
    dims: [4],
    data_type: 1,
    data_location: 1,
    external_data: [
      { key: 'location', value: location },
      { key: 'offset', value: '0' },
    ],
  };
}

/** The failing checks of a scan, as `id: message`. */
function failures(bytes: Uint8Array) {
  const scan = scanOnnxModel(bytes, 'model.onnx');
  return {
    ok: scan.ok,
    failed: scan.items
      .filter((item) => item.status === 'fail')
      .map((item) => `${item.id}: ${item.message}`),
  };
}

describe('scanOnnxModel refuses external data wherever it hides', () => {
  const cases: [string, Uint8Array, string][] = [
    [
      'an absolute path on an initializer',
      edited((model) => {
        model.graph.initializer?.push(externalTensor('stolen', '/etc/shadow'));
      }),
      '"/etc/shadow"',
    ],
    [
      "onnxruntime's in-memory address marker",
      edited((model) => {
        model.graph.initializer?.push(externalTensor('peek', '*/_ORT_MEM_ADDR_/*'));
      }),
      'an onnxruntime in-memory address marker',
    ],
    [
      'the native-endian address marker',
      edited((model) => {
        model.graph.initializer?.push(externalTensor('peek', '*/_ORT_NATIVE_ENDIAN_MEM_ADDR_/*'));
      }),
      'an onnxruntime in-memory address marker',
    ],
    [
      'a sparse initializer',
      edited((model) => {
        model.graph.sparse_initializer = [
          {
            values: externalTensor('sparse_values', 'secrets.bin'),
            indices: { name: 'sparse_indices', dims: [1], data_type: 7, int64_data: [0] },
            dims: [4],
          },
        ];
      }),
      '"secrets.bin"',
    ],
    [
      "a Constant node's sparse_value attribute",
      edited((model) => {
        model.graph.node?.push({
          op_type: 'Constant',
          input: [],
          output: ['hidden_constant'],
          attribute: [
            {
              name: 'sparse_value',
              type: SPARSE_TENSOR_ATTRIBUTE,
              sparse_tensor: {
                values: externalTensor('constant_values', 'leak.bin'),
                indices: { name: 'i', dims: [1], data_type: 7, int64_data: [0] },
                dims: [4],
              },
            },
          ],
        });
      }),
      '"leak.bin"',
    ],
    [
      "a Constant node's value tensor",
      edited((model) => {
        model.graph.node?.push({
          op_type: 'Constant',
          input: [],
          output: ['hidden_value'],
          attribute: [
            { name: 'value', type: TENSOR_ATTRIBUTE, t: externalTensor('value', 'value.bin') },
          ],
        });
      }),
      '"value.bin"',
    ],
    [
      'an If subgraph',
      edited((model) => {
        const branch: GraphMessage = {
          name: 'branch',
          initializer: [externalTensor('branch_weight', '../weights.bin')],
          node: [],
          output: [],
        };
        model.graph.node?.push({
          op_type: 'If',
          input: ['condition'],
          output: ['branch_out'],
          attribute: [
            { name: 'then_branch', type: GRAPH_ATTRIBUTE, g: branch },
            { name: 'else_branch', type: GRAPH_ATTRIBUTE, g: { ...branch, name: 'other' } },
          ],
        });
      }),
      '"../weights.bin"',
    ],
  ];

  it.each(cases)('in %s', (_name, bytes, named) => {
    const { ok, failed } = failures(bytes);
    expect(ok).toBe(false);
    expect(failed.filter((line) => line.startsWith('external-data: '))).toEqual([
      expect.stringContaining(named),
    ]);
  });
});

describe('scanOnnxModel refuses foreign operators and opsets', () => {
  it('names a custom domain used inside a subgraph', () => {
    const { ok, failed } = failures(
      edited((model) => {
        model.graph.node?.push({
          op_type: 'If',
          input: ['condition'],
          output: ['x'],
          attribute: [
            {
              name: 'then_branch',
              type: GRAPH_ATTRIBUTE,
              g: {
                name: 'then',
                node: [{ op_type: 'Steal', domain: 'com.evil', input: [], output: ['y'] }],
                output: [],
              },
            },
          ],
        });
      }),
    );
    expect(ok).toBe(false);
    expect(failed).toContainEqual(expect.stringMatching(/^operator-domains: .*"com\.evil"/));
  });

  it('refuses an opset above what onnxruntime loads', () => {
    const { failed } = failures(
      edited((model) => {
        model.opset_import = [{ domain: '', version: 27 }];
      }),
    );
    expect(failed).toContainEqual(expect.stringMatching(/^opset: .*opset 27; supported: 7 to 26/));
  });
});

describe('scanOnnxModel refuses files that are not readable ONNX', () => {
  const valid = validLogMel();
  it.each([
    ['an empty file', new Uint8Array(0)],
    ['random bytes', new Uint8Array(randomBytes(4096))],
    ['a gzip-compressed model', new Uint8Array(gzipSync(valid))],
    ['a model cut by one byte', valid.subarray(0, valid.length - 1)],
  ])('%s', (_name, bytes) => {
    const { ok, failed } = failures(bytes);
    expect(ok).toBe(false);
    expect(failed[0]).toMatch(/^onnx-format: model\.onnx /);
  });

  it('refuses subgraphs nested deeper than the limit', () => {
    const { ok, failed } = failures(
      edited((model) => {
        let inner: GraphMessage = { name: 'leaf', node: [], output: [] };
        for (let level = 0; level < 12; level++) {
          inner = {
            name: `level${level}`,
            node: [
              {
                op_type: 'If',
                input: ['c'],
                output: [`o${level}`],
                attribute: [{ name: 'then_branch', type: GRAPH_ATTRIBUTE, g: inner }],
              },
            ],
            output: [],
          };
        }
        model.graph.node?.push(...(inner.node ?? []));
      }),
    );
    expect(ok).toBe(false);
    expect(failed).toContainEqual(expect.stringMatching(/levels deep/));
  });
});

describe('scanOnnxModel checks the encoder interface', () => {
  it('refuses an output that is not float32', () => {
    const { ok, failed } = failures(
      edited((model) => {
        const output = model.graph.output?.[0];
        if (output?.type?.tensor_type) {
          output.type.tensor_type.elem_type = 7; // int64
        }
      }),
    );
    expect(ok).toBe(false);
    expect(failed).toContainEqual(expect.stringMatching(/^interface: .*int64/));
  });
});

describe('an operator the scan cannot know about', () => {
  it('passes the scan but fails to load with the same explanation as a foreign domain', async () => {
    const bytes = edited((model) => {
      const node = model.graph.node?.[0];
      if (node) {
        node.op_type = 'MadeUpOperator';
      }
    });
    expect(failures(bytes).failed).toEqual([]);
    const error = await OrtSession.create(bytes, { label: 'model.onnx', intraOpThreads: 1 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(EncoderError);
    expect((error as EncoderError).message).toMatch(
      /^model\.onnx: unsupported operator: onnxruntime has no operator "MadeUpOperator" at opset \d+$/,
    );
    expect((error as EncoderError).hint).toMatch(/standard ONNX operators/);
  });
});

describe('scanOnnxModel reports every interface problem at once', () => {
  it('names each extra input and the wrong output together, with each fix', () => {
    const bytes = edited((model) => {
      const [waveform] = model.graph.input ?? [];
      if (waveform) {
        model.graph.input = [
          waveform,
          { ...waveform, name: 'lengths' },
          { ...waveform, name: 'sr' },
        ];
      }
      const [output] = model.graph.output ?? [];
      const shape = output?.type?.tensor_type;
      if (shape) {
        shape.shape = { dim: [{ dim_param: 'batch' }, { dim_value: 64 }] };
      }
    });
    const scan = scanOnnxModel(bytes, 'model.onnx');
    const item = scan.items.find((entry) => entry.id === 'interface');
    expect(item?.message).toBe(
      'model.onnx: the graph has 3 inputs ("waveform", "lengths", "sr"); the encoder must take one float32 [batch, samples] waveform and return one float32 [batch, frames, D] tensor; model.onnx: output "embeddings" is float32 of rank 2; the encoder must take one float32 [batch, samples] waveform and return one float32 [batch, frames, D] tensor',
    );
    expect(item?.message).not.toMatch(/and \d+ more/);
    expect(item?.hint?.split('; ').length).toBe(2);
  });

  it('explains a graph with no inputs: features computed outside torch became a constant', () => {
    const bytes = edited((model) => {
      model.graph.input = [];
    });
    const item = scanOnnxModel(bytes, 'model.onnx').items.find((entry) => entry.id === 'interface');
    expect(item?.status).toBe('fail');
    expect(item?.message).toMatch(
      /^model\.onnx: the graph has no inputs: the waveform it was exported with became a constant/,
    );
    expect(item?.hint).toMatch(/numpy, librosa, \.item\(\), \.tolist\(\)/);
  });
});
