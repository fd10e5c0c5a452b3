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
