// `lockstep models`: every bundled model, one line each, with what it models.
import * as assert from 'assert';
import * as path from 'path';
import { spawnSync } from 'child_process';

const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');

describe('lockstep models', () => {
  it('lists the six bundled models of semantics.md, one line each with its kernel history', () => {
    const r = spawnSync(process.execPath, [CLI, 'models'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    const names = lines.map(l => l.split(/\s+/)[0]);
    for (const m of ['v5.18', 'pcp-spinlock-v1', 'pcp-spinlock-v2', 'v6.1', 'v6.2', 'v6.19']) assert.ok(names.includes(m), `${m} missing:\n${r.stdout}`);
    assert.equal(lines.length, names.length);
    assert.match(lines.find(l => l.startsWith('v6.2 '))!, /574907741599/);
    assert.match(lines.find(l => l.startsWith('v6.19 '))!, /038a102535eb/);
    for (const l of lines) assert.ok(l.length > 30 && l.length <= 140, `one readable line: ${l}`);
  });
});
