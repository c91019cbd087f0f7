/* ior_pattern.c — the data pattern the ior plugin writes and verifies. */
#include <string.h>

#include "ior.h"

/* XOR masks so that zero-filled or foreign data never looks like a stamp. */
#define MASK_OFFSET 0x9e3779b97f4a7c15ull
#define MASK_ID 0xc2b2ae3d27d4eb4full

/* splitmix64: a tiny, well-mixed generator; the state advances by a constant. */
static uint64_t mix(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void put64(unsigned char *p, uint64_t v) { memcpy(p, &v, sizeof v); }

static uint64_t get64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint64_t id_word(int writer, unsigned rep)
{
    return (((uint64_t)(uint32_t)writer << 32) | (uint64_t)rep) ^ MASK_ID;
}

void ior_pattern_init(unsigned char *buf, size_t len, int writer, unsigned rep)
{
    uint64_t state = 0x5851f42d4c957f2dull * ((uint64_t)(uint32_t)writer + 1);
    size_t i = 0;
    for (; i + 8 <= len; i += 8)
        put64(buf + i, mix(&state));
    for (; i < len; i++) /* lengths are multiples of 8; this is only a guard */
        buf[i] = (unsigned char)mix(&state);
    for (size_t pos = 0; pos + 16 <= len; pos += IOR_STAMP)
        put64(buf + pos + 8, id_word(writer, rep));
}

void ior_pattern_stamp(unsigned char *buf, size_t len, uint64_t off)
{
    for (size_t pos = 0; pos + 8 <= len; pos += IOR_STAMP)
        put64(buf + pos, (off + pos) ^ MASK_OFFSET);
}

int ior_pattern_rep(const unsigned char *buf, size_t len, int writer, unsigned *rep)
{
    if (len < 16)
        return -1;
    uint64_t id = get64(buf + 8) ^ MASK_ID;
    if ((uint32_t)(id >> 32) != (uint32_t)writer)
        return -1;
    *rep = (unsigned)(uint32_t)id;
    return 0;
}

int ior_pattern_is_ours(const unsigned char *buf, size_t len, uint64_t off, int writer)
{
    unsigned rep;
    return len >= 16 && get64(buf) == (off ^ MASK_OFFSET) &&
           ior_pattern_rep(buf, len, writer, &rep) == 0;
}

size_t ior_pattern_compare(const unsigned char *a, const unsigned char *b, size_t len,
                           uint64_t *nbad)
{
    *nbad = 0;
    if (memcmp(a, b, len) == 0) /* the common case: one fast pass */
        return len;
    size_t first = len;
    for (size_t i = 0; i < len; i++)
        if (a[i] != b[i]) {
            if (first == len)
                first = i;
            (*nbad)++;
        }
    return first;
}
