// The shared kernel-trace captures, imported once per test run (the biggest is 11 MB).
import * as assert from 'assert';
import * as path from 'path';
import * as fs from 'fs';
import { importTrace, ImportedTrace, parseZoneInfo, ZoneInfo } from '../../../src/engine';

export const CAPTURES = path.resolve(__dirname, '..', '..', '..', '..', '..', 'shared', 'data', 'kernel-traces');
export const REPO = path.resolve(__dirname, '..', '..', '..', '..');

export function captureFile(capture: string, kind: 'ftrace-raw' | 'trace-cmd-report'): string {
  return path.join(CAPTURES, capture, `${kind}-${capture}.txt`);
}

const cache = new Map<string, ImportedTrace>();
export function imported(capture: string, kind: 'ftrace-raw' | 'trace-cmd-report'): ImportedTrace {
  const f = captureFile(capture, kind);
  let t = cache.get(f);
  if (!t) { t = importTrace(f); cache.set(f, t); }
  return t;
}

/** The capture's zoneinfo snapshots, `before` first, then in the order of their markers. */
export function snapshotsOf(capture: string): { label: string; file: string; info: ZoneInfo }[] {
  const dir = path.join(CAPTURES, capture);
  const prefix = `zoneinfo-${capture}-`;
  const labels = fs.readdirSync(dir).filter(f => f.startsWith(prefix)).map(f => f.slice(prefix.length, -4));
  const trace = fs.readFileSync(captureFile(capture, 'ftrace-raw'), 'latin1');
  const at = (l: string) => trace.indexOf(`SNAPSHOT ${l} begin`);
  labels.sort((a, b) => at(a) - at(b));
  return labels.map(label => ({ label, file: path.join(dir, `${prefix}${label}.txt`), info: parseZoneInfo(path.join(dir, `${prefix}${label}.txt`)) }));
}

export const haveCaptures = fs.existsSync(CAPTURES);

const COLUMNS = ['name', 'cpu', 'ts', 'pid', 'task', 'flags', 'preempt', 'line', 'pfn', 'order', 'mt', 'x', 'addr', 'text', 'textAt'] as const;

/** Two imports of one file (the WebAssembly scanner's and the general reader's) hold the same
 * columns, strings, stacks, counts, warnings and lines. */
export function assertSameImport(fast: ImportedTrace, slow: ImportedTrace): void {
  assert.equal(fast.store.length, slow.store.length, 'events');
  for (const c of COLUMNS) {
    const a = fast.store[c], b = slow.store[c];
    for (let i = 0; i < fast.store.length; i++) {
      if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) assert.fail(`column ${c} differs at event ${i} (line ${slow.store.line[i]}): ${a[i]} vs ${b[i]}`);
    }
  }
  assert.deepStrictEqual(fast.store.strings.strings, slow.store.strings.strings);
  assert.deepStrictEqual([...fast.store.stacks], [...slow.store.stacks]);
  assert.deepStrictEqual(fast.byEvent, slow.byEvent);
  assert.deepStrictEqual(fast.warnings, slow.warnings);
  assert.deepStrictEqual(fast.cpus, slow.cpus);
  assert.equal(fast.lines, slow.lines);
  assert.deepStrictEqual(fast.lost, slow.lost);
  assert.equal(fast.overwritten, slow.overwritten);
}

/**
 * Copies of `lines` damaged as a hand-edited or corrupted trace is: in each of `rounds`
 * copies, `edits` lines from `from` on get one of `bytes` put in place of a byte or inserted,
 * a byte dropped, or the line cut. The same seed gives the same copies.
 */
export function mutatedCopies(lines: string[], o: { rounds: number; edits: number; seed: number; bytes: string; from: number }): string[][] {
  let seed = o.seed;
  const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
  const copies: string[][] = [];
  for (let round = 0; round < o.rounds; round++) {
    const out = lines.slice();
    for (let m = 0; m < o.edits; m++) {
      const k = o.from + rnd(out.length - o.from), l = out[k];
      const p = rnd(l.length + 1), c = o.bytes[rnd(o.bytes.length)];
      switch (rnd(4)) {
        case 0: out[k] = l.slice(0, p) + c + l.slice(p + 1); break;
        case 1: out[k] = l.slice(0, p) + c + l.slice(p); break;
        case 2: out[k] = l.slice(0, p) + l.slice(p + 1); break;
        default: out[k] = l.slice(0, p);
      }
    }
    copies.push(out);
  }
  return copies;
}

/** A raw ftrace event line of the padded layout, for the small traces the tests write. */
export function ev(cpu: number, ts: number, text: string, task = 'dd-100'): string {
  return `${task.padStart(16)}     [00${cpu}] d..2.  ${ts.toFixed(6).padStart(11)}: ${text}`;
}

/** A small trace: `events` between the markers of a `before` snapshot (1.0 s) and an `after`
 * one (5.0 s), under the raw ftrace header and any `header` lines. */
export function betweenSnapshots(events: string[], header: string[] = []): string {
  return ['# tracer: nop', ...header,
    ev(0, 1.0, 'tracing_mark_write: SNAPSHOT before begin'), ev(0, 1.1, 'tracing_mark_write: SNAPSHOT before end'),
    ...events,
    ev(0, 5.0, 'tracing_mark_write: SNAPSHOT after begin'), ev(0, 5.1, 'tracing_mark_write: SNAPSHOT after end')].join('\n');
}
