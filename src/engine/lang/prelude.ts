// The kernel types and constants the engine provides to every model, written in
// Kernel C so the checker treats them like the model's own declarations. Field names
// are the kernel's (include/linux/mm_types.h, mmzone.h) so the debugger shows what a
// kernel developer expects; the engine reads these fields to check page accounting
// without trusting the model. Our own text, not the kernel's headers.

export const PRELUDE_FILE = '<kernel>';

export const PRELUDE = `
struct list_head {
	struct list_head *next, *prev;
};

/* On a pcp list a page is linked through pcp_list, in the buddy through buddy_list;
 * both overlay lru, so a page is on at most one list at a time. */
struct page {
	unsigned long flags;
	union {
		struct list_head lru;
		struct list_head buddy_list;
		struct list_head pcp_list;
	};
	unsigned long private;
	unsigned long index;
};

enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_PCPTYPES,
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
	MIGRATE_CMA,
	MIGRATE_ISOLATE,
	MIGRATE_TYPES
};

#define MAX_ORDER 11
#define MAX_PAGE_ORDER 10
#define NR_PAGE_ORDERS 11
#define PAGE_ALLOC_COSTLY_ORDER 3
#define pageblock_order 9
#define HPAGE_PMD_ORDER 9
#define NR_PCP_THP 1
#define NR_PCP_LISTS (MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1 + NR_PCP_THP))
#define NR_LOWORDER_PCP_LISTS (MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1))
#define PAGE_SHIFT 12
#define PAGE_SIZE 4096
#define SZ_1M 0x00100000
#define SZ_1K 0x00000400
#define NULL ((void *)0)
#define INIT_LOCAL_LOCK(lockname) { }
#define __SPIN_LOCK_UNLOCKED(lockname) { }
#define __RAW_SPIN_LOCK_UNLOCKED(lockname) { }
#define CONFIG_DEBUG_VM 1
#define CONFIG_DEBUG_LIST 1

struct free_area {
	struct list_head free_list[MIGRATE_TYPES];
	unsigned long nr_free;
};

struct per_cpu_pages {
	spinlock_t lock;
	int count;
	int high;
	int batch;
	short free_factor;
	short expire;
	struct list_head lists[NR_PCP_LISTS];
};

enum zone_stat_item {
	NR_FREE_PAGES,
	NR_ZONE_INACTIVE_ANON,
	NR_VM_ZONE_STAT_ITEMS
};

enum zone_watermarks {
	WMARK_MIN,
	WMARK_LOW,
	WMARK_HIGH,
	NR_WMARK
};

struct zone {
	const char *name;
	spinlock_t lock;
	struct free_area free_area[MAX_ORDER];
	struct per_cpu_pages __percpu *per_cpu_pageset;
	unsigned long _watermark[NR_WMARK];
	unsigned long managed_pages;
	unsigned long present_pages;
	unsigned long spanned_pages;
	unsigned long zone_start_pfn;
	int pageset_high;
	int pageset_batch;
	long vm_stat[NR_VM_ZONE_STAT_ITEMS];
};

#define min_wmark_pages(z) ((z)->_watermark[WMARK_MIN])
#define low_wmark_pages(z) ((z)->_watermark[WMARK_LOW])
#define high_wmark_pages(z) ((z)->_watermark[WMARK_HIGH])

#define ___GFP_DMA		0x01u
#define ___GFP_HIGHMEM		0x02u
#define ___GFP_DMA32		0x04u
#define ___GFP_MOVABLE		0x08u
#define ___GFP_RECLAIMABLE	0x10u
#define ___GFP_HIGH		0x20u
#define ___GFP_IO		0x40u
#define ___GFP_FS		0x80u
#define ___GFP_ZERO		0x100u
#define ___GFP_ATOMIC		0x200u
#define ___GFP_DIRECT_RECLAIM	0x400u
#define ___GFP_KSWAPD_RECLAIM	0x800u
#define ___GFP_NOWARN		0x2000u
#define ___GFP_COMP		0x10000u
#define ___GFP_HARDWALL		0x100000u

#define __GFP_DMA		((gfp_t)___GFP_DMA)
#define __GFP_HIGHMEM		((gfp_t)___GFP_HIGHMEM)
#define __GFP_DMA32		((gfp_t)___GFP_DMA32)
#define __GFP_MOVABLE		((gfp_t)___GFP_MOVABLE)
#define __GFP_RECLAIMABLE	((gfp_t)___GFP_RECLAIMABLE)
#define __GFP_HIGH		((gfp_t)___GFP_HIGH)
#define __GFP_IO		((gfp_t)___GFP_IO)
#define __GFP_FS		((gfp_t)___GFP_FS)
#define __GFP_ZERO		((gfp_t)___GFP_ZERO)
#define __GFP_ATOMIC		((gfp_t)___GFP_ATOMIC)
#define __GFP_DIRECT_RECLAIM	((gfp_t)___GFP_DIRECT_RECLAIM)
#define __GFP_KSWAPD_RECLAIM	((gfp_t)___GFP_KSWAPD_RECLAIM)
#define __GFP_RECLAIM		((gfp_t)(___GFP_DIRECT_RECLAIM | ___GFP_KSWAPD_RECLAIM))
#define __GFP_NOWARN		((gfp_t)___GFP_NOWARN)
#define __GFP_COMP		((gfp_t)___GFP_COMP)
#define __GFP_HARDWALL		((gfp_t)___GFP_HARDWALL)

#define GFP_ATOMIC	(__GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL	(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_NOWAIT	(__GFP_KSWAPD_RECLAIM)
#define GFP_NOIO	(__GFP_RECLAIM)
#define GFP_USER	(__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_HIGHUSER_MOVABLE	(GFP_USER | __GFP_HIGHMEM | __GFP_MOVABLE)
#define GFP_MOVABLE_MASK	(__GFP_RECLAIMABLE | __GFP_MOVABLE)
#define GFP_MOVABLE_SHIFT	3
#define gfpflags_allow_blocking(gfp) (!!((gfp) & __GFP_DIRECT_RECLAIM))
`;
