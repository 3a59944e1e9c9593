/**
 * What a CLI command run in process (`main([...])`) writes to stdout and stderr: each returns the
 * chunks written from now on, instead of printing them. vi.restoreAllMocks() ends the capture.
 */
import { vi } from 'vitest';

function capture(stream: NodeJS.WriteStream): string[] {
  const chunks: string[] = [];
  vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  return chunks;
}

export function captureStdout(): string[] {
  return capture(process.stdout);
}

export function captureStderr(): string[] {
  return capture(process.stderr);
}
