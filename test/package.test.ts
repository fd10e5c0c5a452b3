// The .vsix: packages the extension as `npm run package` does (into a temporary
// directory) and lists the zip: everything the manifest points to ships, and nothing
// that does not run (sources, tests, maps, node_modules, build and CI files).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** The file names in a zip's central directory. */
export function zipEntries(file: string): string[] {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  assert.ok(eocd >= 0, `${file} is not a zip`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let k = 0; k < count; k++) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50, 'bad central directory entry');
    const nameLength = buf.readUInt16LE(at + 28);
    const extra = buf.readUInt16LE(at + 30);
    const comment = buf.readUInt16LE(at + 32);
    names.push(buf.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extra + comment;
  }
  return names;
}

describe('the .vsix (npm run package)', function () {
  this.timeout(120_000);
  let tmp: string;
  let files: string[];
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-vsix-'));
    const out = path.join(tmp, `lockstep-${manifest.version}.vsix`);
    const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '-o', out], {
      cwd: root,
      stdio: 'pipe',
    });
    files = zipEntries(out)
      .filter((f) => f.startsWith('extension/'))
      .map((f) => f.slice('extension/'.length));
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('ships the bundles, grammars, language configurations, models, examples, README and icon', () => {
    for (const f of ['package.json', 'readme.md', 'dist/extension.js', 'dist/debugAdapter.js', 'dist/languageServer.js', 'dist/timelineView.js', 'dist/cli.js', manifest.icon]) {
      assert.ok(files.includes(f), `${f} is not in the .vsix`);
    }
    const contributes = manifest.contributes;
    for (const g of contributes.grammars) assert.ok(files.includes(path.posix.normalize(g.path)), g.path);
    for (const l of contributes.languages) assert.ok(files.includes(path.posix.normalize(l.configuration)), l.configuration);
    assert.ok(files.includes(path.posix.normalize(manifest.main)));
    for (const m of fs.readdirSync(path.join(root, 'models')).filter((f) => f.endsWith('.kc'))) assert.ok(files.includes(`models/${m}`), m);
    for (const e of fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.lockstep'))) assert.ok(files.includes(`examples/${e}`), e);
    assert.ok(files.some((f) => f.startsWith('models/common/')), 'the models\' #include files');
  });

  it('ships nothing that does not run', () => {
    const forbidden = [
      /^src\//, /^out\//, /^test\//, /^bench\//, /^scripts\//, /^docs\//, /^node_modules\//, /^\.ci\//, /^\.e2e\//,
      /^test-artifacts\//, /\.map$/, /\.ts$/, /^tsconfig\.json$/, /^\.mocharc/, /^\.git/, /^package-lock\.json$/, /\.vsix$/,
    ];
    const bad = files.filter((f) => forbidden.some((re) => re.test(f)));
    assert.deepEqual(bad, []);
    const top = new Set(files.map((f) => f.split('/')[0]));
    const allowed = new Set(['package.json', 'readme.md', 'changelog.md', 'LICENSE.txt', 'dist', 'syntaxes', 'language-configuration', 'models', 'examples', 'images']);
    assert.deepEqual([...top].filter((t) => !allowed.has(t)), [], 'unexpected top-level entries');
  });
});
