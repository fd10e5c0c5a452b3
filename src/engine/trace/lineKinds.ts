// What a line reader found on one line.
export const LINE_EVENT = 0;        // an event: header fields and name filled
export const LINE_SKIP = 1;         // blank, comment or file header
export const LINE_FRAME = 2;        // one frame of a stack trace: nameStart..nameEnd is the function
export const LINE_STACK_START = 3;  // `<stack trace>` / `kernel_stack:` entry: header filled, frames follow
export const LINE_BAD = -1;         // malformed: h.error says why

export type LineReader = (s: string, start: number, end: number, h: import('./header').LineHeader) => number;
