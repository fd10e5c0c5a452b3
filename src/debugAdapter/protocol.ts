// The custom DAP requests and events of the Lockstep debug adapter, declared once and
// typed, for the extension's commands, the timeline webview and the trace replay.
// (Standard DAP covers everything else.)
//
// A "step" here is a position in the recorded run: the number of scheduler choices
// applied since boot, where running one statement of a CPU and the arrival of an
// interrupt are one choice each. Step 0 is the machine before anything ran.

/** Custom request names, as sent in `customRequest(command, args)`. */
export const TIMELINE_REQUEST = 'lockstep/timeline';
export const GOTO_REQUEST = 'lockstep/goto';
export const DELIVER_INTERRUPT_REQUEST = 'lockstep/deliverInterrupt';
export const SCHEDULE_REQUEST = 'lockstep/schedule';
/** Custom event name: sent on every stop so a timeline follows the debugger. */
export const STEP_EVENT = 'lockstep/step';

// ---- lockstep/schedule ----
/** The session's run as schedule strings (what `lockstep run/export --schedule` replay). */
export interface ScheduleResponseBody {
  /** the scenario file debugged */
  scenario: string;
  /** the choices up to where the debugger stands */
  current: string;
  /** the whole recorded run (longer than `current` after going back) */
  recorded: string;
  step: number;
  steps: number;
  /** the launch replaced the scenario's model or added config lines: the scenario file
   * alone would not replay these schedules the same way */
  overridden: boolean;
}

// ---- lockstep/timeline ----
export interface TimelineArguments {
  /** optional window of steps (default: the whole recorded run) */
  from?: number;
  to?: number;
}

export interface TimelineCpu {
  /** DAP thread id of the CPU (its task thread) */
  id: number;
  name: string;
}

export interface TimelineInterval {
  cpu: number;
  /** 'lock': a lock held; 'irq': an interrupt handler running; 'task': a task block running */
  kind: 'lock' | 'irq' | 'task';
  /** the lock as a kernel developer names it (`zone->lock`, `pcp->lock cpu 1`), the handler or block */
  name: string;
  /** first step of the interval, and the step after its end (still open: the last recorded step) */
  from: number;
  to: number;
}

export interface TimelineFinding {
  step: number;
  cpu: number;
  kind: string;
  message: string;
}

export interface TimelineResponseBody {
  cpus: TimelineCpu[];
  /** length of the recorded run (steps available to `lockstep/goto`) */
  steps: number;
  /** where the debugger stands */
  current: number;
  intervals: TimelineInterval[];
  findings: TimelineFinding[];
}

// ---- lockstep/goto ----
export interface GotoArguments {
  /** a step of the recorded run, 0..steps */
  step: number;
}
/** Answered with an empty body; the debugger then sends `stopped` with reason 'goto'. */
export type GotoResponseBody = Record<string, never>;

// ---- lockstep/deliverInterrupt ----
export interface DeliverInterruptArguments {
  /** CPU number (not thread id) */
  cpu: number;
  /** which `irq cpu N` block of that CPU, in scenario order (default 0) */
  irq?: number;
}
/** Answered with the step reached; a `stopped` event follows (reason 'interrupt'). */
export interface DeliverInterruptResponseBody {
  step: number;
}

// ---- lockstep/step event ----
export interface StepEventBody {
  step: number;
}
