/**
 * The packages the pipeline and the benchmarks load (not the site's), as a list of folders under
 * node_modules: the closure of their dependencies, for bench/gpu/pack.sh to carry to a machine
 * without network. Prints one path per line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOTS = [
  'onnxruntime-node',
  'onnxruntime-common',
  'zod',
  'tar-stream',
  'audio-decode',
  '@wasm-audio-decoders/flac',
  'libflacjs',
  'protobufjs',
  'pure-rand',
];

const seen = new Set<string>();
const visit = (name: string) => {
  if (seen.has(name)) {
    return;
  }
  const manifest = join('node_modules', name, 'package.json');
  if (!existsSync(manifest)) {
    return;
  }
  seen.add(name);
  const json = JSON.parse(readFileSync(manifest, 'utf8')) as {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  for (const dependency of Object.keys({ ...json.dependencies, ...json.optionalDependencies })) {
    visit(dependency);
  }
};
ROOTS.forEach(visit);
process.stdout.write(
  [...seen]
    .sort()
    .map((name) => `node_modules/${name}\n`)
    .join(''),
);
