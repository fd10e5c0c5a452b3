// The debugger's engine side: the runtime, its views and breakpoints (no DAP types).
export { DebugRuntime, choiceText, choiceCpu, cpuChoice, irqChoice } from './runtime';
export type { DebugStrategy, RuntimeOptions, Stop, StopReason, Progress } from './runtime';
export { Breakpoints, EVENT_FILTERS, hitConditionMet, validHitCondition, normFile } from './breakpoints';
export type { LineBreakpoint, FunctionBreakpoint, DataBreakpoint, HitSpec } from './breakpoints';
export { threadsOf, threadById, threadOfContext, framesOf, threadName, frameLocation } from './stacks';
export type { DebugThread, DebugFrame } from './stacks';
export { cpuNodes, pcpNodes, pcpNode, zoneNodes, lockNode, locksScope, findingNodes, memoryNode, pageListNode } from './views';
export type { ViewNode } from './views';
export { lockAddresses, lockInfo } from './locks';
export { CheckpointStore } from './timeTravel';
export { localsOf, evalLocals, valueNode } from './evalBridge';
export type { LocalsProvider, EvalAt } from './evalBridge';
export type { Context } from '../sim/state';
