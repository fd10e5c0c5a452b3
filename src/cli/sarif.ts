// `lockstep check ... --sarif FILE`: the findings as SARIF 2.1.0 (one result per finding,
// rule id = finding kind, one code flow whose thread flows are the stacks of the contexts
// involved), so that CI code scanning shows them on the model's lines.
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { FINDING_KINDS, FINDING_KIND_IDS } from '../engine';
import type { Finding, ExpectResult } from '../engine';
import { rel, relFinding } from './format';

/** What one checked scenario contributes to the SARIF log. */
export interface SarifScenario {
  scenario: string;
  findings: readonly Finding[];
  expectations: readonly ExpectResult[];
}

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** A file as a SARIF artifact location: relative to the working directory when under it
 * (with %SRCROOT% as its base), else an absolute file: URI. */
function artifact(file: string): { uri: string; uriBaseId?: string } {
  const abs = path.resolve(file);
  const r = rel(abs);
  if (!path.isAbsolute(r)) return { uri: r.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
  return { uri: pathToFileURL(abs).href };
}

function region(line: number, column: number, endLine?: number, endColumn?: number): Record<string, number> {
  const r: Record<string, number> = { startLine: Math.max(1, line), startColumn: Math.max(1, column) };
  if (endLine !== undefined && endColumn !== undefined && (endLine > r.startLine || (endLine === r.startLine && endColumn > r.startColumn))) {
    r.endLine = endLine;
    r.endColumn = endColumn;
  }
  return r;
}

/** Is a finding of this kind expected by the scenario (so the check does not fail on it)? */
function expected(kind: string, ex: readonly ExpectResult[]): boolean {
  return ex.some(e => e.text === `expect finding ${kind}`);
}

function result(f: Finding, s: SarifScenario): unknown {
  const ruleIndex = FINDING_KIND_IDS.indexOf(f.kind);
  const threadFlows = f.stacks.map(st => ({
    message: { text: `CPU ${st.cpu} ${st.context}` },
    // outermost frame (the scenario's task or irq block) first, as the code ran
    locations: [...st.frames].reverse().map((fr, depth) => ({
      nestingLevel: depth,
      location: {
        physicalLocation: { artifactLocation: artifact(fr.file), region: region(fr.line, fr.column, fr.endLine, fr.endColumn) },
        message: { text: fr.function },
      },
    })),
  }));
  return {
    ruleId: f.kind,
    ...(ruleIndex >= 0 ? { ruleIndex } : {}),
    level: expected(f.kind, s.expectations) ? 'note' : 'error',
    message: { text: relFinding(f).message },
    locations: [{ physicalLocation: { artifactLocation: artifact(f.location.file), region: region(f.location.line, f.location.column) } }],
    ...(threadFlows.length ? { codeFlows: [{ message: { text: `schedule ${f.schedule}` }, threadFlows }] } : {}),
    partialFingerprints: { lockstepFinding: `${f.kind}:${rel(f.location.file)}:${f.location.line}:${f.location.column}` },
    properties: { scenario: rel(s.scenario), step: f.step, cpu: f.cpu, context: f.context, schedule: f.schedule },
  };
}

/** The package's version, from the package.json above this file (src, out or dist). */
export function toolVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'lockstep' && typeof pkg.version === 'string') return pkg.version;
    } catch { /* not here */ }
    if (path.dirname(dir) === dir) return '0.0.0';
  }
}

/** The SARIF log of a check over `scenarios`; `exitCode` is the check's. */
export function sarifLog(scenarios: readonly SarifScenario[], exitCode: number, version = toolVersion()): unknown {
  const failedExpectations = scenarios.flatMap(s => s.expectations.filter(e => !e.met).map(e => ({ scenario: s.scenario, text: e.text })));
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'lockstep',
          version,
          rules: FINDING_KIND_IDS.map(id => ({
            id,
            name: id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
            shortDescription: { text: FINDING_KINDS[id] },
            defaultConfiguration: { level: 'error' },
          })),
        },
      },
      originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(process.cwd() + path.sep).href } },
      invocations: [{
        executionSuccessful: exitCode === 0 || exitCode === 1,
        exitCode,
        toolExecutionNotifications: failedExpectations.map(e => ({
          level: 'error',
          message: { text: `${rel(e.scenario)}: ${e.text} was not met` },
          locations: [{ physicalLocation: { artifactLocation: artifact(e.scenario) } }],
        })),
      }],
      results: scenarios.flatMap(s => s.findings.map(f => result(f, s))),
    }],
  };
}

/** Writes the SARIF log to `file`; returns the exit code, EXIT_BAD_INPUT (2) when the file
 * cannot be written (said on `err`). */
export function writeSarif(file: string, scenarios: readonly SarifScenario[], exitCode: number, err: (line: string) => void): number {
  try {
    fs.writeFileSync(file, `${JSON.stringify(sarifLog(scenarios, exitCode), null, 2)}\n`);
    return exitCode;
  } catch (e) {
    err(`lockstep: cannot write the SARIF file '${file}': ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}
