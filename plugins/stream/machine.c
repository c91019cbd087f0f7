/* machine.c — last-level cache and available memory, from sysfs and procfs. */
#define _GNU_SOURCE
#include "machine.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The first line of a small file into buf; 0 on success. */
static int read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *ok = fgets(buf, (int)len, f);
    fclose(f);
    if (!ok)
        return -1;
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

/* "32768K" / "1M" / "524288" -> bytes; 0 on garbage. */
static uint64_t parse_cache_size(const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s)
        return 0;
    switch (*end) {
    case 'K': return (uint64_t)v << 10;
    case 'M': return (uint64_t)v << 20;
    case 'G': return (uint64_t)v << 30;
    default: return (uint64_t)v;
    }
}

/*
 * Visit every cache of every CPU in sysfs.  For the instances of the
 * highest data-holding level, count each once: at the CPU that is first in
 * its shared_cpu_list.
 */
static uint64_t llc_from_sysfs(int *level_out)
{
    const char *root = "/sys/devices/system/cpu";
    int best_level = 0;
    uint64_t total = 0;
    for (int pass = 0; pass < 2; pass++) { /* 0: find the level, 1: sum it */
        DIR *d = opendir(root);
        if (!d)
            return 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            char *end;
            if (strncmp(e->d_name, "cpu", 3) != 0)
                continue;
            long cpu = strtol(e->d_name + 3, &end, 10);
            if (end == e->d_name + 3 || *end)
                continue;
            for (int idx = 0; idx < 16; idx++) {
                char path[512], buf[256];
                snprintf(path, sizeof path, "%s/%s/cache/index%d/level", root, e->d_name, idx);
                if (read_line(path, buf, sizeof buf))
                    break;
                int level = atoi(buf);
                snprintf(path, sizeof path, "%s/%s/cache/index%d/type", root, e->d_name, idx);
                if (read_line(path, buf, sizeof buf) || strcmp(buf, "Instruction") == 0)
                    continue;
                if (pass == 0) {
                    if (level > best_level)
                        best_level = level;
                    continue;
                }
                if (level != best_level)
                    continue;
                snprintf(path, sizeof path, "%s/%s/cache/index%d/shared_cpu_list", root,
                         e->d_name, idx);
                /* No list: assume one instance per CPU. */
                if (read_line(path, buf, sizeof buf) == 0 && strtol(buf, NULL, 10) != cpu)
                    continue;
                snprintf(path, sizeof path, "%s/%s/cache/index%d/size", root, e->d_name, idx);
                if (read_line(path, buf, sizeof buf) == 0)
                    total += parse_cache_size(buf);
            }
        }
        closedir(d);
        if (best_level == 0)
            return 0;
    }
    *level_out = best_level;
    return total;
}

uint64_t stream_llc_bytes(int *level)
{
    int lv = 0;
    uint64_t b = llc_from_sysfs(&lv);
#ifdef _SC_LEVEL3_CACHE_SIZE
    /* glibc's view of one instance: better than nothing. */
    if (b == 0) {
        long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE), l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
        if (l3 > 0) {
            b = (uint64_t)l3;
            lv = 3;
        } else if (l2 > 0) {
            b = (uint64_t)l2;
            lv = 2;
        }
    }
#endif
    if (level)
        *level = lv;
    return b;
}

/* "MemAvailable:   24336248 kB" -> bytes; 0 if absent. */
static uint64_t meminfo_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return 0;
    char line[256];
    uint64_t kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %" SCNu64 " kB", &kb) == 1)
            break;
    fclose(f);
    return kb * 1024;
}

static uint64_t read_u64(const char *path)
{
    char buf[64];
    if (read_line(path, buf, sizeof buf))
        return 0;
    char *end;
    unsigned long long v = strtoull(buf, &end, 10);
    return end == buf ? 0 : (uint64_t)v; /* "max" (no limit) -> 0 */
}

/* Room left under one cgroup's limit, 0 when it has none or is not there. */
static uint64_t room_under(const char *dir, const char *limit_file, const char *usage_file)
{
    char lim[1100], use[1100];
    snprintf(lim, sizeof lim, "%s/%s", dir, limit_file);
    snprintf(use, sizeof use, "%s/%s", dir, usage_file);
    uint64_t l = read_u64(lim), u = read_u64(use);
    /* v1 says "no limit" with a huge page-rounded number. */
    if (l == 0 || l >= (UINT64_C(1) << 60))
        return 0;
    return l > u ? l - u : 1;
}

/*
 * Room under this process's cgroup memory limit (v2 memory.max or v1
 * memory.limit_in_bytes), 0 when there is no limit or it cannot be read.
 * A containerised process may see its own cgroup as the mount's root, so
 * the root is tried after the path from /proc/self/cgroup.
 */
static uint64_t cgroup_room(void)
{
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (!f)
        return 0;
    char line[1024], v1[512] = "", v2[512] = "";
    while (fgets(line, sizeof line, f)) { /* "4:memory:/path" (v1), "0::/path" (v2) */
        line[strcspn(line, "\n")] = '\0';
        char *ctrl = strchr(line, ':');
        char *path = ctrl ? strchr(ctrl + 1, ':') : NULL;
        if (!path)
            continue;
        *path++ = '\0';
        ctrl++;
        if (strcmp(ctrl, "memory") == 0)
            snprintf(v1, sizeof v1, "%s", path);
        else if (*ctrl == '\0' && strcmp(line, "0") == 0)
            snprintf(v2, sizeof v2, "%s", path);
    }
    fclose(f);

    char dir[600];
    uint64_t r;
    snprintf(dir, sizeof dir, "/sys/fs/cgroup/memory%s", v1);
    if ((r = room_under(dir, "memory.limit_in_bytes", "memory.usage_in_bytes")))
        return r;
    if ((r = room_under("/sys/fs/cgroup/memory", "memory.limit_in_bytes",
                        "memory.usage_in_bytes")))
        return r;
    snprintf(dir, sizeof dir, "/sys/fs/cgroup%s", v2);
    if ((r = room_under(dir, "memory.max", "memory.current")))
        return r;
    return room_under("/sys/fs/cgroup", "memory.max", "memory.current");
}

uint64_t stream_mem_available(const char **source)
{
    const char *src = "MemAvailable";
    uint64_t avail = meminfo_available();
    if (avail == 0) {
        long pages = sysconf(_SC_AVPHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
        if (pages > 0 && psz > 0)
            avail = (uint64_t)pages * (uint64_t)psz;
        src = "free memory";
    }
    uint64_t room = cgroup_room();
    if (room && (avail == 0 || room < avail)) {
        avail = room;
        src = "cgroup memory limit";
    }
    if (source)
        *source = src;
    return avail;
}
