// The raw ftrace byte scanner (ftraceScan.ts, WebAssembly) must give exactly the columns, strings and
// stacks the general string reader gives: on both real captures, and on lines made to sit
// just outside the layout it reads (which it must leave to the general reader).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { importTrace, ImportedTrace, Reconstruction, EV } from '../../../src/engine';
import { assertSameImport, captureFile, mutatedCopies, snapshotsOf } from './captures';
import { setScannerMemoryLimit, setScannerPoolLimit } from '../../../src/engine/trace/ftraceScan';
import { FLAG_IRQS_OFF, FLAG_NEED_RESCHED, FLAG_SOFTIRQ } from '../../../src/engine/trace/store';

function withFile(text: string, fn: (file: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-fast-'));
  const file = path.join(dir, 'trace.txt');
  fs.writeFileSync(file, text, 'latin1');
  try { fn(file); } finally { fs.rmSync(dir, { recursive: true, force: true }); }
}

const HEADER = '# tracer: nop\n#\n';
const TC_FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'trace-cmd-report');
const ALLOC = '           <...>-1234    [001] d..2.  1234.567890: mm_page_alloc: page=fffff7a9c0a8c000 pfn=0x2a300 order=0 migratetype=1 gfp_flags=GFP_KERNEL\n';

describe('raw ftrace fast path', function () {
  this.timeout(120000);
  for (const capture of ['drain', 'fork-storm']) {
    it(`${capture}: the same import with and without it, and the same reconstruction`, () => {
      const file = captureFile(capture, 'ftrace-raw');
      const fast = importTrace(file), slow = importTrace(file, { fastPath: false });
      assertSameImport(fast, slow);
      const z = snapshotsOf(capture).map(s => ({ label: s.label, info: s.info }));
      const a = new Reconstruction(fast, { zoneinfo: z }).run(), b = new Reconstruction(slow, { zoneinfo: z }).run();
      assert.deepStrictEqual(a.snapshots, b.snapshots);
      assert.deepStrictEqual([...a.countAfter], [...b.countAfter]);
    });
  }

  it('lines just outside the padded layout are read by the general reader, to the same result', () => {
    const lines = [
      ALLOC,
      // pid of 8 digits, timestamp past 99999 s, tgid column, 4-character flags, a `[` in the task
      '           <...>-12345678 [001] d..2. 1234.567890: mm_page_alloc: page=fffff7a9c0a8c000 pfn=0x2a301 order=0 migratetype=1 gfp_flags=GFP_KERNEL\n',
      '            bash-1234    [002] ..... 123456.000001: mm_page_free: page=fffff7a9c0a8c040 pfn=0x2a301 order=0\n',
      '            bash-1234    (   1234) [002] ..... 1234.000002: mm_page_free: page=fffff7a9c0a8c040 pfn=0x2a302 order=0\n',
      '            bash-1234    [002] d..2  1234.000003: mm_page_free: page=fffff7a9c0a8c040 pfn=0x2a303 order=0\n',
      '         a[12]bc-77      [003] ..... 1234.000004: mm_page_free: page=fffff7a9c0a8c040 pfn=0x2a304 order=0\n',
      // fields the fast path does not read: pfn 0 of a failed allocation, decimal pfn, upper-case
      // hex, negative migratetype, order beyond a byte, extra spaces, CRLF, a tab
      '            bash-1234    [002] ..... 1234.000005: mm_page_alloc: page=0000000000000000 pfn=0x0 order=0 migratetype=1 gfp_flags=GFP_KERNEL\n',
      '            bash-1234    [002] ..... 1234.000006: mm_page_free: page=fffff7a9c0a8c040 pfn=172805 order=0\n',
      '            bash-1234    [002] ..... 1234.000007: mm_page_free: page=fffff7a9c0a8c040 pfn=0x2A306 order=0\n',
      '            bash-1234    [002] ..... 1234.000008: mm_page_pcpu_drain: page=fffff7a9c0a8c040 pfn=0x2a307 order=0 migratetype=-1\n',
      '            bash-1234    [002] ..... 1234.000009: mm_page_free: page=fffff7a9c0a8c040 pfn=0x2a308 order=300\n',
      '            bash-1234    [002] ..... 1234.000010: mm_page_free:  page=fffff7a9c0a8c040 pfn=0x2a309 order=0\n',
      '            bash-1234    [002] ..... 1234.000011: mm_page_free: page=fffff7a9c0a8c040 pfn=0x2a30a order=0\r\n',
      '            bash-1234    [002] ..... 1234.000012: softirq_entry:\tvec=3 [action=NET_RX]\n',
      // the same task under another pid and a renamed task under the same pid
      '            bash-99      [002] ..... 1234.000013: softirq_exit: vec=3 [action=NET_RX]\n',
      '        bash-new-99      [002] ..... 1234.000014: softirq_entry: vec=1 [action=TIMER]\n',
      // a batched free's two log lines, a refill, truncated lines, a stack trace, an unknown event
      '            bash-1234    [000] d..2. 1234.000015: mm_page_free: page=fffff7a9c0a8c040 pfn=0x2a400 order=0\n',
      '            bash-1234    [000] d..2. 1234.000016: mm_page_free_batched: page=fffff7a9c0a8c040 pfn=0x2a400 order=0\n',
      '            bash-1234    [000] d..2. 1234.000017: mm_page_alloc_zone_locked: page=fffff7a9c0a8c040 pfn=0x2a401 order=0 migratetype=1 percpu_refill=1\n',
      '            bash-1234    [000] d..2. 1234.000018: mm_page_alloc_zone_locked: page=fffff7a9c0a8c040 pfn=0x2a401 order=0 migratetype=1\n',
      '            bash-1234    [000] d..2. 1234.000019: mm_page_alloc: page=fffff7a9c0a8c040 pfn=0x2a40\n',
      '            bash-1234    [000] d..2. 1234.000020: contention_begin: ffff8a2d01121050 (flags=SPIN)\n',
      '            bash-1234    [000] d..2. 1234.000021: <stack trace>\n',
      ' => __lock_text_start+0x5/0x10\n',
      ' => rmqueue_bulk+0x50/0x600\n',
      '            bash-1234    [000] d..2. 1234.000022: mm_page_allocx: page=fffff7a9c0a8c040 pfn=0x2a402 order=0\n',
      '            bash-1234    [000] d..2. 1234.000023: softirq_entry: vec=0x3 [action=NET_RX]\n',
      // the last line without a newline
      '            bash-1234    [003] ..... 1234.000024: mm_page_free: page=fffff7a9c0a8c040 pfn=0x2a403 order=0',
    ];
    withFile(HEADER + lines.join(''), file => {
      const fast = importTrace(file), slow = importTrace(file, { fastPath: false });
      assertSameImport(fast, slow);
      // and the lines really are there: the fast path did not swallow or invent any
      // not events: the `<stack trace>` line and its two frames; three malformed lines (the task
      // with `[12]` in its name, which the general reader takes for the CPU, and two truncated)
      assert.equal(fast.store.length, lines.length - 3 - 3);
      assert.deepStrictEqual(fast.warnings.map(w => w.line), [8, 22, 23]);
      const st = fast.store;
      const first = [...Array(st.length).keys()].find(i => st.pfn[i] === 0x2a400)!;
      assert.ok(st.flags[first] & 64, 'the first of a batched free\'s two lines is marked');
      assert.equal(st.name[st.length - 1], EV.mm_page_free);
      assert.equal(st.pfn[st.length - 1], 0x2a403);
    });
  });

  it('reads the common lines itself and declines the others', () => {
    // one line per file: did the scanner store its event, or leave it to the general reader?
    const scanned = (line: string) => {
      let t: ImportedTrace | undefined;
      withFile(HEADER + ALLOC + line + '\n', file => { t = importTrace(file); });
      assert.equal(t!.store.length, 2, line);
      return t!.scannedEvents - 1;
    };
    assert.equal(scanned(ALLOC.trimEnd()), 1);
    assert.equal(scanned('          <idle>-0       [003] ..s1.     3.761726: softirq_entry: vec=9 [action=RCU]'), 1);
    for (const other of [
      '          <idle>-0       [003] ..s1.     3.761726: irq_handler_entry: irq=24 name=virtio0',
      '          <idle>-0       [003] ..s1.     3.761726: mm_page_alloc: page=0000000000000000 pfn=0x0 order=0 migratetype=1 gfp_flags=GFP_KERNEL',
      '            bash-1234    (   1234) [002] ..... 1234.000002: mm_page_free: page=fffff7a9c0a8c040 pfn=0x2a302 order=0',
      '            bash-1234    [002] d..2  1234.000003: mm_page_free: page=fffff7a9c0a8c040 pfn=0x2a303 order=0',
    ]) assert.equal(scanned(other), 0, other);
    withFile(HEADER + ALLOC, file => {
      const t = importTrace(file);
      assert.equal(t.store.pfn[0], 0x2a300);
      assert.equal(t.store.cpu[0], 1);
      assert.equal(t.store.flags[0], 1);   // irqs off
      assert.equal(t.store.preempt[0], 2);
      assert.equal(t.store.textOf(0), 'GFP_KERNEL');
    });
  });

  it('a file of nothing but fast-path lines keeps every event and its columns', () => {
    const n = 5000;
    let text = HEADER;
    for (let k = 0; k < n; k++) text += ALLOC.replace('pfn=0x2a300', `pfn=0x${(0x2a300 + k).toString(16)}`).replace('[001]', `[00${k % 4}]`);
    withFile(text, file => {
      const t = importTrace(file);
      assert.equal(t.store.length, n);
      assert.deepStrictEqual(t.cpus, [0, 1, 2, 3]);
      for (let k = 0; k < n; k += 997) {
        assert.equal(t.store.pfn[k], 0x2a300 + k);
        assert.equal(t.store.ts[k], 1234.56789);
        assert.equal(t.store.taskName(k), '<...>');
        assert.equal(t.store.textOf(k), 'GFP_KERNEL');
        assert.equal(t.store.line[k], k + 3);
      }
      assertSameImport(t, importTrace(file, { fastPath: false }));
    });
  });

  it('more events than the file size promised: the columns grow inside the scanner and keep every event', () => {
    // the shortest lines it reads (~85 bytes): more events than the ~110 bytes an event reserved
    const n = 30000;
    const parts = [HEADER];
    for (let k = 0; k < n; k++) parts.push(`${'a'.padStart(16)}-${String(k % 7).padEnd(7)} [00${k % 3}] d..1. ${String(10 + (k >> 10)).padStart(5)}.${String(k % 1000000).padStart(6, '0')}: mm_page_free: pfn=0x${(0x1000 + k).toString(16)} order=0\n`);
    withFile(parts.join(''), file => {
      assert.ok(fs.statSync(file).size / 110 < n);
      const t = importTrace(file);
      assert.equal(t.store.length, n);
      assert.equal(t.scannedEvents, n);   // (the `# tracer:` header told the format)
      assert.equal(t.store.pfn[n - 1], 0x1000 + n - 1);
      assertSameImport(t, importTrace(file, { fastPath: false }));
    });
  });

  it('a line longer than the chunk the file is read in, and pfns past 2^24, read as the general reader reads them', () => {
    const long = `            bash-1234    [000] ..... 1234.000100: tracing_mark_write: ${'x'.repeat(200000)}\n`;
    const far = 0x1000000 + 5;
    const lines = [
      ALLOC,
      // a batched free's two lines for a pfn beyond the scanner's pairing table, and one within it
      `            bash-1234    [000] d..2. 1234.000001: mm_page_free: page=fffff7a9c0a8c040 pfn=0x${far.toString(16)} order=0\n`,
      '            bash-1234    [000] d..2. 1234.000002: mm_page_free: page=fffff7a9c0a8c040 pfn=0x2a400 order=0\n',
      long,
      `            bash-1234    [000] d..2. 1234.000003: mm_page_free_batched: page=fffff7a9c0a8c040 pfn=0x${far.toString(16)} order=0\n`,
      '            bash-1234    [000] d..2. 1234.000004: mm_page_free_batched: page=fffff7a9c0a8c040 pfn=0x2a400 order=0\n',
      ALLOC,
    ];
    withFile(HEADER + lines.join(''), file => {
      const t = importTrace(file), st = t.store;
      assert.equal(st.length, lines.length);
      assert.equal(st.textOf(3).length, 200000);
      assert.ok(st.flags[1] & 64, 'the far pfn\'s first pass is marked');
      assert.ok(st.flags[2] & 64, 'the near pfn\'s first pass is marked');
      assert.equal(st.flags[4] & 64, 0);
      assertSameImport(t, importTrace(file, { fastPath: false }));
    });
  });

  it('imports one after another keep their own events (the scanner\'s memory is reused)', () => {
    const a = importTrace(captureFile('drain', 'ftrace-raw'));
    const before = { pfn: Array.from(a.store.pfn.subarray(0, 2000)), x: Array.from(a.store.x.subarray(0, 2000)), flags: Array.from(a.store.flags.subarray(0, 2000)) };
    const b = importTrace(captureFile('fork-storm', 'ftrace-raw'));
    assert.ok(b.store.length > 0);
    assert.deepStrictEqual(Array.from(a.store.pfn.subarray(0, 2000)), before.pfn);
    assert.deepStrictEqual(Array.from(a.store.x.subarray(0, 2000)), before.x);
    assert.deepStrictEqual(Array.from(a.store.flags.subarray(0, 2000)), before.flags);
  });

  it('every character the flags column may hold, and some it may not, read alike', () => {
    const lines: string[] = [];
    for (const a of 'dDbX.x') for (const b of 'NnpBbLl.q') for (const c of 'hsHzZ.y') for (const d of '0a.g') {
      lines.push(`            bash-1234    [001] ${a}${b}${c}${d}.  1234.000001: mm_page_free: page=fffff7a9c0a8c040 pfn=0x2a400 order=0\n`);
    }
    withFile(HEADER + lines.join(''), file => {
      const fast = importTrace(file);
      assertSameImport(fast, importTrace(file, { fastPath: false }));
      assert.ok(fast.scannedEvents > 0 && fast.warnings.length > 0, 'both readers had lines to read');
    });
  });

  it('the lazy need-resched letters of 6.13+ (PREEMPT_LAZY) are read: B and b need a resched, L and l only lazily', () => {
    const lines = 'BbLlN.'.split('').map((c, k) =>
      `            bash-1234    [001] d${c}s1.  1234.00000${k}: mm_page_free: page=fffff7a9c0a8c040 pfn=0x2a40${k} order=0\n`);
    withFile(HEADER + lines.join(''), file => {
      for (const t of [importTrace(file), importTrace(file, { fastPath: false })]) {
        assert.deepStrictEqual(t.warnings, []);
        assert.deepStrictEqual(Array.from(t.store.flags.subarray(0, 6), f => f & (FLAG_NEED_RESCHED | FLAG_IRQS_OFF | FLAG_SOFTIRQ)),
          [7, 7, 5, 5, 7, 5].map(v => (v & 2 ? FLAG_NEED_RESCHED : 0) | FLAG_IRQS_OFF | FLAG_SOFTIRQ));
      }
    });
  });

  it('every task, pid and seconds column the layout may hold, and some it may not, read alike', () => {
    // the scanner reads these columns eight bytes at a time: every digit count and every
    // place a stray byte can sit in them
    const tasks = ['bash', '<idle>', 'kworker/u8:1', 'a b', '\tbash', '', ' \t', 'sixteen-chars-xx'];
    const pids = ['0', '7', '12', '1234', '99999', '4194304', '1234567', '12x4', '-1', ' 12', '1 2', '12\t', '0x12', ''];
    const seconds = ['    1', '   12', '  123', ' 1234', '12345', '    0', '     ', ' 1 23', '  x12', '1234 ', '  -12', ' 12:4', '\t1234',
      // past 99999 s (a machine up for more than 27 hours) the column widens
      '123456', '99999999', '123456789012345', '1234567890123456', '12345x', '123456 '];
    const fracs = ['000001', '999999', '123456', '00a001', '12345 ', ' 12345', '1234567'];
    const pad = (s: string, n: number, left: boolean) => s.length >= n ? s : left ? s + ' '.repeat(n - s.length) : ' '.repeat(n - s.length) + s;
    const lines: string[] = [];
    for (const t of tasks) for (const p of pids) {
      for (const s of seconds) {
        lines.push(`${pad(t, 16, false)}-${pad(p, 7, true)} [001] d..1. ${s}.${fracs[lines.length % fracs.length]}: mm_page_free: page=fffff7a9c0a8c040 pfn=0x2a400 order=0\n`);
      }
    }
    for (const f of fracs) lines.push(`            bash-1234    [001] d..1.  1234.${f}: mm_page_free: page=fffff7a9c0a8c040 pfn=0x2a400 order=0\n`);
    withFile(HEADER + lines.join(''), file => {
      const fast = importTrace(file);
      assertSameImport(fast, importTrace(file, { fastPath: false }));
      assert.ok(fast.scannedEvents > 100 && fast.warnings.length > 100, 'both readers had lines to read');
    });
  });

  it('a machine up for more than 27 hours: timestamps past 99999 s widen the line, and the scanner still reads it', () => {
    // fork-storm as if taken after 14 days of uptime: every line one or two columns wider
    const text = fs.readFileSync(captureFile('fork-storm', 'ftrace-raw'), 'latin1').split('\n').slice(0, 6000)
      .map(l => l.replace(/\] (.{5}) +(\d+)\.(\d{6}):/, (m, f: string, sec: string, us: string) => `] ${f} ${Number(sec) + 1209600}.${us}:`)).join('\n');
    withFile(text, file => {
      const fast = importTrace(file);
      assertSameImport(fast, importTrace(file, { fastPath: false }));
      assert.ok(fast.scannedEvents > 5000, `scanned ${fast.scannedEvents}`);
      assert.equal(fast.store.ts[fast.store.length - 1] > 1209600, true);
    });
  });

  it('mutated captures (bytes replaced, inserted, dropped; lines cut): the scanner still reads exactly what the general reader reads', () => {
    const lines = fs.readFileSync(captureFile('fork-storm', 'ftrace-raw'), 'latin1').split('\n').slice(0, 4000);
    // what a damaged or hand-edited trace has: digits, hex letters, the flags column's letters,
    // spaces, field punctuation, binary bytes
    const bytes = '0123456789abcdefxXdDbNnphsHzZ .:=-[]()|\t\r\u0000\u00ff\u0080\u001b';
    for (const out of mutatedCopies(lines, { rounds: 16, edits: 400, seed: 7, bytes, from: 12 })) {
      withFile(out.join('\n'), file => assertSameImport(importTrace(file), importTrace(file, { fastPath: false })));
    }
  });

  it('a trace whose events do not fit the scanner\'s memory is read by the general reader instead, whole', () => {
    const file = captureFile('fork-storm', 'ftrace-raw');
    setScannerMemoryLimit(2 << 20);
    try {
      const t = importTrace(file);
      assert.equal(t.scannedEvents, 0);
      assertSameImport(t, importTrace(file, { fastPath: false }));
    } finally {
      setScannerMemoryLimit();
    }
    assert.ok(importTrace(file).scannedEvents > 80000, 'and the next import scans again');
  });

  it('a big import keeps the scanner\'s memory as its own (no copy), and the next import gets a fresh one', () => {
    setScannerPoolLimit(1 << 20);
    try {
      const a = importTrace(captureFile('drain', 'ftrace-raw'));
      const b = importTrace(captureFile('fork-storm', 'ftrace-raw'));
      assert.ok(a.scannedEvents > 40000 && b.scannedEvents > 80000);
      assertSameImport(a, importTrace(captureFile('drain', 'ftrace-raw'), { fastPath: false }));
      assertSameImport(b, importTrace(captureFile('fork-storm', 'ftrace-raw'), { fastPath: false }));
    } finally {
      setScannerPoolLimit();
    }
  });

  it('a line longer than 1 MiB is skipped unread with a warning naming it, in both readers; the lines after it keep their numbers', () => {
    const huge = `            bash-1234    [000] ..... 1234.000100: tracing_mark_write: ${'y'.repeat(3 << 20)}\n`;
    const lines = [ALLOC, huge, ALLOC.replace('pfn=0x2a300', 'pfn=0x2a301'), huge.trimEnd()];
    withFile(HEADER + lines.join(''), file => {
      const t = importTrace(file);
      assertSameImport(t, importTrace(file, { fastPath: false }));
      assert.equal(t.store.length, 2);
      assert.deepStrictEqual(t.store.line.subarray(0, 2), new Uint32Array([3, 5]));
      assert.deepStrictEqual(t.warnings.map(w => [w.line, /longer than 1 MiB/.test(w.message)]), [[4, true], [6, true]]);
      assert.equal(t.lines, 6);
    });
    // a file of one endless line is refused, saying why, without holding it
    withFile('x'.repeat(5 << 20), file => {
      assert.throws(() => importTrace(file), (e: Error) => /no event line recognised in 1 lines; line 1: line longer than 1 MiB/.test(e.message));
    });
  });
});

