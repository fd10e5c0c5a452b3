// A launch.json's relative file attributes are taken from its workspace folder, not from the
// directory VS Code happened to start in.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { resolveLaunchPaths } from '../../src/extension/launchPaths';

const WS = path.resolve('/home/dev/linux-review');

describe('launch configuration paths', () => {
  it('relative scenario, trace and zoneinfo files (LABEL=FILE list or label map) are joined to the workspace folder', () => {
    assert.deepEqual(resolveLaunchPaths({ type: 'lockstep', scenario: 'examples/b1.lockstep', stopOnEntry: true }, WS),
      { type: 'lockstep', scenario: path.join(WS, 'examples/b1.lockstep'), stopOnEntry: true });
    assert.deepEqual(resolveLaunchPaths({ trace: 'traces/drain.txt', zoneinfo: ['before=traces/zi-before.txt', `after=${path.join(WS, 'abs.txt')}`] }, WS),
      { trace: path.join(WS, 'traces/drain.txt'), zoneinfo: [`before=${path.join(WS, 'traces/zi-before.txt')}`, `after=${path.join(WS, 'abs.txt')}`] });
    assert.deepEqual(resolveLaunchPaths({ trace: '/abs/t.dat', zoneinfo: { before: 'zi.txt' } }, WS), { trace: '/abs/t.dat', zoneinfo: { before: path.join(WS, 'zi.txt') } });
  });

  it('leaves absolute paths, unsubstituted variables, other attributes and a folderless session alone', () => {
    const c = { scenario: '${file}', schedule: 'c0*3', model: 'v6.1' };
    assert.deepEqual(resolveLaunchPaths(c, WS), c);
    assert.deepEqual(resolveLaunchPaths({ scenario: 'a.lockstep' }, undefined), { scenario: 'a.lockstep' });
    // a malformed entry is the adapter's to report, unchanged
    assert.deepEqual(resolveLaunchPaths({ trace: 't.txt', zoneinfo: ['no-label', 3] }, WS), { trace: path.join(WS, 't.txt'), zoneinfo: ['no-label', 3] });
  });
});
