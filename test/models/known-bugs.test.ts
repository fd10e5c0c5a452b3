// Issue 4, fidelity (a) and (c): each known bug B1–B5 is found on its model and
// configuration; the same scenarios stay clean on pcp-spinlock-v2, v6.1 and v6.19
// under SMP, UP and PREEMPT_RT; and every bundled example conserves its pages.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { loadScenario, checkScenario, LoadOptions, Finding } from '../../src/engine';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');
const SCHEDULES = 12;

const BUGS: { id: string; file: string; kind: string }[] = [
  { id: 'B1', file: 'b1-up-drain-irq-v6.2.lockstep', kind: 'mutual-exclusion' },
  { id: 'B2', file: 'b2-rt-drain-pcp-spinlock-v1.lockstep', kind: 'sleep-in-atomic' },
  { id: 'B3', file: 'b3-rt-up-refill-pcp-spinlock-v1.lockstep', kind: 'sleep-in-atomic' },
  { id: 'B4', file: 'b4-remote-drain-zone-pages-v5.18.lockstep', kind: 'data-race' },
  { id: 'B5', file: 'b5-zone-lock-irqs-on-edited-v2.lockstep', kind: 'inconsistent-lock-state' },
];

const CONFIGS: { name: string; config: LoadOptions['config'] }[] = [
  { name: 'SMP', config: { SMP: true, PREEMPT_RT: false } },
  { name: 'UP', config: { UP: true, PREEMPT_RT: false } },
  { name: 'PREEMPT_RT', config: { SMP: true, PREEMPT_RT: true } },
];

function check(file: string, options: LoadOptions = {}): { findings: Finding[]; ok: boolean } | undefined {
  const { program, diagnostics } = loadScenario(path.join(EXAMPLES, file), options);
  const errors = diagnostics.filter(d => d.severity === 'error');
  if (!program || errors.length) {
    // a UP run of a scenario written for several CPUs is not a scenario: say so, skip it
    if (options.config?.UP && errors.every(d => /UP scenario|out of range/.test(d.message))) return undefined;
    assert.fail(errors.map(d => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n'));
  }
  return checkScenario(program!, { schedules: SCHEDULES });
}

function describeFindings(fs: Finding[]): string {
  return fs.map(f => `${f.kind} at ${path.basename(f.location.file)}:${f.location.line} (${f.schedule})`).join('\n');
}

describe('models: the known bugs a release must find', () => {
  for (const b of BUGS) {
    it(`${b.id} (${b.file}) is found as ${b.kind} on its model and configuration`, () => {
      const r = check(b.file)!;
      assert.ok(r.findings.some(f => f.kind === b.kind), `no ${b.kind}:\n${describeFindings(r.findings)}`);
      assert.ok(r.ok, 'its expect lines hold');
    });
  }

  for (const model of ['pcp-spinlock-v2', 'v6.1', 'v6.19']) {
    for (const cfg of CONFIGS) {
      it(`${model} under ${cfg.name}: none of the B1–B5 scenarios shows a finding`, function () {
        this.timeout(60000);
        let ran = 0;
        for (const b of BUGS) {
          const r = check(b.file, { model, config: cfg.config });
          if (!r) continue;
          ran++;
          assert.deepEqual(describeFindings(r.findings), '', `${b.id} on ${model} ${cfg.name}`);
        }
        assert.ok(ran >= 2, `only ${ran} scenarios could run under ${cfg.name}`);
      });
    }
  }

  it('v6.2 is clean on SMP for the B1 scenario', () => {
    const r = check('b1-up-drain-irq-v6.2.lockstep', { config: { SMP: true } })!;
    assert.deepEqual(describeFindings(r.findings), '');
  });
});

describe('models: every bundled example conserves its pages (fidelity c)', () => {
  const files = fs.readdirSync(EXAMPLES).filter(f => f.endsWith('.lockstep')).sort();
  it('there are examples for every bug and the everyday paths', () => {
    assert.ok(files.length >= 10, files.join(' '));
  });
  for (const f of files) {
    it(`${f}: its expect lines hold and no page is lost or handed out twice`, () => {
      const r = check(f)!;
      const expectsAccounting = fs.readFileSync(path.join(EXAMPLES, f), 'utf8').includes('expect finding page-accounting');
      if (!expectsAccounting) assert.ok(!r.findings.some(x => x.kind === 'page-accounting'), describeFindings(r.findings));
      assert.ok(r.ok, `expectations failed:\n${describeFindings(r.findings)}`);
    });
  }
});