// trace-cmd report's text has the kernel's layout without the flags column and with a
// 5-column pid: the scanner reads its common lines too, to the general reader's result.
const TC_HEADER = 'cpus=4\n';
const tcLine = (pid: string, rest: string, task = 'bash', cpu = '001', secs = ' 1234') =>
  `${task.padStart(16)}-${pid.padEnd(5)} [${cpu}] ${secs}.000001: ${rest}\n`;

describe('trace-cmd report fast path', function () {
  this.timeout(120000);
  for (const capture of ['drain', 'fork-storm']) {
    it(`${capture}: the scanner reads nearly every event of the report, to the same import and reconstruction as without it`, () => {
      const file = captureFile(capture, 'trace-cmd-report');
      const fast = importTrace(file), slow = importTrace(file, { fastPath: false });
      assert.equal(fast.format, 'trace-cmd');
      assertSameImport(fast, slow);
      assert.ok(fast.scannedEvents > 0.9 * fast.store.length, `scanned ${fast.scannedEvents} of ${fast.store.length}`);
      const z = snapshotsOf(capture).map(s => ({ label: s.label, info: s.info }));
      const a = new Reconstruction(fast, { zoneinfo: z }).run(), b = new Reconstruction(slow, { zoneinfo: z }).run();
      assert.deepStrictEqual(a.snapshots, b.snapshots);
      assert.deepStrictEqual([...a.countAfter], [...b.countAfter]);
      // the kernel_stack entries (`=> func (address)` lines) keep their frames
      assert.ok(fast.store.stacks.size > 10);
    });
  }

  it('the report options\' layouts (-l, --ts-diff, -R, -t) read alike with and without it', () => {
    for (const name of ['latency', 'ts-diff', 'raw', 'ns']) {
      withFile(zlib.gunzipSync(fs.readFileSync(path.join(TC_FIXTURES, `drain-${name}.txt.gz`))).toString('latin1'), file => {
        const fast = importTrace(file);
        assert.equal(fast.format, 'trace-cmd');
        assertSameImport(fast, importTrace(file, { fastPath: false }));
      });
    }
  });

  it('pids of every width, wide timestamps, a flags column, markers and stacks: read alike', () => {
    const page = 'page=0xffffffffb3036305 pfn=0x20bd5 order=0';
    const lines: string[] = [];
    for (const pid of ['0', '12', '1234', '12345', '123456', '1234567', '12345678', '12x4', '', ' 12']) {
      lines.push(tcLine(pid, `mm_page_free:         ${page}`));
      lines.push(tcLine(pid, 'mm_page_alloc:        page=0xffffffffb3017186 pfn=0x1a56 order=1 migratetype=0 gfp_flags=GFP_KERNEL'));
    }
    for (const secs of ['    1', '12345', '123456', ' 1 23', '     ']) lines.push(tcLine('77', 'softirq_entry:        vec=9 [action=RCU]', 'sh', '002', secs));
    lines.push(
      // a flags column, the tgid column, nanoseconds, a 4-digit CPU: not this layout
      '            bash-1234  [001] d..1. 1234.000002: mm_page_free:         page=0xffffffffb3036305 pfn=0x20bd6 order=0\n',
      '            bash-1234  (  1234) [001] 1234.000003: mm_page_free:         page=0xffffffffb3036305 pfn=0x20bd7 order=0\n',
      '            bash-1234  [001] 1234.000000004: mm_page_free:         page=0xffffffffb3036305 pfn=0x20bd8 order=0\n',
      '            bash-1234  [1001] 1234.000005: mm_page_free:         page=0xffffffffb3036305 pfn=0x20bd9 order=0\n',
      // a marker, a stack trace of a contention, another event, a batched free's two lines
      tcLine('1', 'print:                tracing_mark_write: SNAPSHOT before begin'),
      tcLine('1', 'contention_begin:     0xffff8a2d01121050 (flags=SPIN)'),
      tcLine('1', 'kernel_stack:         <stack trace >'),
      '=> trace_event_raw_event_contention_begin (ffffffffb1d10791)\n',
      '=> _raw_spin_lock (ffffffffb265a025)\n',
      tcLine('1', 'contention_end:       0xffff8a2d01121050 (ret=0)'),
      tcLine('1', 'kmalloc:              call_site=kmem_cache_alloc+0x10 ptr=0xffff bytes_req=8 bytes_alloc=8 gfp_flags=GFP_KERNEL'),
      tcLine('1', `mm_page_free:         ${page.replace('20bd5', '3000')}`),
      tcLine('1', `mm_page_free_batched: ${page.replace('20bd5', '3000')}`),
      '=> stray_frame (ffffffffb265a025)\n',
      tcLine('1', 'mm_page_alloc_zone_locked: page=0xffffffffaf01adcd pfn=0x569d order=0 migratetype=0 percpu_refill=1'),
      tcLine('1', 'mm_page_pcpu_drain:   page=0xffffffffaf01826f pfn=0x2b3f order=0 migratetype=1'),
      'CPU:1 [2776 EVENTS DROPPED]\n',
      tcLine('1', `mm_page_free: ${page}`).trimEnd(),
    );
    withFile(TC_HEADER + lines.join(''), file => {
      const fast = importTrace(file), st = fast.store;
      assertSameImport(fast, importTrace(file, { fastPath: false }));
      assert.ok(fast.scannedEvents >= 20, `scanned ${fast.scannedEvents}`);
      const marked = [...Array(st.length).keys()].find(i => st.pfn[i] === 0x3000)!;
      assert.ok(st.flags[marked] & 64, 'the first of a batched free\'s two lines is marked');
      assert.ok([...Array(st.length).keys()].some(i => st.name[i] === EV.tracing_mark_write));
      assert.equal(fast.lost.length, 1);
    });
  });

  it('mutated reports (bytes replaced, inserted, dropped; lines cut): the scanner still reads exactly what the general reader reads', () => {
    const lines = fs.readFileSync(captureFile('drain', 'trace-cmd-report'), 'latin1').split('\n').slice(0, 4000);
    const bytes = '0123456789abcdefx -.:=[]()<>|\t\r\u0000\u00ff';
    for (const out of mutatedCopies(lines, { rounds: 12, edits: 400, seed: 11, bytes, from: 1 })) {
      withFile(out.join('\n'), file => assertSameImport(importTrace(file), importTrace(file, { fastPath: false })));
    }
  });
});
