// Compressed traces (gzip, xz, zstd, bzip2) are decompressed into a file of their own, by the
// system's tool, and read from there: the same events as the plain file.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { spawnSync } from 'child_process';
import { importTrace, parseZoneInfo, TraceImportError, ZoneInfoError, zoneinfoBeside } from '../../../src/engine';
import { parseZoneinfoArg } from '../../../src/cli/replay';
import { captureName } from '../../../src/engine/trace/detect';
import { assertSameImport, captureFile } from './captures';

describe('compressed traces', function () {
  this.timeout(60000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-compressed-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const plainFile = captureFile('drain', 'ftrace-raw');
  const plain = importTrace(plainFile);

  it('gzip: the same import as the plain file, read from a decompressed copy that stays while the process runs', () => {
    const gz = path.join(dir, 'ftrace-raw-drain.txt.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(plainFile)));
    const t = importTrace(gz);
    assertSameImport(t, plain);
    assert.equal(t.decompressedFrom, gz);
    assert.notEqual(t.file, gz);
    assert.equal(fs.readFileSync(t.file, 'latin1').split('\n')[t.store.line[100] - 1], fs.readFileSync(plainFile, 'latin1').split('\n')[plain.store.line[100] - 1]);
    assert.equal(captureName(path.basename(gz)), 'drain', 'the zoneinfo and lock files beside it are found by the capture name');
  });

  for (const [tool, ext] of [['xz', 'xz'], ['zstd', 'zst'], ['bzip2', 'bz2']]) {
    it(`${tool}: the same events (skipped without ${tool})`, function () {
      const packed = path.join(dir, `ftrace-raw-drain.txt.${ext}`);
      const r = spawnSync(tool, ['-c', plainFile], { maxBuffer: 1 << 28 });
      if (r.error || r.status !== 0) this.skip();
      fs.writeFileSync(packed, r.stdout);
      const t = importTrace(packed);
      assert.deepStrictEqual(t.byEvent, plain.byEvent);
      assert.equal(t.store.length, plain.store.length);
    });
  }

  it('without the tool: gzip is decompressed in memory, another says what to run', () => {
    const gz = path.join(dir, 'nopath.txt.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(plainFile)));
    // an xz file's magic, enough to be told apart
    const xz = path.join(dir, 'nopath.txt.xz');
    fs.writeFileSync(xz, Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2, 3]));
    const saved = process.env.PATH;
    process.env.PATH = dir;
    try {
      assert.equal(importTrace(gz).store.length, plain.store.length);
      assert.throws(() => importTrace(xz), (e: unknown) => e instanceof TraceImportError && e.line === 1 &&
        /xz-compressed, and there is no 'xz' to decompress it: decompress it first \(xz -dk nopath\.txt\.xz\)/.test(e.message));
    } finally {
      process.env.PATH = saved;
    }
  });

  it('a compressed zoneinfo beside it is read too', () => {
    const plainInfo = path.join(path.dirname(plainFile), 'zoneinfo-drain-before.txt');
    const gz = path.join(dir, 'zoneinfo-drain-before.txt.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(plainInfo)));
    assert.deepStrictEqual(parseZoneInfo(gz).zones, parseZoneInfo(plainInfo).zones);
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(plainInfo)).subarray(0, 100));
    assert.throws(() => parseZoneInfo(gz), (e: unknown) => e instanceof ZoneInfoError && /gzip-compressed, and 'gzip -dc' failed/.test(e.message));
  });

  it('compressed zoneinfo files beside a compressed trace are found, labelled without the suffixes', () => {
    const d = path.join(dir, 'beside');
    fs.mkdirSync(d);
    const src = path.dirname(plainFile);
    fs.writeFileSync(path.join(d, 'ftrace-raw-drain.txt.gz'), zlib.gzipSync(fs.readFileSync(plainFile)));
    fs.writeFileSync(path.join(d, 'zoneinfo-drain-before.txt.gz'), zlib.gzipSync(fs.readFileSync(path.join(src, 'zoneinfo-drain-before.txt'))));
    fs.copyFileSync(path.join(src, 'zoneinfo-drain-after.txt'), path.join(d, 'zoneinfo-drain-after.txt'));
    const trace = path.join(d, 'ftrace-raw-drain.txt.gz');
    assert.deepStrictEqual(zoneinfoBeside(trace, importTrace(trace)).map(z => z.label), ['before', 'after']);
    assert.deepStrictEqual(parseZoneinfoArg(path.join(d, 'zoneinfo-drain-before.txt.gz')), { label: 'before', file: path.join(d, 'zoneinfo-drain-before.txt.gz') });
  });

  it('a damaged file: an error naming the file and what the tool said', () => {
    const gz = path.join(dir, 'cut.txt.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(plainFile)).subarray(0, 5000));
    assert.throws(() => importTrace(gz), (e: unknown) => e instanceof TraceImportError && /cut\.txt\.gz: gzip-compressed, and 'gzip -dc' failed: .*(unexpected end|corrupt)/.test(e.message));
  });
});
