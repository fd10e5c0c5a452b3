// The engine's public face. Layers above (cli, debugAdapter, languageServer) import
// from here only.
export type { Diagnostic, Range } from './lang/diagnostics';
export { formatDiagnostic } from './lang/diagnostics';
export type { LoadResult, LoadOptions, CheckedProgram, MachineConfig } from './lang/load';
export { loadScenario, checkText, bundledModels, bundledModelsDir } from './lang/load';
export { BUILTINS, builtinDoc } from './builtins';
export type { Builtin, BuiltinCategory } from './builtins';
export { FINDING_KINDS, FINDING_KIND_IDS, isFindingKind } from './findingKinds';
export type { FindingKind } from './findingKinds';
