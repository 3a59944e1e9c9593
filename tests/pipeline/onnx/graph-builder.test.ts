import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../pipeline/onnx/graph-builder.ts';
import { decodeModel } from '../../../pipeline/onnx/proto.ts';
import { OrtSession } from '../../../pipeline/runtime/ort.ts';

function opTypes(model: Uint8Array): string[] {
  return (decodeModel(model).graph?.node ?? []).map((node) => node.op_type);
}

describe('GraphBuilder outputs', () => {
  it('names a node output after the graph output, without an Identity, even when other nodes use it', async () => {
    const g = new GraphBuilder('rename');
    const x = g.input('x', 'float32', [2]);
    const plusOne = g.op('Add', [x, g.scalar(1)]);
    const doubled = g.op('Mul', [plusOne, g.scalar(2)]);
    g.output(plusOne, 'float32', [2], 'first');
    // Used after it became an output: the builder must follow the rename.
    const tripled = g.op('Mul', [plusOne, g.scalar(3)]);
    g.output(doubled, 'float32', [2], 'second');
    g.output(tripled, 'float32', [2], 'third');
    // The same value exposed twice: the second name needs a copy.
    g.output(plusOne, 'float32', [2], 'again');
    const model = g.toModel();
    // 'second' and 'third' feed nothing else: onnxruntime drops their Identity itself.
    expect(opTypes(model)).toEqual(['Add', 'Mul', 'Mul', 'Identity', 'Identity', 'Identity']);
    const session = await OrtSession.create(model, { label: 'rename', intraOpThreads: 1 });
    const outputs = await session.run({ x: { data: Float32Array.of(1, 2), dims: [2] } });
    await session.release();
    expect(Array.from(outputs['first']?.data ?? [])).toEqual([2, 3]);
    expect(Array.from(outputs['second']?.data ?? [])).toEqual([4, 6]);
    expect(Array.from(outputs['third']?.data ?? [])).toEqual([6, 9]);
    expect(Array.from(outputs['again']?.data ?? [])).toEqual([2, 3]);
  });

  it('keeps an Identity for a graph input exposed as an output', async () => {
    const g = new GraphBuilder('input-as-output');
    const x = g.input('x', 'float32', [1]);
    g.output(x, 'float32', [1], 'y');
    const model = g.toModel();
    expect(opTypes(model)).toEqual(['Identity']);
    const session = await OrtSession.create(model, { label: 'identity', intraOpThreads: 1 });
    const outputs = await session.run({ x: { data: Float32Array.of(5), dims: [1] } });
    await session.release();
    expect(Array.from(outputs['y']?.data ?? [])).toEqual([5]);
  });
});
