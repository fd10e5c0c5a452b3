// Splitting an exhaustive search into disjoint parts (--jobs N; --shard I/N: spineFrontier).
//
// --jobs: the top of the search, down to a depth D, is explored the same way by every part, with
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

/**
 * The parts of `--shard I/N`. Every part walks the same spine: from the top, the last
 * choice of every node in the search's order (the lowest CPU; an interrupt only when no
 * CPU can step), one path to the end. The other children of the spine's nodes (an
 * interrupt arriving here, another CPU stepping here) are the items, with the sleep sets
 * the whole search gives them, in the order it explores them. Part I takes the I-th of N
 * contiguous blocks of them; part 1 also owns the spine (its states, schedules, findings).
 *
 * Why not a fixed depth with the items dealt out round-robin (as --jobs, which shares its
 * store, still does): the search stores states, and subtrees that start apart meet again
 * (two CPUs' steps commute, so most orders reach the same states). A part prunes only
 * against its own store, so a part holding items from every region of the tree reached
 * nearly every state: 3 parts cost 3 whole searches. Along the spine, one CPU with an
 * interrupt is a comb (one item per place the interrupt can arrive) and the blocks split
 * it about evenly; neighbouring items reach mostly the same states, so a block costs
 * little more than its first item. With two CPUs that both run long, an item near the top
 * still reaches most states that follow it: without a store shared between the parts (as
 * --jobs has) no split of the schedules partitions the states, so there the parts together
 * cost less than N searches but the largest part stays near the whole.
 */
export function spineFrontier(program: CheckedProgram, o: DfsOptions, pacer: Pacer): Frontier {
  const top = new Dfs(program, new StateStore(), { ...o, spine: true, frontierDepth: undefined, stopOnFirst: false }, pacer);
  top.run({ prefix: [], sleep: [] });
  return { items: top.frontier, depth: top.maxDepth, top };
}

/** The contiguous block of items of part `index` (1-based) of `count`. */
export function blockOf<T>(items: T[], index: number, count: number): T[] {
  return items.slice(Math.floor(((index - 1) * items.length) / count), Math.floor((index * items.length) / count));
}

/** The items of part `index` (1-based) of `count`. */
export function itemsOf(items: WorkItem[], index: number, count: number): WorkItem[] {
  return items.filter((_x, k) => k % count === index - 1);
}
