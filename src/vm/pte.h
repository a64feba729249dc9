#ifndef VMVIZ_VM_PTE_H
#define VMVIZ_VM_PTE_H
/* A page-table entry: 64 bits laid out as on x86-64 (Intel SDM vol. 3A,
 * ch. 4). Bits 12-51 hold a frame number, or, in a swap entry (Present clear
 * and SWAP set), a swap slot. */
#include <stdbool.h>
#include <stdint.h>

#define PTE_PRESENT  (UINT64_C(1) << 0)
#define PTE_WRITABLE (UINT64_C(1) << 1)
#define PTE_USER     (UINT64_C(1) << 2)
#define PTE_ACCESSED (UINT64_C(1) << 5)
#define PTE_DIRTY    (UINT64_C(1) << 6)
#define PTE_HUGE     (UINT64_C(1) << 7) /* PS: this entry maps a huge page */
#define PTE_GLOBAL   (UINT64_C(1) << 8)
#define PTE_SWAP     (UINT64_C(1) << 9) /* software bit: not present, in swap */
/* Software bit: Present is clear because the area is PROT_NONE, but the
 * page stays where it is (x86 has no "not readable" bit; Linux clears
 * Present and keeps the frame in the entry, _PAGE_PROTNONE). */
#define PTE_PROTNONE (UINT64_C(1) << 10)
/* Software bit: the frame is no RAM of the pool but a device's (a frame
 * buffer, registers), mapped whole at mmap time: there is no page to
 * count, share, evict or free behind it. Linux marks such entries
 * special (pte_mkspecial, in bit 9, which vmviz gives to swap entries). */
#define PTE_SPECIAL  (UINT64_C(1) << 11)
#define PTE_NX       (UINT64_C(1) << 63)
/* What Linux writes in an entry that points to one of a process's tables
 * (_PAGE_TABLE, which pmd_populate, pud_populate and pgd_populate use in
 * arch/x86/include/asm/pgalloc.h): Present, Writable, User, Accessed and
 * Dirty, so that the leaf entry alone decides what an access may do. The
 * CPU ignores Dirty in such an entry, and finds Accessed already set. */
#define PTE_TABLE_FLAGS (PTE_PRESENT | PTE_WRITABLE | PTE_USER | PTE_ACCESSED | PTE_DIRTY)
/* The same for one of the kernel's tables (_KERNPG_TABLE): User clear. */
#define PTE_KERNEL_TABLE_FLAGS (PTE_PRESENT | PTE_WRITABLE | PTE_ACCESSED | PTE_DIRTY)
#define PTE_ADDR_SHIFT 12
#define PTE_ADDR_MASK  (((UINT64_C(1) << 40) - 1) << PTE_ADDR_SHIFT)

static inline bool pte_present(uint64_t e) { return (e & PTE_PRESENT) != 0; }
static inline bool pte_is_swap(uint64_t e) { return !(e & PTE_PRESENT) && (e & PTE_SWAP); }
/* A page kept in its frame behind a PROT_NONE area: every access faults. */
static inline bool pte_protnone(uint64_t e) { return !(e & PTE_PRESENT) && (e & PTE_PROTNONE); }
/* A device's page (present or PROT_NONE): its frame is beyond the pool. */
static inline bool pte_special(uint64_t e)
{
    return (pte_present(e) || pte_protnone(e)) && (e & PTE_SPECIAL);
}
/* True when the entry names a frame of the pool the page is in (present
 * or PROT_NONE; a device's entry names none). */
static inline bool pte_holds_frame(uint64_t e)
{
    return (pte_present(e) || pte_protnone(e)) && !(e & PTE_SPECIAL);
}
static inline uint32_t pte_frame(uint64_t e) { return (uint32_t)((e & PTE_ADDR_MASK) >> PTE_ADDR_SHIFT); }
static inline uint32_t pte_slot(uint64_t e) { return pte_frame(e); }
static inline uint64_t pte_make(uint32_t frame, uint64_t flags)
{
    return ((uint64_t)frame << PTE_ADDR_SHIFT) | flags;
}
static inline uint64_t pte_make_swap(uint32_t slot)
{
    return ((uint64_t)slot << PTE_ADDR_SHIFT) | PTE_SWAP;
}

#endif
