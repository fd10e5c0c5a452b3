// Findings of a search, one per kind and location (as `check` reports them), each with the
// schedule of the run that found it first (shorter ones replace it: a shorter schedule is
// easier to read and to shrink).
import type { Finding } from '../sim/state';

export function findingKey(f: Finding): string {
  return `${f.kind}@${f.location.file}:${f.location.line}:${f.location.column}`;
}

export class FindingSet {
  private readonly map = new Map<string, Finding>();

  /** true when the finding is new (not a shorter run of a known one) */
  add(f: Finding): boolean {
    const k = findingKey(f);
    const old = this.map.get(k);
    if (old && old.step <= f.step) return false;
    this.map.set(k, { ...f, stacks: f.stacks.map(s => ({ ...s, frames: s.frames.slice() })) });
    return !old;
  }

  get size(): number { return this.map.size; }
  list(): Finding[] { return [...this.map.values()]; }
}
