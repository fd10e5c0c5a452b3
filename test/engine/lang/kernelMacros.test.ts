// Kernel declaration macros a model copied from a kernel diff uses: DEFINE_SPINLOCK and
// DEFINE_RAW_SPINLOCK define a global, unlocked lock that every primitive accepts.
import * as assert from 'node:assert/strict';
import { loadScenario, runScenario, explore } from '../../../src/engine';
import { formatted, memory } from './util';

const MODEL = `static DEFINE_SPINLOCK(a_lock);
DEFINE_RAW_SPINLOCK(b_lock);
int shared;

void ab(void)
{
	spin_lock(&a_lock);
	raw_spin_lock(&b_lock);
	shared++;
	raw_spin_unlock(&b_lock);
	spin_unlock(&a_lock);
}

void ba(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&b_lock, flags);
	spin_lock(&a_lock);
	shared++;
	spin_unlock(&a_lock);
	raw_spin_unlock_irqrestore(&b_lock, flags);
}
`;

function load(scenario: string) {
  const r = loadScenario('/m/s.lockstep', { readFile: memory({ '/m/s.lockstep': scenario, '/m/m.kc': MODEL }) });
  assert.deepEqual(formatted(r.diagnostics), []);
  assert.ok(r.program);
  return r.program;
}

describe('front end: DEFINE_SPINLOCK / DEFINE_RAW_SPINLOCK', () => {
  it('defines free global locks: one CPU takes both in turn with no finding', () => {
    const p = load('model "./m.kc"\ncpus 1\ntask cpu 0 { ab(); }\n');
    const r = runScenario(p);
    assert.equal(r.stop, 'finished');
    assert.deepEqual(r.findings.map(f => f.kind), []);
  });

  it('the two locks are distinct lock classes: AB on one CPU and BA on another is a lock-order finding naming them', async () => {
    const p = load('model "./m.kc"\ncpus 2\ntask cpu 0 { ab(); }\ntask cpu 1 { ba(); }\nexpect finding lock-order\n');
    const r = await explore(p, { strategy: 'exhaustive' });
    const order = r.findings.find(f => f.kind === 'lock-order');
    assert.ok(order, r.findings.map(f => f.kind).join());
    assert.match(order.message, /a_lock/);
    assert.match(order.message, /b_lock/);
    assert.ok(r.ok);
  });

  it('a bad use says what was expected, at its position', () => {
    const r = loadScenario('/m/s.lockstep', { readFile: memory({ '/m/s.lockstep': 'model "./m.kc"\ncpus 1\ntask cpu 0 { }\n', '/m/m.kc': 'DEFINE_SPINLOCK(3);\n' }) });
    assert.deepEqual(formatted(r.diagnostics).map(d => d.replace(/^.*?m\.kc/, 'm.kc')), ["m.kc:1:17: error: expected a lock name, found '3'"]);
  });
});

describe('front end: one error per mistake in a builtin argument', () => {
  it('an undeclared lock name is reported once, not also as "argument 1 must be a pointer to a lock"', () => {
    const model = 'void f(void)\n{\n\tspin_lock(&no_such_lock);\n\tspin_unlock(&no_such_lock);\n}\n';
    const r = loadScenario('/m/s.lockstep', { readFile: memory({ '/m/s.lockstep': 'model "./m.kc"\ncpus 1\ntask cpu 0 { f(); }\n', '/m/m.kc': model }) });
    assert.deepEqual(formatted(r.diagnostics).map(d => d.replace(/^.*?m\.kc/, 'm.kc')), [
      "m.kc:3:13: error: use of undeclared identifier 'no_such_lock'",
      "m.kc:4:15: error: use of undeclared identifier 'no_such_lock'",
    ]);
  });

  it('a declared argument of the wrong type still gets the type error', () => {
    const model = 'int x;\nvoid f(void)\n{\n\tspin_lock(&x);\n}\n';
    const r = loadScenario('/m/s.lockstep', { readFile: memory({ '/m/s.lockstep': 'model "./m.kc"\ncpus 1\ntask cpu 0 { f(); }\n', '/m/m.kc': model }) });
    assert.deepEqual(formatted(r.diagnostics).map(d => d.replace(/^.*?m\.kc/, 'm.kc')), [
      "m.kc:4:12: error: argument 1 of 'spin_lock' must be a pointer to a lock (spinlock_t *, raw_spinlock_t *, local_lock_t *)",
    ]);
  });
});

describe('preprocessor: a macro that grows exponentially', function () {
  this.timeout(30000);
  it('is an error at its use after a bounded number of expansions, not a heap crash', () => {
    // A59 would be 2^59 tokens: each level uses the one below twice
    const defs = ['#define A0 1', ...Array.from({ length: 59 }, (_v, i) => `#define A${i + 1} (A${i} + A${i})`)];
    const model = `${defs.join('\n')}\nlong f(void) { return A59; }\n`;
    const r = loadScenario('/m/s.lockstep', { readFile: memory({ '/m/s.lockstep': 'model "./m.kc"\ncpus 1\ntask cpu 0 { f(); }\n', '/m/m.kc': model }) });
    const first = formatted(r.diagnostics)[0].replace(/^.*?m\.kc/, 'm.kc');
    assert.match(first, /^m\.kc:61:\d+: error: more than 100000 macro expansions \(reached expanding 'A\d+'\); the rest is ignored$/);
  });
});
