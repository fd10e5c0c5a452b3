// Tokenizes text with VS Code's own TextMate engine (vscode-textmate + the Oniguruma
// WASM build), using the grammars the extension contributes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

/** Repository root: this file runs as out/test/syntaxes/tokenize.js. */
export const root = path.resolve(__dirname, '..', '..', '..');

export interface Token {
  text: string;
  line: number; // 0-based
  scopes: string[];
}

let registry: Promise<textmate.Registry> | undefined;

function loadRegistry(): Promise<textmate.Registry> {
  const wasm = fs.readFileSync(path.join(root, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  const onigLib = oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer).then(() => ({
    createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s: string) => new oniguruma.OnigString(s),
  }));
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const grammarFiles = new Map<string, string>(
    (manifest.contributes.grammars as { scopeName: string; path: string }[]).map((g) => [g.scopeName, path.join(root, g.path)]),
  );
  return Promise.resolve(
    new textmate.Registry({
      onigLib,
      loadGrammar: async (scopeName) => {
        const file = grammarFiles.get(scopeName);
        if (file === undefined) return null;
        return textmate.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
      },
    }),
  );
}

/** Every token of the text, line by line, as VS Code would scope it. */
export async function tokenize(scopeName: string, text: string): Promise<Token[]> {
  registry ??= loadRegistry();
  const grammar = await (await registry).loadGrammar(scopeName);
  if (grammar === null) throw new Error(`no grammar for ${scopeName}`);
  const tokens: Token[] = [];
  let state = textmate.INITIAL;
  text.split(/\r?\n/).forEach((line, lineNo) => {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) {
      tokens.push({ text: line.slice(t.startIndex, t.endIndex), line: lineNo, scopes: t.scopes });
    }
    state = r.ruleStack;
  });
  return tokens;
}

/** The scopes of the first token whose text is `text` (on a line containing `onLine`, if given). */
export function scopesOf(tokens: Token[], text: string, onLine?: string, lines?: string[]): string[] {
  const t = tokens.find((tok) => tok.text === text && (onLine === undefined || (lines !== undefined && lines[tok.line].includes(onLine))));
  if (t === undefined) throw new Error(`no token '${text}'${onLine ? ` on a line with '${onLine}'` : ''}`);
  return t.scopes;
}
