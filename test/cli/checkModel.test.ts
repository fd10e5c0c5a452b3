// `lockstep check MODEL.kc`: a model alone is parsed and checked under SMP, UP and
// PREEMPT_RT (its #ifdef branches differ), with file:line:column errors and exit 2, or a
// one-line ok and exit 0 — not a flood of "unknown scenario keyword" errors.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliIn, ROOT } from './cliRun';

const root = ROOT;
const cli = cliIn;

describe('lockstep check on a Kernel C model file', function () {
  this.timeout(60000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-model-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('every bundled model checks clean: exit 0, one ok line each', () => {
    const models = fs.readdirSync(path.join(root, 'models')).filter(f => f.endsWith('.kc')).map(f => path.join('models', f));
    assert.ok(models.length >= 6);
    const r = cli(root, 'check', ...models);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    for (const m of models) assert.match(r.stdout, new RegExp(`^${m.replace(/[.]/g, '\\.')}: ok \\(a model: parsed and checked under SMP, UP, SMP PREEMPT_RT, UP PREEMPT_RT`, 'm'));
    assert.doesNotMatch(r.stdout, /unknown scenario keyword/);
  });

  it('errors with their positions, sorted, and the configurations an #ifdef branch error shows under; exit 2', () => {
    fs.writeFileSync(path.join(dir, 'bad.kc'), '#ifdef CONFIG_SMP\nvoid f(void) { }\n#else\nvoid f(void) { undefined_thing(); }\n#endif\nvoid g(void) { int x = ; }\n');
    const r = cli(dir, 'check', 'bad.kc');
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      "bad.kc:4:16: error: use of undeclared identifier 'undefined_thing' [UP, UP PREEMPT_RT]",
      "bad.kc:6:24: error: expected an expression, found ';'",
    ]);
    const missing = cli(dir, 'check', 'none.kc', '--explore', 'exhaustive');
    assert.equal(missing.status, 2);
    assert.match(missing.stdout + missing.stderr, /^none\.kc:1:1: error: cannot read model file 'none\.kc'$/m);
  });
});
