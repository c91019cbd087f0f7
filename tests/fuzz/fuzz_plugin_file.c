/*
 * fuzz_plugin_file.c — the check a plugin file passes before dlopen()
 * (safefile_plugin_ok, core/common/safefile.c): ELF header, program and
 * section headers inside the file.  Whatever the bytes, an answer without a
 * crash; an accepted file is a 64-bit ELF shared object at least one header
 * long, and a refused one has a reason.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <elf.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "safefile.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    char path[64];
    int fd = fuzz_memfd(data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    char err[1024] = "";
    int rc = safefile_plugin_ok(path, err, sizeof err);
    if (rc == 0) {
        FUZZ_CHECK(size >= sizeof(Elf64_Ehdr) && memcmp(data, ELFMAG, SELFMAG) == 0,
                   "a file that is not ELF was accepted");
        FUZZ_CHECK(((const Elf64_Ehdr *)(const void *)data)->e_type == ET_DYN,
                   "an ELF file that is not a shared object was accepted");
    } else {
        FUZZ_CHECK(err[0] != '\0', "a plugin file refused without a reason");
    }
    close(fd);
    return 0;
}
