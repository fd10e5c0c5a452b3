// `lockstep check ... --sarif FILE` (interfaces.md): SARIF 2.1.0, one result per finding,
// rule id = finding kind, code flows = the stacks; from the built dist/cli.js.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliIn, ROOT } from './cliRun';
import { FINDING_KIND_IDS } from '../../src/engine';

const root = ROOT;
const B1 = 'examples/b1-up-drain-irq-v6.2.lockstep';
const cli = (...args: string[]) => cliIn(root, ...args);

describe('lockstep check --sarif', function () {
  this.timeout(60000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-sarif-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('explore: one SARIF result per finding of the --json output, rule id = kind, code flows = stacks', () => {
    const out = path.join(dir, 'b1.sarif');
    const r = cli('check', B1, '--explore', 'exhaustive', '--json', '--sarif', out);
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    const log = JSON.parse(fs.readFileSync(out, 'utf8'));
    assert.equal(log.version, '2.1.0');
    assert.match(log.$schema, /sarif-2\.1\.0/);
    assert.equal(log.runs.length, 1);
    const run = log.runs[0];
    assert.equal(run.tool.driver.name, 'lockstep');
    assert.deepEqual(run.tool.driver.rules.map((x: { id: string }) => x.id), FINDING_KIND_IDS);
    assert.ok(json.findings.length > 0);
    assert.equal(run.results.length, json.findings.length);
    json.findings.forEach((f: any, i: number) => {
      const res = run.results[i];
      assert.equal(res.ruleId, f.kind);
      assert.equal(run.tool.driver.rules[res.ruleIndex].id, f.kind);
      assert.equal(res.message.text.split('\n')[0], f.message.split('\n')[0]);
      const region = res.locations[0].physicalLocation.region;
      assert.deepEqual([region.startLine, region.startColumn], [f.location.line, f.location.column]);
      assert.ok(res.locations[0].physicalLocation.artifactLocation.uri.endsWith(path.basename(f.location.file)));
      assert.equal(res.properties.schedule, f.schedule);
      const flows = res.codeFlows[0].threadFlows;
      assert.equal(flows.length, f.stacks.length);
      flows.forEach((tf: any, j: number) => {
        const frames = f.stacks[j].frames;
        assert.equal(tf.message.text, `CPU ${f.stacks[j].cpu} ${f.stacks[j].context}`);
        // outermost first: the scenario block, then the calls into the model
        assert.deepEqual(tf.locations.map((l: any) => l.location.message.text), frames.map((fr: any) => fr.function).reverse());
        assert.deepEqual(tf.locations.map((l: any) => l.nestingLevel), frames.map((_: unknown, k: number) => k));
      });
    });
    // B1 expects mutual-exclusion: reported, but as a note since the check passes on it
    const me = run.results.find((x: any) => x.ruleId === 'mutual-exclusion');
    assert.ok(me);
    assert.equal(me.level, 'note');
    assert.equal(run.invocations[0].exitCode, 0);
  });

  it('default check: an unexpected finding is an error result and an unmet expectation a notification; bad path exits 2', () => {
    const scenario = path.join(dir, 'race.lockstep');
    fs.writeFileSync(path.join(dir, 'race.kc'), 'int shared;\nvoid bump(void)\n{\n\tshared = shared + 1;\n}\n');
    fs.writeFileSync(scenario, 'model "./race.kc"\ncpus 2\ntask cpu 0 { bump(); }\ntask cpu 1 { bump(); }\nexpect finding deadlock\n');
    const out = path.join(dir, 'race.sarif');
    const r = cli('check', scenario, '--sarif', out);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const run = JSON.parse(fs.readFileSync(out, 'utf8')).runs[0];
    const races = run.results.filter((x: any) => x.ruleId === 'data-race');
    assert.ok(races.length >= 1);
    assert.equal(races[0].level, 'error');
    assert.equal(races[0].locations[0].physicalLocation.region.startLine, 4);
    assert.equal(run.invocations[0].exitCode, 1);
    assert.match(run.invocations[0].toolExecutionNotifications[0].message.text, /expect finding deadlock was not met/);

    const bad = cli('check', scenario, '--sarif', path.join(dir, 'no', 'such', 'dir', 'x.sarif'));
    assert.equal(bad.status, 2);
    assert.match(bad.stdout + bad.stderr, /cannot write the SARIF file/);
    assert.equal(cli('check', scenario, '--sarif').status, 2);
  });
});
