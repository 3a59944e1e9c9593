/** Typed-array helpers shared by the encoder stage and the heads. */

/** The parts one after another in a new array. */
export function concatenateFloat32(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
