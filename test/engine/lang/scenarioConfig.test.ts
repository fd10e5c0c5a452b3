// `config` lines: SMP and UP alone or with a value, as every other config line takes one.
import * as assert from 'node:assert/strict';
import { loadScenario } from '../../../src/engine';
import { formatted, memory } from './util';

function config(lines: string) {
  const r = loadScenario('/m/s.lockstep', { readFile: memory({ '/m/s.lockstep': `model "./m.kc"\n${lines}\ncpus 1\ntask cpu 0 { }\n`, '/m/m.kc': 'int x;\n' }) });
  assert.deepEqual(formatted(r.diagnostics), []);
  return { smp: r.program!.config.smp, rt: r.program!.config.preemptRt };
}

describe('front end: config lines', () => {
  it('config UP / SMP alone, and with on/off/an integer', () => {
    assert.deepEqual(config('config UP'), { smp: false, rt: false });
    assert.deepEqual(config('config SMP'), { smp: true, rt: false });
    assert.deepEqual(config('config UP on'), { smp: false, rt: false });
    assert.deepEqual(config('config UP off'), { smp: true, rt: false });
    assert.deepEqual(config('config SMP off'), { smp: false, rt: false });
    assert.deepEqual(config('config CONFIG_SMP 2'), { smp: true, rt: false });
    assert.deepEqual(config('config CONFIG_SMP n'), { smp: false, rt: false });
    assert.deepEqual(config('config UP\nconfig PREEMPT_RT 1'), { smp: false, rt: true });
    assert.deepEqual(config('config CONFIG_PREEMPT_RT y'), { smp: true, rt: true });
  });
});
