// Reads a text file in fixed-size chunks and hands each line to a callback as a range of
// the chunk's string: the file is never one string, and no per-line string is made unless
// the callback slices one. Bytes are decoded as latin1 so that string offsets are byte
// offsets (a malformed UTF-8 byte cannot shift or swallow a line); text kept for display is
// re-decoded as UTF-8 by `utf8` below.
import * as fs from 'fs';

/** `s.slice(start, end)` is one line without its newline (and without a trailing CR). */
export type LineFn = (s: string, start: number, end: number, lineNo: number) => void;

// 64 KiB: V8 makes a string of more than ~128 KB in its large-object space (and one of
// more than ~1 MB an external string), which made decoding 1 MiB chunks cost ~10 ms per
// MB on node 20 against ~1-2 ms for 64 KiB chunks (measured on the fork-storm capture).
export const CHUNK_BYTES = 1 << 16;

export interface ReadStats { bytes: number; lines: number }

/** A line longer than this is no trace line (the kernel prints lines of a few KiB at most):
 * it is skipped to its end, never held whole, so a file without newlines cannot fill memory. */
export const MAX_LINE_BYTES = 1 << 20;
export const LONG_LINE_MESSAGE = `line longer than ${MAX_LINE_BYTES >> 20} MiB: not a trace line, skipped`;

/**
 * Reads `file` chunkBytes at a time into one buffer. `whole(buf, filled)` gets the buffer
 * holding `filled` bytes and returns how many of them (whole lines) it used; the rest, an
 * unfinished line, is moved to the front and read on. `rest(buf, n)` gets a last line the
 * file does not end with a newline. Returns the bytes read.
 */
function eachChunk(file: string, chunkBytes: number, whole: (buf: Buffer, filled: number, base: number) => number, rest: (buf: Buffer, n: number, base: number) => void,
  long: () => void): number {
  const fd = fs.openSync(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(chunkBytes);
    let carry = 0;          // bytes of an unfinished line kept at the start of buf
    let bytes = 0;
    for (;;) {
      if (carry === buf.length && buf.length >= MAX_LINE_BYTES) {
        const skip = skipToNewline(fd, buf);
        bytes += skip.bytes;
        long();
        if (skip.carry < 0) { carry = 0; break; }
        carry = skip.carry;
        continue;
      }
      // a line longer than the buffer: grow it (rare: the kernel caps trace lines)
      if (carry === buf.length) { const b = Buffer.allocUnsafe(buf.length * 2); buf.copy(b, 0, 0, carry); buf = b; }
      const n = fs.readSync(fd, buf, carry, buf.length - carry, null);
      bytes += n;
      if (n === 0) break;
      const filled = carry + n;
      const used = whole(buf, filled, bytes - filled);
      carry = filled - used;
      if (carry && used) buf.copy(buf, 0, used, filled);
    }
    if (carry) rest(buf, carry, bytes - carry);
    return bytes;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads on into `buf` until a newline, past a line too long to keep. Returns the bytes read,
 * and how many follow the newline (moved to the start of buf), or -1 when the file ended first.
 */
export function skipToNewline(fd: number, buf: Uint8Array, at = 0, size = buf.length - at): { bytes: number; carry: number } {
  let bytes = 0;
  for (;;) {
    const n = fs.readSync(fd, buf, at, size, null);
    bytes += n;
    if (n === 0) return { bytes, carry: -1 };
    const chunk = buf.subarray(at, at + n);
    const k = chunk.indexOf(10);
    if (k >= 0) { buf.copyWithin(at, at + k + 1, at + n); return { bytes, carry: n - k - 1 }; }
  }
}

/** Calls `fn` for each line of the file at `file`, reading CHUNK_BYTES at a time; a line
 * longer than MAX_LINE_BYTES is counted and skipped (`onLong` gets its number). */
export function readLines(file: string, fn: LineFn, chunkBytes = CHUNK_BYTES, onLong?: (lineNo: number) => void): ReadStats {
  let lineNo = 0;
  const bytes = eachChunk(file, chunkBytes, (buf, filled) => {
    const lastNl = buf.lastIndexOf(10, filled - 1);
    if (lastNl < 0) return 0;
    lineNo = eachLine(buf.toString('latin1', 0, lastNl + 1), fn, lineNo);
    return lastNl + 1;
  }, (buf, n) => { lineNo = eachLine(`${buf.toString('latin1', 0, n)}\n`, fn, lineNo); }, () => onLong?.(++lineNo));
  return { bytes, lines: lineNo };
}

/** `buf[start, end)` is one line without its newline (and without a trailing CR), which
 * begins at byte `at` of the file. */
export type ByteLineFn = (buf: Buffer, start: number, end: number, lineNo: number, at: number) => void;

/**
 * Like readLines, but hands each line as a byte range of the chunk's buffer: nothing is
 * decoded unless the callback decodes it (the importer parses the common lines from bytes
 * and decodes only the others). The buffer is reused: copy what must outlive the call.
 */
export function readLineBytes(file: string, fn: ByteLineFn, chunkBytes = CHUNK_BYTES, onLong?: (lineNo: number) => void): ReadStats {
  let lineNo = 0;
  const bytes = eachChunk(file, chunkBytes, (buf, filled, base) => {
    let p = 0;
    for (;;) {
      // (stale bytes past `filled` may hold a newline of an earlier chunk)
      const e = buf.indexOf(10, p);
      if (e < 0 || e >= filled) return p;
      fn(buf, p, e > p && buf[e - 1] === 13 ? e - 1 : e, ++lineNo, base + p);
      p = e + 1;
    }
  }, (buf, n, base) => fn(buf, 0, buf[n - 1] === 13 ? n - 1 : n, ++lineNo, base), () => onLong?.(++lineNo));
  return { bytes, lines: lineNo };
}

/** The same over text already in memory (an export read back, a test's fixture). */
export function readTextLines(text: string, fn: LineFn): ReadStats {
  const s = text.endsWith('\n') ? text : `${text}\n`;
  return { bytes: Buffer.byteLength(text), lines: eachLine(s, fn, 0) };
}

function eachLine(s: string, fn: LineFn, lineNo: number): number {
  let p = 0;
  const n = s.length;
  while (p < n) {
    let e = s.indexOf('\n', p);
    if (e < 0) e = n;
    let end = e;
    if (end > p && s.charCodeAt(end - 1) === 13) end--;
    fn(s, p, end, ++lineNo);
    p = e + 1;
  }
  return lineNo;
}

/** Text that was decoded as latin1, decoded again as UTF-8 when it has non-ASCII bytes. */
export function utf8(latin1: string): string {
  for (let i = 0; i < latin1.length; i++) {
    if (latin1.charCodeAt(i) > 127) return Buffer.from(latin1, 'latin1').toString('utf8');
  }
  return latin1;
}

/** The first bytes of a file, to tell formats (and binary files) apart. */
export function headBytes(file: string, n = 4096): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(n);
    const got = fs.readSync(fd, b, 0, n, 0);
    return b.subarray(0, got);
  } finally { fs.closeSync(fd); }
}
