// The engine's public face. Layers above (cli, debugAdapter, languageServer) import
// from here only.
export type { Diagnostic, Range } from './lang/diagnostics';
export { formatDiagnostic } from './lang/diagnostics';
export type { LoadResult, LoadOptions, CheckedProgram, MachineConfig } from './lang/load';
export { loadScenario, checkText, bundledModels, bundledModelsDir, bundledModelSummaries } from './lang/load';
export { PRELUDE, PRELUDE_FILE } from './lang/prelude';
export { BUILTINS, builtinDoc } from './builtins';
export type { Builtin, BuiltinCategory } from './builtins';
export { FINDING_KINDS, FINDING_KIND_IDS, isFindingKind } from './findingKinds';
export type { FindingKind } from './findingKinds';
export { runScenario, checkScenario, parseSchedule, judge, DEFAULT_MAX_STEPS, ScheduleError } from './run';
export { scheduleItemColumn } from './run';
export type { RunOptions, RunResult, CheckResult, ExpectResult, Choice, Strategy } from './run';
export { Machine } from './sim/machine';
export type { Checkpoint } from './sim/machine';
export type { Finding, MachineEvent, StepRecord, ContextStack } from './sim/state';
export { machineState } from './sim/inspect';
export type { MachineState } from './sim/inspect';
export { CompileError } from './sim/compile';
export { explore, exploreSync, mergeFindings, shrinkFinding, replayFinding, findingKey, DEFAULT_MAX_STATES, DEFAULT_PREEMPTIONS, DEFAULT_SCHEDULES, DEFAULT_PCT_DEPTH } from './explore';
export type { ExploreOptions, ExploreResult, ExploreProgress, ExploreStrategy, SearchSummary } from './explore';
export { evaluate, evaluateCondition, assign, frameLocals, childrenOf, childCount, checkExpression, EvalError } from './debug/evaluate';
export { dataSignature } from './debug/values';
export { completions, expressionAt } from './debug/evaluate';
export type { EvalOptions, Completion } from './debug/evaluate';
export type { EvalScope, TypedValue, NamedValue } from './debug/evaluate';
export type { Context } from './sim/state';
export * from './trace';
