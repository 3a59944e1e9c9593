/**
 * Reading the structure of a native FLAC stream without decoding it: STREAMINFO, and the offsets
 * of its frames found by their CRC-checked headers. The fast FLAC path only takes streams this
 * can lay out completely; anything else goes to audio-decode.
 */

/** STREAMINFO of a native FLAC stream and the offset of its first frame. */
export interface FlacStream {
  readonly sampleRate: number;
  readonly channels: number;
  readonly bits: number;
  readonly totalSamples: number;
  /** The smallest frame in bytes, or 0 when unknown. */
  readonly minFrameSize: number;
  readonly firstFrame: number;
}

export function flacStream(bytes: Uint8Array): FlacStream | undefined {
  const at = (index: number): number => bytes[index] ?? 0;
  // "fLaC", then STREAMINFO (type 0, 34 bytes) as the first metadata block.
  if (
    bytes.length < 42 ||
    at(0) !== 0x66 ||
    at(1) !== 0x4c ||
    at(2) !== 0x61 ||
    at(3) !== 0x43 ||
    (at(4) & 0x7f) !== 0 ||
    ((at(5) << 16) | (at(6) << 8) | at(7)) !== 34
  ) {
    return undefined;
  }
  let offset = 4;
  for (;;) {
    if (offset + 4 > bytes.length) {
      return undefined;
    }
    const last = at(offset) & 0x80;
    offset += 4 + ((at(offset + 1) << 16) | (at(offset + 2) << 8) | at(offset + 3));
    if (last) {
      break;
    }
  }
  return {
    sampleRate: (at(18) << 12) | (at(19) << 4) | (at(20) >> 4),
    channels: ((at(20) >> 1) & 0x07) + 1,
    bits: (((at(20) & 0x01) << 4) | (at(21) >> 4)) + 1,
    totalSamples:
      (at(21) & 0x0f) * 2 ** 32 + at(22) * 2 ** 24 + ((at(23) << 16) | (at(24) << 8) | at(25)),
    minFrameSize: (at(12) << 16) | (at(13) << 8) | at(14),
    firstFrame: offset,
  };
}

