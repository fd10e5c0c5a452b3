// Checks the extension manifest and the files it points to. Runs after
// `npm run build` (see the `test` script), so the bundles must exist.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Repository root: this file runs as out/test/manifest.test.js. */
const root = path.resolve(__dirname, '..', '..');

interface LanguageContribution {
  id: string;
  extensions?: string[];
  aliases?: string[];
  configuration?: string;
}

interface GrammarContribution {
  language: string;
  scopeName: string;
  path: string;
}

function readJson(relative: string): any {
  return JSON.parse(fs.readFileSync(path.join(root, relative), 'utf8'));
}

describe('extension manifest (package.json)', () => {
  const manifest = readJson('package.json');
  const languages: LanguageContribution[] = manifest.contributes.languages;
  const grammars: GrammarContribution[] = manifest.contributes.grammars;

  it('identifies the extension', () => {
    assert.equal(manifest.name, 'lockstep');
    assert.equal(manifest.publisher, 'lockstep');
    assert.equal(manifest.main, './dist/extension.js');
    assert.equal(manifest.engines.vscode, '^1.82.0');
  });

  for (const [id, extension] of [
    ['lockstep', '.lockstep'],
    ['kernel-c', '.kc'],
  ] as const) {
    describe(`language ${id}`, () => {
      const language = languages.find((l) => l.id === id);

      it(`is contributed with extension ${extension}`, () => {
        assert.ok(language, `no language ${id}`);
        assert.deepEqual(language.extensions, [extension]);
      });

      it('has a language configuration file that parses', () => {
        assert.ok(language?.configuration, `language ${id} has no configuration`);
        const config = readJson(language.configuration);
        assert.equal(config.comments.lineComment, '//');
        assert.deepEqual(config.comments.blockComment, ['/*', '*/']);
        assert.ok(Array.isArray(config.brackets) && config.brackets.length > 0);
      });

      it('has a grammar file that parses and declares its scope name', () => {
        const grammar = grammars.find((g) => g.language === id);
        assert.ok(grammar, `no grammar for ${id}`);
        assert.equal(grammar.scopeName, `source.${id}`);
        const file = path.join(root, grammar.path);
        assert.ok(fs.existsSync(file), `${grammar.path} is missing`);
        const tm = readJson(grammar.path);
        assert.equal(tm.scopeName, grammar.scopeName);
        assert.ok(Array.isArray(tm.patterns) && tm.patterns.length > 0);
        // Every regular expression must at least compile (Oniguruma is a superset for these).
        const walk = (node: unknown): void => {
          if (Array.isArray(node)) node.forEach(walk);
          else if (node !== null && typeof node === 'object') {
            for (const [key, value] of Object.entries(node)) {
              if ((key === 'match' || key === 'begin' || key === 'end') && typeof value === 'string') {
                assert.doesNotThrow(() => new RegExp(value), `${grammar.path}: bad ${key} ${value}`);
              } else walk(value);
            }
          }
        };
        walk(tm);
      });

      it('allows breakpoints', () => {
        const breakpoints: { language: string }[] = manifest.contributes.breakpoints;
        assert.ok(breakpoints.some((b) => b.language === id));
      });
    });
  }

  it('contributes the lockstep debugger for both languages', () => {
    const debuggers: any[] = manifest.contributes.debuggers;
    const dbg = debuggers.find((d) => d.type === 'lockstep');
    assert.ok(dbg, 'no lockstep debugger');
    assert.deepEqual([...dbg.languages].sort(), ['kernel-c', 'lockstep']);
    const launch = dbg.configurationAttributes.launch.properties;
    assert.equal(launch.scenario.default, '${file}');
    assert.equal(launch.stopOnEntry.default, true);
  });
});

describe('build output (dist/)', () => {
  const manifest = readJson('package.json');

  for (const bundle of ['extension.js', 'debugAdapter.js', 'languageServer.js', 'cli.js']) {
    it(`has dist/${bundle}`, () => {
      assert.ok(fs.existsSync(path.join(root, 'dist', bundle)), `dist/${bundle} is missing; run npm run build`);
    });
  }

  it('points main, the debugger program and bin at existing bundles', () => {
    assert.ok(fs.existsSync(path.join(root, manifest.main)));
    assert.ok(fs.existsSync(path.join(root, manifest.contributes.debuggers[0].program)));
    assert.ok(fs.existsSync(path.join(root, manifest.bin.lockstep)));
  });

  it('makes the CLI an executable script', () => {
    const cli = path.join(root, 'dist', 'cli.js');
    assert.ok(fs.readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n'));
    if (process.platform !== 'win32') {
      assert.ok((fs.statSync(cli).mode & 0o111) !== 0, 'dist/cli.js is not executable');
    }
  });

  it('leaves vscode out of the bundles', () => {
    const extension = fs.readFileSync(path.join(root, 'dist', 'extension.js'), 'utf8');
    assert.match(extension, /require\("vscode"\)/);
  });
});
