// Model globals start with the values their initialisers give, as the kernel's .data does.
import * as assert from 'assert';
import { loadScenario, runScenario } from '../../src/engine';

const MODEL = `
int g = 5;
unsigned char small = 300;
static LIST_HEAD(lst);
struct cfg { int a; int b[3]; };
struct cfg c = { .b = { 1, [2] = 7 }, .a = 2 + 3 };
int table[4] = { [1] = MIGRATE_MOVABLE, MIGRATE_TYPES };
void check(void)
{
	WARN_ON(g != 5);
	WARN_ON(small != 44);
	WARN_ON(!list_empty(&lst));
	WARN_ON(c.a != 5 || c.b[0] != 1 || c.b[1] != 0 || c.b[2] != 7);
	WARN_ON(table[0] != 0 || table[1] != MIGRATE_MOVABLE || table[2] != MIGRATE_TYPES);
}
`;

function run(model: string) {
  const files: Record<string, string> = {
    '/g/m.kc': model,
    '/g/s.lockstep': 'model "./m.kc"\ncpus 1\ntask cpu 0 {\n\tcheck();\n}\n',
  };
  const { program, diagnostics } = loadScenario('/g/s.lockstep', { readFile: f => files[f] });
  assert.deepEqual(diagnostics.filter(d => d.severity === 'error'), []);
  return runScenario(program!);
}

describe('engine: global initialisers', () => {
  it('ints (wrapped to their width), LIST_HEAD, designated struct and array initialisers hold at the first step', () => {
    const r = run(MODEL);
    assert.deepEqual(r.findings.map(f => f.message.split('\n')[0]), []);
    assert.equal(r.stop, 'finished');
  });

  it('a model that expects another value sees the WARN_ON fire', () => {
    const r = run(MODEL.replace('int g = 5;', 'int g = 6;'));
    assert.deepEqual(r.findings.map(f => f.kind), ['assertion']);
    assert.equal(r.findings[0].location.line, 10);
  });

  it('a global initialised from a non-constant is an error with its position, not a crash', () => {
    const files: Record<string, string> = {
      '/g/m.kc': 'int f(void) { return 1; }\nint g = f();\nvoid check(void) { }\n',
      '/g/s.lockstep': 'model "./m.kc"\ncpus 1\ntask cpu 0 {\n\tcheck();\n}\n',
    };
    const { program } = loadScenario('/g/s.lockstep', { readFile: f => files[f] });
    assert.throws(() => runScenario(program!), (e: Error & { range?: { line: number } }) => e.range?.line === 2 && /constant/.test(e.message));
  });
});
