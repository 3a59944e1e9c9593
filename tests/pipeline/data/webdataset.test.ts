import { Readable } from 'node:stream';
import tar, { type Header } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { startFlakyServer } from '../../support/flaky-server.ts';
import {
  openShard,
  packTar,
  readWebDataset,
  splitKey,
  type WebDatasetSample,
} from '../../../pipeline/data/webdataset.ts';
import { DataError } from '../../../pipeline/errors.ts';

type RawEntry = Partial<Header> & Pick<Header, 'name'> & { body?: string };

/** A tar with arbitrary headers (including ones packTar refuses to write). */
async function rawTar(entries: readonly RawEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack) {
      chunks.push(chunk as Buffer);
    }
  })();
  for (const { body, ...header } of entries) {
    pack.entry(header, body ?? '');
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function readAll(bytes: Buffer, shard = 'test.tar'): Promise<WebDatasetSample[]> {
  const samples: WebDatasetSample[] = [];
  for await (const sample of readWebDataset(Readable.from([bytes]), shard)) {
    samples.push(sample);
  }
  return samples;
}

const text = (value: string) => new TextEncoder().encode(value);

describe('splitKey', () => {
  it.each([
    ['000001.wav', '000001', 'wav'],
    ['train/000001.seg.wav', 'train/000001', 'seg.wav'],
    ['./a/b.c/000002.json', 'a/b.c/000002', 'json'],
    ['README', 'README', ''],
  ])('%s -> key %s, extension %s', (name, key, extension) => {
    expect(splitKey(name)).toEqual({ key, extension });
  });
});

describe('readWebDataset', () => {
  it('groups adjacent entries by key, in tar order', async () => {
    const bytes = await packTar([
      { name: 'a.wav', bytes: text('A') },
      { name: 'a.json', bytes: text('{"label":"x"}') },
      { name: 'b.wav', bytes: text('B') },
      { name: 'b.json', bytes: text('{}') },
    ]);
    const samples = await readAll(bytes);
    expect(samples.map((sample) => [sample.key, [...sample.files.keys()]])).toEqual([
      ['a', ['wav', 'json']],
      ['b', ['wav', 'json']],
    ]);
    expect(samples[0]?.files.get('wav')?.toString()).toBe('A');
  });

  it('writes reproducible tars: same entries, same bytes', async () => {
    const entries = [{ name: 'k.json', bytes: text('{}') }];
    expect((await packTar(entries)).equals(await packTar(entries))).toBe(true);
  });

  it('skips directory entries', async () => {
    const bytes = await rawTar([
      { name: 'dir/', type: 'directory' },
      { name: 'dir/a.json', body: '{}' },
    ]);
    expect((await readAll(bytes)).map((sample) => sample.key)).toEqual(['dir/a']);
  });

  it.each(['symlink', 'link', 'fifo', 'character-device'] as const)(
    'rejects a %s entry',
    async (type) => {
      const bytes = await rawTar([{ name: 'a.wav', type, linkname: '/etc/passwd' }]);
      await expect(readAll(bytes, 'evil.tar')).rejects.toThrow(
        `evil.tar: entry "a.wav" is a ${type}, not a regular file`,
      );
    },
  );

  it.each(['../escape.wav', '/abs/x.wav', 'a/../../b.wav', 'bad\u0001name.wav'])(
    'rejects the unsafe name %j',
    async (name) => {
      const bytes = await rawTar([{ name, body: 'x' }]);
      await expect(readAll(bytes, 'evil.tar')).rejects.toThrow(/^evil\.tar: unsafe entry name/);
    },
  );

  it.each([
    [
      '8 GiB',
      '8589934592',
      'pax.tar: entry "huge.wav" declares 8589934592 bytes, over the limit of 1073741824',
    ],
    ['negative', '-1', 'pax.tar: cannot read tar (Invalid header)'],
    ['non-numeric', 'lots', 'pax.tar: cannot read tar (Invalid header)'],
  ])(
    'rejects an entry whose PAX header declares a %s size, before reading it',
    async (_what, size, message) => {
      const bytes = await rawTar([{ name: 'huge.wav', pax: { size }, body: 'x' }]);
      const error = await readAll(bytes, 'pax.tar').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DataError);
      expect((error as DataError).message).toBe(message);
    },
  );

  it('rejects entries above the size limit before reading them', async () => {
    const bytes = await rawTar([{ name: 'big.wav', body: 'x'.repeat(100) }]);
    const read = async () => {
      for await (const _ of readWebDataset(Readable.from([bytes]), 'big.tar', {
        maxEntryBytes: 10,
      })) {
        // drain
      }
    };
    await expect(read()).rejects.toThrow(
      'big.tar: entry "big.wav" declares 100 bytes, over the limit of 10',
    );
  });

  it('rejects a key that comes back after another key', async () => {
    const bytes = await packTar([
      { name: 'a.wav', bytes: text('1') },
      { name: 'b.wav', bytes: text('2') },
      { name: 'a.json', bytes: text('{}') },
    ]);
    await expect(readAll(bytes, 's.tar')).rejects.toThrow('s.tar: key "a" appears in two places');
  });

  it('reports a truncated shard by name', async () => {
    const bytes = await packTar([{ name: 'a.wav', bytes: new Uint8Array(2000) }]);
    const error = await readAll(bytes.subarray(0, 1000), 'cut.tar').catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/^cut\.tar: cannot read tar/);
  });

  it.each([
    ['shorter than one tar block', 100],
    ['cut inside the first header', 300],
  ])('reports a shard %s by name', async (_what, length) => {
    const bytes = await packTar([{ name: 'a.wav', bytes: new Uint8Array(2000) }]);
    const error = await readAll(bytes.subarray(0, length), 'short.tar').catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/^short\.tar: cannot read tar/);
  });

  it('reads an empty file as a shard without samples', async () => {
    // tar-stream ends cleanly on zero bytes. A zero-byte shard can only reach this point when
    // its sha256 is locked as such; the lock file check stops every other truncation first.
    expect(await readAll(Buffer.alloc(0), 'empty.tar')).toEqual([]);
  });

  it('refuses a sample with two entries of the same kind', async () => {
    const bytes = await packTar([
      { name: 'a.wav', bytes: text('A') },
      { name: 'a.wav', bytes: text('B') },
    ]);
    await expect(readAll(bytes, 'twice.tar')).rejects.toThrow(
      'twice.tar: sample "a" has two "wav" entries',
    );
  });

  it('streams a shard straight from HTTP, nothing written to disk', async () => {
    const bytes = await packTar([
      { name: 'a.wav', bytes: text('A') },
      { name: 'a.json', bytes: text('{}') },
      { name: 'b.wav', bytes: text('B') },
    ]);
    const server = await startFlakyServer({ '/s.tar': bytes });
    try {
      const samples: string[] = [];
      for await (const sample of readWebDataset(
        await openShard(`${server.url}/s.tar`, { authorization: 'Bearer t' }),
        's.tar',
      )) {
        samples.push(sample.key);
      }
      expect(samples).toEqual(['a', 'b']);
      expect(server.requests[0]?.authorization).toBe('Bearer t');
      await expect(openShard(`${server.url}/missing.tar`)).rejects.toThrow(
        'cannot fetch shard: HTTP 404',
      );
    } finally {
      await server.close();
    }
  });
});
