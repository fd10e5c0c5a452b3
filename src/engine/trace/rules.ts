// The modelled kernel's rules that decide which page events move a pcp count: Linux 6.1 as
// Debian ships it (models/v6.1.kc's header: 6.2's IRQs-on pcp locking and chunked drains
// backported; the counting below is the same in both).

/** PAGE_ALLOC_COSTLY_ORDER: orders up to this one are kept on the pcp lists. */
export const PCP_COSTLY_ORDER = 3;
/** pageblock_order on x86-64 with THP: 6.1's pcp_allowed_order() also lets it through
 * (so hugetlb's order-9 pages pass through the pcp lists). */
export const PAGEBLOCK_ORDER = 9;
/** MIGRATE_PCPTYPES: unmovable, movable, reclaimable have pcp lists. */
export const MIGRATE_PCPTYPES = 3;
export const NR_LOWORDER_PCP_LISTS = MIGRATE_PCPTYPES * (PCP_COSTLY_ORDER + 1);
export const MIGRATETYPE_NAMES = ['Unmovable', 'Movable', 'Reclaimable', 'HighAtomic', 'CMA', 'Isolate'];

/** pcp_allowed_order(): which orders free_unref_page() and rmqueue() send through the pcp. */
export function pcpAllowedOrder(order: number): boolean {
  return order >= 0 && (order <= PCP_COSTLY_ORDER || order === PAGEBLOCK_ORDER);
}

/** order_to_pindex(): the list a page of this order and migratetype sits on; -1 when the
 * migratetype is not known (frees do not log it). */
export function orderToPindex(order: number, mt: number): number {
  if (order > PCP_COSTLY_ORDER) return NR_LOWORDER_PCP_LISTS;
  if (mt < 0 || mt >= MIGRATE_PCPTYPES) return -1;
  return mt + MIGRATE_PCPTYPES * order;
}
