// Splitting an exhaustive search into disjoint parts (--shard I/N, --jobs N).
//
// The top of the search, down to a depth D, is explored the same way by every part, with
// its own store of states, so every part computes the same list of frontier items (the
// children at depth D, in depth-first order, each with its prefix of choices and its sleep
// set). Part I explores the items k with k % N == I - 1, each to the end, with one store
// for all its items. The items' prefixes differ, so no schedule is explored by two parts;
// a part prunes no more than the whole search would (its store holds a subset of what the
// whole search's store would hold at the same point), so together the parts explore every
// state the whole search explores. D grows until there are at least 4 items per part.
import type { CheckedProgram } from '../lang/load';
import { Dfs, WorkItem, DfsOptions } from './exhaustive';
import { StateStore } from './store';
import { Pacer } from './progress';

export interface Frontier { items: WorkItem[]; depth: number; top: Dfs }

export function frontier(program: CheckedProgram, parts: number, o: DfsOptions, pacer: Pacer): Frontier {
  let depth = 1;
  for (;;) {
    const top = new Dfs(program, new StateStore(), { ...o, frontierDepth: depth, stopOnFirst: false }, pacer);
    top.run({ prefix: [], sleep: [] });
    if (top.frontier.length >= 4 * parts || depth >= 64 || top.frontier.length === 0 || pacer.limit) return { items: top.frontier, depth, top };
    // a shallow search that found fewer items than it could: go deeper
    depth *= 2;
  }
}

/** The items of part `index` (1-based) of `count`. */
export function itemsOf(items: WorkItem[], index: number, count: number): WorkItem[] {
  return items.filter((_x, k) => k % count === index - 1);
}
