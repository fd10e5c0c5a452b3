// Compressed traces (how captures travel: trace.txt.gz on a mailing list, trace.dat.zst in a
// bug report): decompressed to a file of their own in the temporary directory, by the system's
// own tool, which streams (no file is ever held whole), and read from there; that file is
// where the debugger's frames point and other events' texts are read back from. It goes when
// the process exits. gzip without its tool is decompressed by zlib in memory instead.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { execFileSync } from 'child_process';
import { headBytes } from './lineReader';

interface Compression { name: string; magic: number[]; tool: string; suffix: string }

const COMPRESSIONS: Compression[] = [
  { name: 'gzip', magic: [0x1f, 0x8b], tool: 'gzip', suffix: '.gz' },
  { name: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], tool: 'xz', suffix: '.xz' },
  { name: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd], tool: 'zstd', suffix: '.zst' },
  { name: 'bzip2', magic: [0x42, 0x5a, 0x68], tool: 'bzip2', suffix: '.bz2' },
];

/** The compression a file's first bytes say it has, or undefined. */
export function compressionOf(head: Uint8Array): Compression | undefined {
  return COMPRESSIONS.find(c => c.magic.every((b, k) => head[k] === b));
}

/** A file name's compression suffix (`trace.txt.gz`), optional, as a part of a RegExp source. */
export const COMPRESSION_SUFFIX = `(?:${COMPRESSIONS.map(c => c.suffix.replace('.', '\\.')).join('|')})?`;

/** `file` itself, or a decompressed copy of it when its first bytes (`head`, read if not given)
 * say it is compressed. Throws an Error saying what to do when it cannot be decompressed. */
export function readableFile(file: string, head: Uint8Array = headBytes(file, 8)): string {
  const c = compressionOf(head);
  return c ? decompressedCopy(file, c) : file;
}

let tmpDir: string | undefined;
let copies = 0;

/** The directory of this process's decompressed copies, removed when the process exits. */
function tempDir(): string {
  if (!tmpDir) {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-trace-'));
    const dir = tmpDir;
    process.once('exit', () => { try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* gone already */ } });
  }
  return tmpDir;
}

/**
 * Decompresses `file` (compressed as `c`) into a new file and returns its path. Throws an
 * Error whose message says what to do when it cannot (no tool, a damaged file).
 */
function decompressedCopy(file: string, c: Compression): string {
  const base = path.basename(file);
  const out = path.join(tempDir(), `${++copies}-${base.endsWith(c.suffix) ? base.slice(0, -c.suffix.length) : base}`);
  const fd = fs.openSync(out, 'w');
  try {
    try {
      execFileSync(c.tool, ['-dc', file], { stdio: ['ignore', fd, 'pipe'], maxBuffer: 1 << 20 });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
      if (err.code === 'ENOENT' && c.name === 'gzip') {
        fs.writeSync(fd, zlib.gunzipSync(fs.readFileSync(file)));
      } else if (err.code === 'ENOENT') {
        throw new Error(`${c.name}-compressed, and there is no '${c.tool}' to decompress it: decompress it first (${c.tool} -dk ${base})`);
      } else {
        const why = err.stderr?.toString().trim().split('\n').pop() || err.message;
        throw new Error(`${c.name}-compressed, and '${c.tool} -dc' failed: ${why}`);
      }
    }
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(out, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  return out;
}
