// The finding kinds of semantics.md. The ids are stable: `expect` lines, exception
// breakpoint filters, JSON and SARIF all use them.

export const FINDING_KINDS = {
  'deadlock': 'No context can make progress and some are waiting (a cycle of waits, a spinlock retaken by an interrupt on top of its holder).',
  'spinlock-recursion': 'A context acquires a spinlock it already holds.',
  'mutual-exclusion': 'Two contexts are inside the same lock\'s critical section at once.',
  'inconsistent-lock-state': 'Lockdep: a lock class is taken in hard-IRQ context and also with hard IRQs enabled.',
  'lock-order': 'Lockdep: the lock dependency graph gains a cycle.',
  'sleep-in-atomic': 'A sleeping lock or might-sleep primitive runs with IRQs or preemption disabled, or in hard-IRQ context.',
  'data-race': 'Two unordered accesses to the same shared location from different contexts, one a write.',
  'list-corruption': 'A list operation finds broken links, deletes an unlinked entry or adds an entry twice.',
  'page-accounting': 'A page is in two places or none, handed out twice, or a counter disagrees with its list.',
  'preemptible-percpu': 'smp_processor_id() / this_cpu_ptr() used while preemptible and migratable.',
  'bad-unlock': 'Unlock of a lock not held or held by another context; IRQ flags restored out of order.',
  'context-leak': 'A context ends holding a lock, or with IRQs or preemption still disabled.',
  'assertion': 'BUG_ON, VM_BUG_ON, WARN_ON*, lockdep_assert_* failed.',
} as const;

export type FindingKind = keyof typeof FINDING_KINDS;

export const FINDING_KIND_IDS = Object.keys(FINDING_KINDS) as FindingKind[];

export function isFindingKind(s: string): s is FindingKind {
  return Object.prototype.hasOwnProperty.call(FINDING_KINDS, s);
}
