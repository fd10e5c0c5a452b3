// The progress notification while a big kernel trace opens (reading it, then rebuilding the
// per-CPU lists): shown from the first report on, so a trace that opens in a blink shows none.
import { ProgressEndEvent, ProgressStartEvent, ProgressUpdateEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { ProgressFn } from '../engine';

export class OpenProgress {
  private started = false;
  private readonly id: string;
  constructor(private readonly send: (e: DebugProtocol.Event) => void, private readonly file: string) {
    this.id = `lockstep-open-${Date.now()}`;
  }

  /** A phase named `what`, taking the share [from, to) of the whole. */
  phase(what: string, from: number, to: number): ProgressFn {
    return (done, total) => {
      const percentage = Math.round(100 * (from + (to - from) * (total ? done / total : 0)));
      if (!this.started) {
        this.started = true;
        const start = new ProgressStartEvent(this.id, 'Lockstep: opening the kernel trace', this.file) as DebugProtocol.ProgressStartEvent;
        start.body.percentage = percentage;
        this.send(start);
      }
      const update = new ProgressUpdateEvent(this.id, what) as DebugProtocol.ProgressUpdateEvent;
      update.body.percentage = percentage;
      this.send(update);
    };
  }

  end(): void {
    if (this.started) this.send(new ProgressEndEvent(this.id));
    this.started = false;
  }
}
