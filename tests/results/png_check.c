/*
 * png_check.c — is a screenshot blank?  Decodes an 8-bit RGB/RGBA PNG (what
 * Chromium writes) and prints its size, the number of distinct colours, the
 * share of pixels that are not white, and how many pixels have the orange
 * or green of the charts' second and third series (#E69F00, #009E73: no
 * text or table of the report uses them):
 *
 *   png_check FILE   ->  "1200 2000 colors=412 nonwhite=0.0731 chart=5120"
 *
 * Exit 0, or 2 when the file is not such a PNG.  Only zlib is needed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: png_check FILE.png\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)size);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "png_check: cannot read %s\n", argv[1]);
        return 2;
    }
    fclose(f);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (size < 33 || memcmp(buf, sig, 8) != 0) {
        fprintf(stderr, "png_check: %s is not a PNG\n", argv[1]);
        return 2;
    }
    uint32_t w = 0, h = 0;
    int depth = 0, ctype = 0, interlace = 0;
    unsigned char *idat = NULL;
    size_t nidat = 0;
    for (long pos = 8; pos + 12 <= size;) {
        uint32_t len = be32(buf + pos);
        const unsigned char *type = buf + pos + 4, *data = buf + pos + 8;
        if (pos + 12 + (long)len > size)
            break;
        if (memcmp(type, "IHDR", 4) == 0) {
            w = be32(data);
            h = be32(data + 4);
            depth = data[8];
            ctype = data[9];
            interlace = data[12];
        } else if (memcmp(type, "IDAT", 4) == 0) {
            idat = realloc(idat, nidat + len);
            memcpy(idat + nidat, data, len);
            nidat += len;
        }
        pos += 12 + (long)len;
    }
    int bpp = ctype == 6 ? 4 : ctype == 2 ? 3 : 0;
    if (!w || !h || depth != 8 || !bpp || interlace || !idat || w > 20000 || h > 50000) {
        fprintf(stderr, "png_check: unsupported PNG (%ux%u depth %d type %d)\n", w, h, depth,
                ctype);
        return 2;
    }
    size_t stride = (size_t)w * (size_t)bpp;
    uLongf rawlen = (uLongf)((stride + 1) * h);
    unsigned char *raw = malloc(rawlen);
    if (!raw || uncompress(raw, &rawlen, idat, (uLong)nidat) != Z_OK ||
        rawlen != (stride + 1) * h) {
        fprintf(stderr, "png_check: cannot inflate the image data\n");
        return 2;
    }
    /* undo the filters in place */
    for (uint32_t y = 0; y < h; y++) {
        unsigned char *row = raw + y * (stride + 1), *cur = row + 1;
        unsigned char *prev = y ? raw + (y - 1) * (stride + 1) + 1 : NULL;
        for (size_t x = 0; x < stride; x++) {
            int a = x >= (size_t)bpp ? cur[x - bpp] : 0, b = prev ? prev[x] : 0;
            int c = prev && x >= (size_t)bpp ? prev[x - bpp] : 0;
            switch (row[0]) {
            case 1: cur[x] = (unsigned char)(cur[x] + a); break;
            case 2: cur[x] = (unsigned char)(cur[x] + b); break;
            case 3: cur[x] = (unsigned char)(cur[x] + (a + b) / 2); break;
            case 4: cur[x] = (unsigned char)(cur[x] + paeth(a, b, c)); break;
            default: break;
            }
        }
    }
    /* distinct colours: a bitmap of the 2^24 RGB values */
    unsigned char *seen = calloc(1u << 21, 1);
    size_t colors = 0, nonwhite = 0, chart = 0;
    for (uint32_t y = 0; y < h; y++) {
        const unsigned char *px = raw + y * (stride + 1) + 1;
        for (uint32_t x = 0; x < w; x++, px += bpp) {
            uint32_t rgb = (uint32_t)px[0] << 16 | (uint32_t)px[1] << 8 | px[2];
            if (!(seen[rgb >> 3] & (1u << (rgb & 7)))) {
                seen[rgb >> 3] |= (unsigned char)(1u << (rgb & 7));
                colors++;
            }
            nonwhite += rgb != 0xFFFFFF;
            chart += (abs(px[0] - 0xE6) < 24 && abs(px[1] - 0x9F) < 24 && px[2] < 24) ||
                     (px[0] < 24 && abs(px[1] - 0x9E) < 24 && abs(px[2] - 0x73) < 24);
        }
    }
    printf("%u %u colors=%zu nonwhite=%.4f chart=%zu\n", w, h, colors,
           (double)nonwhite / ((double)w * h), chart);
    free(seen);
    free(raw);
    free(idat);
    free(buf);
    return 0;
}
