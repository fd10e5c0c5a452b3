// Scenario `pcp` lines (languages.md): pages put on a per-CPU list before the run, as the
// kernel would have filed them, and lines that cannot be met are errors with a position.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenario, machineState, Machine, formatDiagnostic, explore } from '../../src/engine';

function load(text: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-pcp-'));
  const file = path.join(dir, 's.lockstep');
  fs.writeFileSync(file, text);
  try {
    const r = loadScenario(file);
    return { ...r, messages: r.diagnostics.map(d => formatDiagnostic({ ...d, file: 's.lockstep' })) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('scenario pcp lines', () => {
  for (const model of ['v5.18', 'v6.1', 'v6.19']) {
    it(`${model}: highatomic, cma and isolate pages sit on the movable list of their order (free_unref_page), and drain back intact`, async () => {
      const r = load(`model ${model}\ncpus 1\nzone Normal pages 256\npcp cpu 0 zone Normal order 0 highatomic 2\npcp cpu 0 zone Normal order 1 cma 1\npcp cpu 0 zone Normal order 2 isolate 1\ntask cpu 0 {\n    struct page *p = alloc_pages(GFP_KERNEL, 0);\n    __free_pages(p, 0);\n    drain_local_pages(Normal);\n}\nexpect pages conserved\n`);
      assert.deepEqual(r.messages, []);
      const pcp = machineState(new Machine(r.program!)).zones[0].pcp[0];
      assert.equal(pcp.count, 8);
      assert.deepEqual(pcp.lists.map(l => [l.order, l.migratetype, l.pfns.length]), [[0, 'movable', 2], [1, 'movable', 1], [2, 'movable', 1]]);
      const x = await explore(r.program!, { strategy: 'exhaustive' });
      assert.deepEqual(x.findings.map(f => `${f.kind}: ${f.message}`), []);
      assert.ok(x.ok && x.search.complete);
    });
  }

  it('pcp lines asking for more pages than the zone has are an error at the line that overflows', () => {
    const r = load('model v6.1\ncpus 2\nzone Normal pages 64\npcp cpu 0 zone Normal order 0 movable 40\npcp cpu 1 zone Normal order 2 unmovable 7\ntask cpu 0 { }\n');
    assert.deepEqual(r.messages, ['s.lockstep:5:9: error: the pcp lines of zone Normal ask for 68 pages, but the zone has 64']);
    const fits = load('model v6.1\ncpus 2\nzone Normal pages 64\npcp cpu 0 zone Normal order 0 movable 36\npcp cpu 1 zone Normal order 2 unmovable 7\ntask cpu 0 { }\n');
    assert.deepEqual(fits.messages, []);
  });
});

describe('scenario zone lines', () => {
  it('batch 0 is an error at the number (the kernel keeps batch >= 1); batch 1 is fine', () => {
    assert.deepEqual(load('model v6.1\ncpus 1\nzone Normal pages 64 batch 0 high 4\ntask cpu 0 { }\n').messages,
      ['s.lockstep:3:28: error: batch must be at least 1, not 0 (the kernel keeps every pcp batch at 1 or more)']);
    assert.deepEqual(load('model v6.1\ncpus 1\nzone Normal pages 64 batch 1 high 4\ntask cpu 0 { }\n').messages, []);
  });
});
