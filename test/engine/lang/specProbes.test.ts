// Small models and scenarios written from languages.md and semantics.md alone, not
// from the bundled models, each exercising less common Kernel C (preprocessor with
// #elif / IS_ENABLED / config integers, typedef, enum, anonymous unions, designated
// initialisers, case ranges, goto, do/while with continue, pointer arithmetic, the
// list, per-CPU, context and math builtins, raw spinlocks from an interrupt). Each
// checks itself with WARN_ON or expect lines: `check` must load it without a
// diagnostic and meet every expectation. Fixtures: test/fixtures/lang/spec-probes/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkScenario, formatDiagnostic, loadScenario } from '../../../src/engine';
import { fixtures } from './util';

const DIR = path.join(fixtures, 'spec-probes');

describe('Kernel C: scenarios written from the spec alone', () => {
  const scenarios = fs.readdirSync(DIR).filter(f => f.endsWith('.lockstep')).sort();

  it('there are probes to run', () => {
    assert.ok(scenarios.length >= 6, scenarios.join(', '));
  });

  for (const name of scenarios) {
    it(`${name}: loads clean and meets its expectations`, () => {
      const r = loadScenario(path.join(DIR, name));
      assert.deepEqual(r.diagnostics.map(formatDiagnostic), []);
      const c = checkScenario(r.program!, { schedules: 3 });
      const unmet = c.expectations.filter(e => !e.met).map(e => e.text);
      assert.ok(c.ok, `unmet: ${unmet.join('; ')}; findings: ${c.findings.map(f => `${f.kind} at ${f.location.line}: ${f.message.split('\n')[0]}`).join(' | ')}; errors: ${c.errors.join('; ')}`);
    });
  }
});
