// The messages between the timeline panel (extension host) and its webview, in one place.
import type { TimelineResponseBody } from '../../debugAdapter/protocol';

export type TimelineData = TimelineResponseBody;

/** Extension → webview. */
export type ToView =
  | { type: 'timeline'; session: string; data: TimelineData }
  | { type: 'step'; step: number }
  | { type: 'noSession' }
  | { type: 'error'; message: string };

/** Webview → extension. */
export type FromView =
  | { type: 'ready' }
  | { type: 'goto'; step: number };

export function isFromView(m: unknown): m is FromView {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  if (t === 'ready') return true;
  if (t === 'goto') {
    const step = (m as { step?: unknown }).step;
    return typeof step === 'number' && Number.isInteger(step) && step >= 0;
  }
  return false;
}
