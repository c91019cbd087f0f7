/*
 * machine.h — what the STREAM plugin needs to know about the machine:
 * the size of the last-level cache (for the array-size rule and the default
 * array_size) and the memory available (to refuse arrays that do not fit).
 * Linux sysfs/procfs, with fallbacks; no library dependency.
 */
#ifndef BENCHAAS_STREAM_MACHINE_H
#define BENCHAAS_STREAM_MACHINE_H

#include <stdint.h>

/*
 * Bytes of last-level cache in the whole machine: the highest cache level
 * that holds data, every distinct instance summed (two sockets with 32 MiB
 * of L3 each: 64 MiB).  *level gets that level (3 for an L3).  0 when it
 * cannot be found out.
 */
uint64_t stream_llc_bytes(int *level);

/*
 * Bytes of memory this process can still allocate without swapping: the
 * smaller of MemAvailable (/proc/meminfo) and the room left under a cgroup
 * memory limit.  *source names where the figure came from ("MemAvailable",
 * "cgroup limit"), static text.  0 when unknown.
 */
uint64_t stream_mem_available(const char **source);

#endif /* BENCHAAS_STREAM_MACHINE_H */
