// The compression a v7 trace.dat names in its header ("none", "zstd" or "zlib"), applied to
// one compressed block. zlib is node's own; zstd comes from fzstd (pure JS: node 20 has no
// zstd, and trace-cmd compresses with zstd by default when libzstd is there).
import * as zlib from 'zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { DatFormatError } from './errors';

export type Compression = 'none' | 'zstd' | 'zlib';

/** Blocks up to this size inflate without question (kallsyms sections are ~4-10 MB, trace-cmd
 * compresses CPU data in chunks of 10 pages); bigger ones only at a plausible ratio. */
const MAX_PLAIN_INFLATE = 64 << 20;
const MAX_RATIO = 64;

export function compressionOf(name: string, offset: number): Compression {
  if (name === 'none' || name === 'zstd' || name === 'zlib') return name;
  throw new DatFormatError(offset, `unknown compression '${name}' (known: none, zstd, zlib)`);
}

/**
 * Decompresses one block whose header said it inflates to `size` bytes (into `into` when
 * given, a buffer of that size). `offset` is the block's place in the file, for the error a
 * corrupt block gives.
 */
export function decompressBlock(algo: Compression, data: Buffer, size: number, offset: number, into?: Buffer): Buffer {
  // the output is allocated from the header's size: a corrupt header must not get gigabytes
  if (size > MAX_PLAIN_INFLATE && size > MAX_RATIO * data.length) {
    throw new DatFormatError(offset, `${algo} block claims ${size} bytes from ${data.length} compressed: more than a trace.dat block inflates to`);
  }
  let out: Buffer;
  try {
    if (algo === 'zlib') {
      out = zlib.inflateSync(data, { maxOutputLength: Math.max(size, 1) });
      if (into && out.length === size) { out.copy(into); out = into; }
    } else if (algo === 'zstd') {
      const u = zstdDecompress(data, outputBuffer(size, into));
      out = Buffer.from(u.buffer, u.byteOffset, u.byteLength);
    } else out = data;
  } catch (e) {
    throw new DatFormatError(offset, `corrupt ${algo} block: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (out.length !== size) throw new DatFormatError(offset, `${algo} block inflates to ${out.length} bytes, its header says ${size}`);
  return out;
}

/**
 * The buffer fzstd decompresses into, sized from the block header (already bounded), so a
 * corrupt frame header cannot make fzstd allocate its window (up to 2 GB). fzstd 0.1.1 tests
 * `buf == 1` to tell its modes apart, which converts a typed array to a string of all its
 * bytes (a 4 MB kallsyms section: +200 ms); a valueOf of our own keeps that comparison cheap.
 */
function outputBuffer(size: number, into?: Buffer): Uint8Array {
  // a view of our own (not `into` itself: the valueOf below must not stay on a caller's buffer)
  const b = into ? new Uint8Array(into.buffer, into.byteOffset, size) : new Uint8Array(size);
  Object.defineProperty(b, 'valueOf', { value: () => 0 });
  return b;
}
