// The compression a v7 trace.dat names in its header ("none", "zstd" or "zlib"), applied to
// one compressed block. zlib is node's own; zstd comes from fzstd (pure JS: node 20 has no
// zstd, and trace-cmd compresses with zstd by default when libzstd is there).
import * as zlib from 'zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { DatFormatError } from './errors';

export type Compression = 'none' | 'zstd' | 'zlib';

export function compressionOf(name: string, offset: number): Compression {
  if (name === 'none' || name === 'zstd' || name === 'zlib') return name;
  throw new DatFormatError(offset, `unknown compression '${name}' (known: none, zstd, zlib)`);
}

/**
 * Decompresses one block whose header said it inflates to `size` bytes. `offset` is the
 * block's place in the file, for the error a corrupt block gives.
 */
export function decompressBlock(algo: Compression, data: Buffer, size: number, offset: number): Buffer {
  let out: Buffer;
  try {
    if (algo === 'zlib') out = zlib.inflateSync(data, { maxOutputLength: Math.max(size, 1) });
    else if (algo === 'zstd') {
      // fzstd sizes its output from the frame's content size: refuse a frame that claims
      // more than the block header (already bounded) says, so a corrupt frame cannot make
      // it allocate gigabytes. (Handing fzstd our own output buffer instead is ~20x slower:
      // it compares that buffer with 1 using ==, which stringifies the whole array.)
      const claimed = zstdContentSize(data);
      const u = claimed !== null && claimed <= size ? zstdDecompress(data) : zstdDecompress(data, new Uint8Array(size));
      out = Buffer.from(u.buffer, u.byteOffset, u.byteLength);
    } else out = data;
  } catch (e) {
    throw new DatFormatError(offset, `corrupt ${algo} block: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (out.length !== size) throw new DatFormatError(offset, `${algo} block inflates to ${out.length} bytes, its header says ${size}`);
  return out;
}

/** The content size a zstd frame header states (RFC 8878 3.1.1.1), null when it states none. */
export function zstdContentSize(d: Uint8Array): number | null {
  if (d.length < 6 || d[0] !== 0x28 || d[1] !== 0xb5 || d[2] !== 0x2f || d[3] !== 0xfd) return null;
  const flg = d[4];
  const singleSegment = (flg >> 5) & 1, dictFlag = flg & 3, fcsFlag = flg >> 6;
  const fcsBytes = fcsFlag ? 1 << fcsFlag : singleSegment;
  if (!fcsBytes) return null;
  let p = 5 + (singleSegment ? 0 : 1) + (dictFlag === 3 ? 4 : dictFlag);
  if (p + fcsBytes > d.length) return null;
  let v = 0;
  for (let k = 0; k < fcsBytes; k++) v += d[p++] * 2 ** (8 * k);
  return fcsFlag === 1 ? v + 256 : v;
}
