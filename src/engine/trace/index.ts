// The kernel-trace side of the engine: import, reconstruct, compare, export, seek.
export { importTrace, importTraceText, TraceImportError, MAX_WARNINGS } from './import';
export type { ImportedTrace, TraceWarning, TraceFormat, ImportOptions } from './import';
export { parseZoneInfo, parseZoneInfoText, ZoneInfoError } from './zoneinfo';
export type { ZoneInfo } from './zoneinfo';
export { Reconstruction, RebuildState, reconstruct } from './reconstruct';
export type { SnapshotResult, PcpCompare, UndecidedNote, LockInterval, IrqInterval, PcpView } from './reconstruct';
export { LockNames, lockNamesBeside } from './locks';
export { replayTrace, replayImported, replayJson, rebuiltState, zoneinfoBeside } from './replay';
export { formatLabel, captureName } from './detect';
export { COMPRESSION_SUFFIX } from './compressed';
export type { Replay, ReplayOptions } from './replay';
export { chromeTrace, chromeTraceOfReplay, chromeTraceOfRun } from './chrome';
export type { ChromeTrace, ChromeEvent } from './chrome';
export { ftraceText, gfpText } from './ftrace';
export { runForExport } from './simRun';
export { EV, KNOWN_EVENTS } from './eventKinds';
export { TraceTimeline, parseTraceBreakpoint, TraceBreakpointError, CHECKPOINT_EVERY } from './timeline';
export type { TraceEventView, TraceBreakpoint } from './timeline';
