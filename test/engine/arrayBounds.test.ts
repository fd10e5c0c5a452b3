// A computed index outside its array at run time (issue: a store beside a local array
// silently corrupted other memory). The engine reports it as CONFIG_UBSAN_BOUNDS does,
// "UBSAN: array-index-out-of-bounds in file:line:col: index N is out of range for type
// 'int [4]'", as an `assertion` finding (the kind of the engine's other oopses, NULL
// dereference and divide error), and stops the context there as CONFIG_UBSAN_TRAP
// does: the memory beside the array keeps its value. Fixtures:
// test/fixtures/engine/bad-input/oob-*.lockstep and model.kc.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckedProgram, formatDiagnostic, loadScenario, runScenario } from '../../src/engine';
import { root } from './lang/util';

const DIR = path.join(root, 'test', 'fixtures', 'engine', 'bad-input');
const MODEL = path.join(DIR, 'model.kc');

function load(name: string): CheckedProgram {
  const r = loadScenario(path.join(DIR, name));
  assert.ok(r.program, `${name} did not load:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return r.program;
}

/** line and column (1-based) of `needle` in model.kc */
function modelAt(needle: string): { line: number; column: number } {
  const lines = fs.readFileSync(MODEL, 'utf8').split('\n');
  const i = lines.findIndex(l => l.includes(needle));
  assert.ok(i >= 0, `model.kc has no ${needle}`);
  return { line: i + 1, column: lines[i].indexOf(needle) + 1 };
}

describe('engine: array indexes out of bounds at run time', () => {
  it('a store past a local array: a UBSAN finding at the store, the task stops there', () => {
    const r = runScenario(load('oob-local.lockstep'), {});
    assert.deepEqual(r.findings.map(f => f.kind), ['assertion']);
    const f = r.findings[0];
    const w = modelAt('slots[i] = i;');
    assert.equal(f.message, `UBSAN: array-index-out-of-bounds in ${MODEL}:${w.line}:${w.column}: index 4 is out of range for type 'int [4]'`);
    assert.equal(f.location.line, w.line);
    assert.deepEqual(f.stacks[0].frames.map(x => x.function), ['fill_local', 'task cpu 0']);
    assert.equal(r.machine.contexts[0].status, 'dead');
  });

  it('a store past a global array never reaches the variable beside it', () => {
    const p = load('oob-global.lockstep');
    const r = runScenario(p, {});
    assert.deepEqual(r.findings.map(f => f.kind), ['assertion']);
    assert.match(r.findings[0].message, /^UBSAN: array-index-out-of-bounds in .*model\.kc:\d+:\d+: index 4 is out of range for type 'int \[4\]'$/);
    const idx = (name: string) => p.model.globals.findIndex(g => g.name === name);
    const hist = r.machine.layout.globals[idx('histogram')];
    const guard = r.machine.layout.globals[idx('histogram_guard')];
    assert.deepEqual([...r.machine.mem.slice(hist, hist + 4)], [100, 101, 102, 103], 'the four elements were written');
    assert.equal(r.machine.mem[guard], 7, 'histogram_guard keeps its value');
  });

  it('a load past the end is reported too, at the index expression', () => {
    const r = runScenario(load('oob-load.lockstep'), {});
    assert.deepEqual(r.findings.map(f => f.kind), ['assertion']);
    const w = modelAt('histogram[n]');
    assert.match(r.findings[0].message, new RegExp(`model\\.kc:${w.line}:${w.column}: index 4 is out of range for type 'int \\[4\\]'$`));
  });
});
