#ifndef VMVIZ_VM_SENTINEL_H
#define VMVIZ_VM_SENTINEL_H
/* The numbers that stand for "there is none" in the engine, one spelling
 * each, so that a reader never has to guess what a UINT32_MAX means. They
 * all have the value an event gives an absent field (EV_NONE, event.h), so
 * a number passes from the machine into an event unchanged.
 *
 * FRAMES_REFUSED is something else: not "none" but "the host refused the
 * memory needed to record the frame or slot taken". No run ever simulates
 * it: the machine stops (see machine_host_error). No frame number or slot
 * reaches either value (machine_config_validate sees to it). */
#include <stdint.h>

#define VM_NO_FRAME  UINT32_MAX  /* no frame: none free, no victim, not cached, no zero page yet */
#define VM_NO_SLOT   UINT32_MAX  /* no swap slot: swap full, or the page is not in swap */
#define VM_NO_OBJECT UINT32_MAX  /* no file or shared-memory object behind the page or area */
#define VM_NO_PID    UINT32_MAX  /* no process (a shared page has no single owner) */
/* Not "none": the owner of the kernel's own tables and frames, as pid 0
 * (the idle task, whose memory is init_mm) is in Linux. No process has it. */
#define VM_KERNEL_PID 0

/* What frames_take, frames_take_run and swap_take return when the host
 * refused the memory to record what they took. */
#define FRAMES_REFUSED (UINT32_MAX - 1)

#endif
