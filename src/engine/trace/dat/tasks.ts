// Task names by pid from the saved cmdlines a trace.dat stores (`PID COMM` lines, what
// /sys/kernel/tracing/saved_cmdlines held when the trace was extracted). Like trace-cmd
// report and the kernel's own text: pid 0 is <idle>, a pid not saved is <...>.
export class Tasks {
  private readonly byPid = new Map<number, string>();
  constructor(text: string) {
    for (const line of text.split('\n')) {
      const m = /^\s*(\d+)\s+(.*?)\s*$/.exec(line);
      if (m) this.byPid.set(Number(m[1]), m[2]);
    }
  }
  name(pid: number): string {
    if (pid === 0) return '<idle>';
    return this.byPid.get(pid) ?? '<...>';
  }
}
