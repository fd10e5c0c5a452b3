// Shared helpers of the debug adapter suites: a DebugClient over stdio against
// dist/debugAdapter.js (built by `npm run build` before the tests), and short ways to
// launch, stop and read what VS Code would show.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const ADAPTER = path.join(ROOT, 'dist', 'debugAdapter.js');
export const example = (name: string) => path.join(ROOT, 'examples', name);
export const fixture = (name: string) => path.join(ROOT, 'test', 'fixtures', 'debugAdapter', name);
export const model = (name: string) => path.join(ROOT, 'models', name);

export async function startClient(): Promise<DebugClient> {
  const dc = new DebugClient('node', ADAPTER, 'lockstep');
  dc.defaultTimeout = 15000;
  await dc.start();
  return dc;
}

export async function initialize(dc: DebugClient): Promise<DebugProtocol.InitializeResponse> {
  return dc.initializeRequest({
    adapterID: 'lockstep', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true,
    supportsProgressReporting: true, supportsInvalidatedEvent: true,
  });
}

export interface LaunchOptions {
  breakpoints?: { file: string; lines: (number | DebugProtocol.SourceBreakpoint)[] }[];
  functionBreakpoints?: (string | DebugProtocol.FunctionBreakpoint)[];
  filters?: string[];
}

/** initialize, launch, configure and wait for the first stop (entry unless stopOnEntry is false). */
export async function launch(dc: DebugClient, args: Record<string, unknown>, opts: LaunchOptions = {}): Promise<DebugProtocol.StoppedEvent> {
  await initialize(dc);
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await Promise.all([
    dc.waitForEvent('initialized').then(async () => {
      for (const b of opts.breakpoints ?? []) {
        await dc.setBreakpointsRequest({ source: { path: b.file }, breakpoints: b.lines.map(l => (typeof l === 'number' ? { line: l } : l)) });
      }
      if (opts.functionBreakpoints) await dc.setFunctionBreakpointsRequest({ breakpoints: opts.functionBreakpoints.map(f => (typeof f === 'string' ? { name: f } : f)) });
      if (opts.filters) await dc.setExceptionBreakpointsRequest({ filters: opts.filters });
      await dc.configurationDoneRequest();
    }),
    launchRequest(dc, args),
  ]);
  return stopped;
}

/** Sends a moving request and returns the stop it leads to. */
export async function move(dc: DebugClient, send: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await send();
  return stopped;
}

export async function stepIn(dc: DebugClient, threadId: number, times = 1): Promise<DebugProtocol.StoppedEvent> {
  let s!: DebugProtocol.StoppedEvent;
  for (let i = 0; i < times; i++) s = await move(dc, () => dc.stepInRequest({ threadId }));
  return s;
}

export interface ShownFrame { name: string; file?: string; line: number; column: number; label?: boolean }

export async function frames(dc: DebugClient, threadId: number): Promise<(ShownFrame & { id: number })[]> {
  const st = await dc.stackTraceRequest({ threadId });
  return st.body.stackFrames.map(f => ({
    id: f.id, name: f.name, file: f.source?.path ? path.basename(f.source.path) : undefined, line: f.line, column: f.column,
    ...(f.presentationHint === 'label' ? { label: true } : {}),
  }));
}

/** The variables of a scope of the top frame, by scope name. */
export async function scope(dc: DebugClient, frameId: number, name: string): Promise<DebugProtocol.Variable[]> {
  const sc = await dc.scopesRequest({ frameId });
  const s = sc.body.scopes.find(x => x.name === name);
  assert.ok(s, `no scope ${name}; scopes: ${sc.body.scopes.map(x => x.name).join(', ')}`);
  return (await dc.variablesRequest({ variablesReference: s.variablesReference })).body.variables;
}

export async function children(dc: DebugClient, v: DebugProtocol.Variable, start?: number, count?: number): Promise<DebugProtocol.Variable[]> {
  assert.ok(v.variablesReference > 0, `${v.name} has no children`);
  return (await dc.variablesRequest({ variablesReference: v.variablesReference, start, count, filter: v.indexedVariables ? 'indexed' : undefined })).body.variables;
}

export function byName(vars: DebugProtocol.Variable[], name: string): DebugProtocol.Variable {
  const v = vars.find(x => x.name === name);
  assert.ok(v, `no variable ${name} among ${vars.map(x => x.name).join(', ')}`);
  return v;
}

/** An error response's message (the request must fail). */
export async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail('the request succeeded; an error response was expected');
}

/** The launch request alone (DebugClient.launch would send a second initialize). */
export function launchRequest(dc: DebugClient, args: Record<string, unknown>): Promise<DebugProtocol.LaunchResponse> {
  return dc.launchRequest(args as DebugProtocol.LaunchRequestArguments);
}

/** The 1-based line of `file` that holds `text`. */
export function lineOf(file: string, text: string): number {
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex(l => l.includes(text));
  assert.ok(i >= 0, `${text} not in ${file}`);
  return i + 1;
}
