// Hover: a primitive's semantics under the configuration that applies (the scenario's,
// or SMP / UP / PREEMPT_RT side by side for a model opened alone), model functions,
// finding kinds and zones.
import * as path from 'node:path';
import { Hover, MarkupKind, Position } from 'vscode-languageserver/node';
import { Builtin, BUILTINS, builtinDoc, bundledModelSummaries, FINDING_KINDS, isFindingKind } from '../engine';
import { isScenario } from './paths';
import { Analysis, configName } from './workspace';
import { lineAt, wordAt } from './words';

const ARG_NAMES: Record<string, string> = {
  expr: 'x', int: 'n', lock: 'lock', list: 'list', page: 'page', zone: 'zone', out: 'flags',
  lvalue: 'pos', type: 'type', member: 'member', percpu: 'ptr',
};

export function builtinSignature(b: Builtin): string {
  return `${b.name}(${b.args.map((a) => ARG_NAMES[a] ?? a).join(', ')})`;
}

/** The semantics of a primitive: one configuration, or all three when none applies. */
export function builtinSemantics(b: Builtin, analysis: Pick<Analysis, 'program' | 'scenarioFile' | 'file'>): string {
  const header = `\`\`\`c\n${builtinSignature(b)}\n\`\`\`\n*${b.category} primitive*${b.mightSleep ? ' · *may sleep*' : ''}\n\n`;
  if (typeof b.doc === 'string') return header + b.doc;
  const scenarioApplies = analysis.program !== undefined && (isScenario(analysis.file) || analysis.scenarioFile !== undefined);
  if (scenarioApplies && analysis.program !== undefined) {
    const config = analysis.program.config;
    const from = analysis.scenarioFile !== undefined ? ` (${path.basename(analysis.scenarioFile)})` : '';
    return `${header}**${configName(config)}**${from}: ${builtinDoc(b, config)}`;
  }
  return (
    header +
    `- **SMP**: ${b.doc.smp}\n` +
    `- **UP**: ${b.doc.up}\n` +
    `- **PREEMPT_RT**: ${b.doc.rt}`
  );
}

export function hover(analysis: Analysis, pos: Position, read: (file: string) => string | undefined): Hover | null {
  const text = analysis.text;
  const scenario = isScenario(analysis.file);
  const line = lineAt(text, pos.line);
  // finding kinds (with '-') on expect lines
  if (scenario && /^\s*expect\b/.test(line)) {
    const w = wordAt(text, pos, true);
    if (w && isFindingKind(w.text)) {
      return { contents: { kind: MarkupKind.Markdown, value: `**${w.text}** (finding kind)\n\n${FINDING_KINDS[w.text]}` }, range: w.range };
    }
  }
  // the model line: which kernel the bundled model is
  if (scenario && /^\s*model\b/.test(line)) {
    const m = wordAt(text, pos, true);
    const summary = m && bundledModelSummaries().find((x) => x.name === m.text);
    if (m && summary) return { contents: { kind: MarkupKind.Markdown, value: `**${summary.name}** (bundled model)\n\n${summary.summary}` }, range: m.range };
  }
  const w = wordAt(text, pos);
  if (w === undefined) return null;
  const markdown = (value: string): Hover => ({ contents: { kind: MarkupKind.Markdown, value }, range: w.range });

  const b = BUILTINS.get(w.text);
  if (b !== undefined) return markdown(builtinSemantics(b, analysis));

  const program = analysis.program;
  if (program === undefined) return null;
  const fn = program.model.functions.get(w.text);
  if (fn !== undefined) {
    const declLine = lineAt(read(fn.nameRange.file) ?? '', fn.nameRange.line - 1).trim();
    return markdown(`\`\`\`c\n${declLine.replace(/\s*\{\s*$/, '')}\n\`\`\`\nmodel function, ${path.basename(fn.nameRange.file)}:${fn.nameRange.line}`);
  }
  if (scenario) {
    const zone = program.scenario.zones.find((z) => z.name === w.text);
    if (zone !== undefined) {
      const parts = [`${zone.pages} pages`];
      if (zone.batch !== undefined) parts.push(`batch ${zone.batch}`);
      if (zone.high !== undefined) parts.push(`high ${zone.high}`);
      if (zone.low !== undefined) parts.push(`low ${zone.low}`);
      return markdown(`**zone ${zone.name}**: ${parts.join(', ')}, ${zone.migratetype} pageblocks`);
    }
  }
  const value = program.model.enumConsts.get(w.text);
  if (value !== undefined) return markdown(`\`${w.text} = ${value}\` (enum constant)`);
  return null;
}
