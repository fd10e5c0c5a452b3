// Every example scenario on every bundled model in every configuration: the engine
// never throws, every run ends (finished, deadlock or a finding), and a clean model
// never loses a page on a scenario that conserves pages on its own model.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { loadScenario, runScenario, LoadOptions } from '../../src/engine';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');
const MODELS = ['v5.18', 'pcp-spinlock-v1', 'pcp-spinlock-v2', 'v6.1', 'v6.2', 'v6.19'];
const CONFIGS: LoadOptions['config'][] = [{ SMP: true, PREEMPT_RT: false }, { UP: true, PREEMPT_RT: false }, { SMP: true, PREEMPT_RT: true }, { UP: true, PREEMPT_RT: true }];

describe('models: every example on every model and configuration', function () {
  this.timeout(120000);
  const files = fs.readdirSync(EXAMPLES).filter(f => f.endsWith('.lockstep')).sort();
  for (const model of MODELS) {
    it(`${model}: no engine error, every run ends, clean models keep their pages`, () => {
      let runs = 0;
      for (const f of files) {
        for (const config of CONFIGS) {
          const { program, diagnostics } = loadScenario(path.join(EXAMPLES, f), { model, config });
          if (!program || diagnostics.some(d => d.severity === 'error')) continue; // e.g. a 2-CPU scenario made UP
          for (const seed of [1, 2]) {
            const r = runScenario(program, { strategy: 'random', seed, recordSteps: false, maxSteps: 500000 });
            runs++;
            assert.notEqual(r.stop, 'max-steps', `${f} ${JSON.stringify(config)} seed ${seed}: ${r.message}`);
            if (['pcp-spinlock-v2', 'v6.1', 'v6.19'].includes(model)) {
              const lost = r.findings.filter(x => x.kind === 'page-accounting' || x.kind === 'list-corruption');
              assert.deepEqual(lost.map(x => x.message.split('\n')[0]), [], `${f} ${JSON.stringify(config)} seed ${seed}`);
            }
          }
        }
      }
      assert.ok(runs >= 40, `${runs} runs`);
    });
  }
});
