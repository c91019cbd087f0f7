/*
 * fuzz_iperf_proto.c — the iperf plugin's control protocol
 * (plugins/iperf/proto.c, compiled in as it is), what a peer on the
 * network controls:
 *   - the input as a message body: bxi_msg_parse(), then the getters on
 *     every field; an accepted message rebuilt with bxi_msgw_*() parses
 *     again to the same fields;
 *   - the input as a byte stream on a socket: bxi_reader_feed() reads
 *     frames from it (length prefix, caps) and parses each.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "proto.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static bxi_msg g_m, g_m2; /* large: not on the stack */

static void as_body(const uint8_t *data, size_t size)
{
    char err[256];
    if (bxi_msg_parse(&g_m, data, size, err, sizeof err) != 0)
        return;
    FUZZ_CHECK(g_m.type && g_m.nfields >= 0 && g_m.nfields <= BXI_MAX_FIELDS,
               "a parsed message out of its limits");
    bxi_msgw w;
    bxi_msgw_begin(&w, g_m.type);
    for (int i = 0; i < g_m.nfields; i++) {
        FUZZ_CHECK(bxi_msg_get(&g_m, g_m.key[i]) == g_m.val[i], "bxi_msg_get misses a field");
        uint64_t u;
        double d;
        (void)bxi_msg_u64(&g_m, g_m.key[i], 0, UINT64_MAX, &u, err, sizeof err);
        (void)bxi_msg_dbl(&g_m, g_m.key[i], -1e308, 1e308, &d, err, sizeof err);
        bxi_msgw_str(&w, g_m.key[i], g_m.val[i]);
    }
    static const char *const none[] = {NULL};
    (void)bxi_msg_only(&g_m, none, err, sizeof err);
    (void)bxi_msg_is(&g_m, "HELLO");
    size_t len;
    const char *frame = bxi_msgw_frame(&w, &len);
    if (!frame)
        return; /* too large to send: refused by the writer, fine */
    FUZZ_CHECK(bxi_msg_parse(&g_m2, frame + 4, len - 4, err, sizeof err) == 0,
               "a rebuilt message does not parse");
    FUZZ_CHECK(g_m2.nfields == g_m.nfields && strcmp(g_m2.type, g_m.type) == 0,
               "a rebuilt message differs");
    for (int i = 0; i < g_m.nfields; i++)
        FUZZ_CHECK(strcmp(g_m2.key[i], g_m.key[i]) == 0 && strcmp(g_m2.val[i], g_m.val[i]) == 0,
                   "a rebuilt message has other fields");
}

static void as_stream(const uint8_t *data, size_t size)
{
    int sv[2];
    if (size > 65536 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return;
    int bufsz = 1 << 18;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof bufsz);
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(sv[0], data + off, size - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(sv[0]);
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    static bxi_reader r;
    bxi_reader_reset(&r);
    /* The writing end is closed: every feed ends in a frame, EOF or an error. */
    for (int frames = 0; frames < 64; frames++) {
        int sys_errno = 0;
        int rd = bxi_reader_feed(&r, sv[1], &sys_errno);
        char buf[128], err[256];
        (void)bxi_rd_what(rd, sys_errno, buf, sizeof buf);
        if (rd != BXI_RD_FRAME)
            break;
        FUZZ_CHECK(r.len >= 1 && r.len <= BXI_MAX_FRAME, "a frame outside the length cap");
        (void)bxi_reader_msg(&r, &g_m, err, sizeof err);
        bxi_reader_reset(&r);
    }
    close(sv[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_body(data, size);
    as_stream(data, size);
    return 0;
}
