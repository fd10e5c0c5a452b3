// Diagnostics inside a scenario's task and irq blocks name what they found as the user sees
// it: the block's closing brace is "the end of the block", not "end of file".
import * as assert from 'node:assert/strict';
import { loadScenario } from '../../../src/engine';
import { formatted, memory } from './util';

function diags(scenario: string): string[] {
  const r = loadScenario('/m/s.lockstep', { readFile: memory({ '/m/s.lockstep': scenario, '/m/m.kc': 'void f(int x)\n{\n}\n' }) });
  return formatted(r.diagnostics).map(d => d.replace(/^\/m\//, ''));
}

describe('front end: errors at the end of a scenario block', () => {
  it("a missing ';' before the block's '}' says the block ended, just after the statement", () => {
    assert.deepEqual(diags('model "./m.kc"\ncpus 1\ntask cpu 0 { f(0) }\n'),
      ["s.lockstep:3:18: error: expected ';', found the end of the block"]);
  });

  it("an unclosed block still says end of file", () => {
    const d = diags('model "./m.kc"\ncpus 1\ntask cpu 0 {\n');
    assert.ok(d.some(x => /expected '}' to close this block, found end of file/.test(x)), d.join('\n'));
  });
});