const CRC8 = Uint8Array.from({ length: 256 }, (_, byte) => {
  let crc = byte;
  for (let bit = 0; bit < 8; bit++) {
    crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
});

const CRC16 = Uint16Array.from({ length: 256 }, (_, byte) => {
  let crc = byte << 8;
  for (let bit = 0; bit < 8; bit++) {
    crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
});

/** A parsed frame header: what must stay constant across a stream, its number and its length. */
interface FrameHeader {
  /** Blocking strategy, sample rate code, sample size code and channel count, packed. */
  readonly kind: number;
  /** Frame number (fixed block size) or number of the first sample (variable block size). */
  readonly number: number;
  readonly blockSize: number;
}

/** Parse and CRC-check the frame header at `p`, or return undefined. */
function frameHeader(bytes: Uint8Array, p: number): FrameHeader | undefined {
  if (p + 6 > bytes.length) {
    return undefined;
  }
  const b1 = bytes[p + 1] as number;
  const b2 = bytes[p + 2] as number;
  const b3 = bytes[p + 3] as number;
  const blockCode = b2 >> 4;
  const rateCode = b2 & 0x0f;
  const assignment = b3 >> 4;
  const sizeCode = (b3 >> 1) & 0x07;
  if (
    bytes[p] !== 0xff ||
    (b1 & 0xfe) !== 0xf8 ||
    blockCode === 0 ||
    rateCode === 0x0f ||
    assignment > 10 ||
    sizeCode === 3 ||
    (b3 & 0x01) !== 0
  ) {
    return undefined;
  }
  // The frame or sample number, UTF-8 style in 1 to 7 bytes.
  let q = p + 4;
  const lead = bytes[q++] as number;
  let extra: number;
  let number: number;
  if (lead < 0x80) {
    extra = 0;
    number = lead;
  } else if (lead < 0xc0) {
    return undefined;
  } else if (lead < 0xe0) {
    extra = 1;
    number = lead & 0x1f;
  } else if (lead < 0xf0) {
    extra = 2;
    number = lead & 0x0f;
  } else if (lead < 0xf8) {
    extra = 3;
    number = lead & 0x07;
  } else if (lead < 0xfc) {
    extra = 4;
    number = lead & 0x03;
  } else if (lead < 0xfe) {
    extra = 5;
    number = lead & 0x01;
  } else if (lead === 0xfe) {
    extra = 6;
    number = 0;
  } else {
    return undefined;
  }
  const end =
    q +
    extra +
    (blockCode === 6 ? 1 : blockCode === 7 ? 2 : 0) +
    (rateCode === 12 ? 1 : rateCode >= 13 ? 2 : 0);
  if (end >= bytes.length) {
    return undefined;
  }
  for (let k = 0; k < extra; k++) {
    const byte = bytes[q++] as number;
    if ((byte & 0xc0) !== 0x80) {
      return undefined;
    }
    number = number * 64 + (byte & 0x3f);
  }
  let blockSize: number;
  if (blockCode === 1) {
    blockSize = 192;
  } else if (blockCode <= 5) {
    blockSize = 576 << (blockCode - 2);
  } else if (blockCode === 6) {
    blockSize = (bytes[q] as number) + 1;
  } else if (blockCode === 7) {
    blockSize = (((bytes[q] as number) << 8) | (bytes[q + 1] as number)) + 1;
  } else {
    blockSize = 256 << (blockCode - 8);
  }
  let crc = 0;
  for (let i = p; i < end; i++) {
    crc = CRC8[crc ^ (bytes[i] as number)] as number;
  }
  if (crc !== bytes[end]) {
    return undefined;
  }
  const channels = assignment < 8 ? assignment + 1 : 2;
  return {
    kind: ((b1 & 1) << 12) | (rateCode << 8) | (sizeCode << 4) | channels,
    number,
    blockSize,
  };
}

/**
 * Offsets of the frames of a native FLAC stream (and the end of the last), or undefined when
 * the stream is anything but plain: frames must follow each other with consecutive numbers and
 * the same rate, sample size and channel count, add up to STREAMINFO's total, and the last must
 * end the file (its CRC-16 checks out over the rest of the bytes).
 */
export function flacFrames(bytes: Uint8Array, stream: FlacStream): number[] | undefined {
  const first = frameHeader(bytes, stream.firstFrame);
  if (!first || first.number !== 0) {
    return undefined;
  }
  const variable = (first.kind >> 12) & 1;
  const starts = [stream.firstFrame];
  let samples = first.blockSize;
  let frames = 1;
  let start = stream.firstFrame;
  // No frame is shorter than STREAMINFO says; were that wrong, the numbering check fails.
  const skip = Math.max(6, stream.minFrameSize);
  let search = start + skip;
  for (;;) {
    const p = bytes.indexOf(0xff, search);
    if (p < 0) {
      break;
    }
    search = p + 1;
    if (((bytes[p + 1] as number) & 0xfe) !== 0xf8) {
      continue;
    }
    const header = frameHeader(bytes, p);
    if (!header || header.kind !== first.kind || header.number !== (variable ? samples : frames)) {
      continue;
    }
    starts.push(p);
    samples += header.blockSize;
    frames += 1;
    start = p;
    search = p + skip;
  }
  if (samples !== stream.totalSamples) {
    return undefined;
  }
  let crc = 0;
  for (let i = start; i < bytes.length; i++) {
    crc = ((crc << 8) & 0xffff) ^ (CRC16[(crc >> 8) ^ (bytes[i] as number)] as number);
  }
  if (crc !== 0) {
    return undefined;
  }
  starts.push(bytes.length);
  return starts;
}
