/*
 * proto.h — the iperf plugin's control protocol: framing, building and
 * strict parsing of messages.  README.md ("Control protocol") is the
 * specification; this file is its implementation.
 *
 * A frame is a 4-byte big-endian body length N (1 <= N <= BXI_MAX_FRAME)
 * followed by N bytes of printable ASCII text:
 *
 *     TYPE\n
 *     key=value\n
 *     ...
 *
 * Nothing here allocates: a message lives in a fixed-size bxi_msg, and the
 * reader never buffers more than one frame, whatever a peer announces.
 */
#ifndef BXI_PROTO_H
#define BXI_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define BXI_PROTO_VERSION 1
#define BXI_MAX_FRAME 4096   /* largest body accepted or sent */
#define BXI_MAX_FIELDS 32    /* key=value lines per message */
#define BXI_MAX_KEY 31
#define BXI_MAX_VALUE 1023
#define BXI_MAX_TYPE 15
#define BXI_COOKIE_LEN 32    /* hex characters (16 random bytes) */

/* A parsed message.  type/key/val point into buf (owned by the struct). */
typedef struct bxi_msg {
    char buf[BXI_MAX_FRAME + 1];
    const char *type;
    int nfields;
    const char *key[BXI_MAX_FIELDS];
    const char *val[BXI_MAX_FIELDS];
} bxi_msg;

/* A message being built: the 4-byte header is filled by bxi_msgw_frame(). */
typedef struct bxi_msgw {
    char buf[4 + BXI_MAX_FRAME];
    size_t len;   /* bytes of body so far */
    int overflow; /* a field did not fit: the message must not be sent */
} bxi_msgw;

void bxi_msgw_begin(bxi_msgw *w, const char *type);
void bxi_msgw_u64(bxi_msgw *w, const char *key, uint64_t v);
void bxi_msgw_dbl(bxi_msgw *w, const char *key, double v);
/* Non-printable characters of s are replaced by '?'; s is cut at BXI_MAX_VALUE. */
void bxi_msgw_str(bxi_msgw *w, const char *key, const char *s);
/* Fills the header; returns the frame and its total length (0 on overflow). */
const char *bxi_msgw_frame(bxi_msgw *w, size_t *len);

/*
 * Parse a body of len bytes (not NUL-terminated).  0, or -1 with a reason
 * in err ("line 3 is not key=value").  Checks: printable ASCII only, a type
 * of 1..15 capital letters, keys [a-z0-9_]{1,31}, values of at most
 * BXI_MAX_VALUE characters, at most BXI_MAX_FIELDS fields, no duplicate keys.
 */
int bxi_msg_parse(bxi_msg *m, const void *body, size_t len, char *err, size_t errlen);

int bxi_msg_is(const bxi_msg *m, const char *type);
/* Every key of m must be in the NULL-terminated list `allowed`. */
int bxi_msg_only(const bxi_msg *m, const char *const *allowed, char *err, size_t errlen);
const char *bxi_msg_get(const bxi_msg *m, const char *key); /* NULL if absent */
/*
 * Required numeric fields: decimal digits only (no sign, no exponent,
 * no leading/trailing text) within [min, max]; doubles are finite decimals
 * within [min, max].  -1 and a message naming the field otherwise.
 */
int bxi_msg_u64(const bxi_msg *m, const char *key, uint64_t min, uint64_t max, uint64_t *out,
                char *err, size_t errlen);
int bxi_msg_dbl(const bxi_msg *m, const char *key, double min, double max, double *out, char *err,
                size_t errlen);

/*
 * Incremental reader of one frame from a non-blocking socket.  It reads
 * exactly the bytes of the current frame (never the next one), so a
 * connection can be handed over to another use right after a frame.
 */
typedef struct bxi_reader {
    unsigned char hdr[4];
    size_t have;  /* bytes of header+body read so far */
    uint32_t len; /* body length, valid once have >= 4 */
    char body[BXI_MAX_FRAME];
} bxi_reader;

enum {
    BXI_RD_MORE = 0,    /* nothing complete yet (EAGAIN) */
    BXI_RD_FRAME = 1,   /* a frame is complete: parse it, then bxi_reader_reset() */
    BXI_RD_EOF = -1,    /* the peer closed the connection */
    BXI_RD_ERROR = -2,  /* read error (errno kept in *sys_errno) */
    BXI_RD_TOOBIG = -3, /* announced length 0 or > BXI_MAX_FRAME */
};

void bxi_reader_reset(bxi_reader *r);
/* Read what is available.  One of BXI_RD_*. */
int bxi_reader_feed(bxi_reader *r, int fd, int *sys_errno);
/* Parse the complete frame into m (0, or -1 with err). */
int bxi_reader_msg(bxi_reader *r, bxi_msg *m, char *err, size_t errlen);

/* Text for a BXI_RD_* result ("the peer closed the connection"). */
const char *bxi_rd_what(int rd, int sys_errno, char *buf, size_t len);

#endif
