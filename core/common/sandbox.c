/* sandbox.c — run-as user, no_new_privs and Landlock (see sandbox.h). */
#define _GNU_SOURCE
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "netguard.h"
#include "spec.h"

/* The Landlock ABI as the kernel's uapi describes it; written out here so
 * that a build on older headers knows the rights of newer kernels. */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif
#define LL_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_EXECUTE (1ULL << 0)
#define LL_WRITE_FILE (1ULL << 1)
#define LL_READ_FILE (1ULL << 2)
#define LL_READ_DIR (1ULL << 3)
#define LL_MAKE_SYM (1ULL << 12)
#define LL_TRUNCATE (1ULL << 14)   /* ABI 3 */
#define LL_IOCTL_DEV (1ULL << 15)  /* ABI 5 */
#define LL_SCOPE_SIGNAL (1ULL << 1) /* ABI 6 */

struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net; /* ABI 4 */
    uint64_t scoped;             /* ABI 6 */
};

struct ll_path_beneath {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

int sandbox_landlock_abi(void)
{
    long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_VERSION);
    return v > 0 ? (int)v : 0;
}

void sandbox_free(sandbox *sb)
{
    strvec_free(&sb->read);
    strvec_free(&sb->write);
    strvec_free(&sb->hosts);
    memset(sb, 0, sizeof *sb);
}

void sandbox_add_system(sandbox *sb)
{
    static const char *const sys[] = {"/usr",  "/lib",   "/lib64", "/lib32", "/bin", "/sbin",
                                      "/opt",  "/proc",  "/sys",   "/dev/urandom",
                                      "/dev/random", "/dev/zero", "/dev/shm", "/etc/ld.so.cache",
                                      "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
                                      "/etc/os-release", "/etc/hostname", "/etc/passwd",
                                      "/etc/group", "/etc/nsswitch.conf", "/etc/hosts",
                                      "/etc/resolv.conf", "/etc/gai.conf", "/etc/openmpi",
                                      NULL};
    for (const char *const *p = sys; *p; p++)
        strvec_push(&sb->read, *p);
    strvec_push(&sb->write, "/dev/null");
}

cJSON *sandbox_to_json(const sandbox *sb)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "drop", sb->drop);
    cJSON_AddNumberToObject(o, "uid", sb->uid);
    cJSON_AddNumberToObject(o, "gid", sb->gid);
    json_add_strvec(o, "read", &sb->read);
    json_add_strvec(o, "write", &sb->write);
    if (sb->net)
        json_add_strvec(o, "hosts", &sb->hosts);
    if (sb->quota > 0)
        cJSON_AddNumberToObject(o, "quota", sb->quota);
    return o;
}

static int get_paths(const cJSON *j, const char *key, strvec *out, char *err, size_t errlen)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, key), *it;
    if (!cJSON_IsArray(a))
        return errf(err, errlen, BX_EINVAL, "sandbox: '%s' is not a list", key);
    cJSON_ArrayForEach(it, a)
    {
        if (!cJSON_IsString(it) || it->valuestring[0] != '/')
            return errf(err, errlen, BX_EINVAL, "sandbox: '%s' holds a path that is not absolute",
                        key);
        strvec_push(out, it->valuestring);
    }
    return 0;
}

int sandbox_from_json(const cJSON *j, sandbox *sb, char *err, size_t errlen)
{
    memset(sb, 0, sizeof *sb);
    double uid, gid;
    if (!cJSON_IsObject(j) || json_num(j, "uid", &uid) != 0 || json_num(j, "gid", &gid) != 0 ||
        uid < 0 || gid < 0 || uid > 4294967294.0 || gid > 4294967294.0)
        return errf(err, errlen, BX_EINVAL, "sandbox: needs a uid and a gid");
    sb->uid = (unsigned)uid;
    sb->gid = (unsigned)gid;
    sb->drop = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "drop"));
    double quota;
    if (json_num(j, "quota", &quota) == 0 && quota > 0)
        sb->quota = quota;
    if (get_paths(j, "read", &sb->read, err, errlen) || get_paths(j, "write", &sb->write, err, errlen)) {
        sandbox_free(sb);
        return BX_EINVAL;
    }
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(j, "hosts"), *it;
    sb->net = h != NULL;
    if (h && !cJSON_IsArray(h)) {
        sandbox_free(sb);
        return errf(err, errlen, BX_EINVAL, "sandbox: 'hosts' is not a list");
    }
    cJSON_ArrayForEach(it, h)
    {
        if (!cJSON_IsString(it) || netguard_check_cidr(it->valuestring, err, errlen) != 0) {
            if (!cJSON_IsString(it))
                errf(err, errlen, BX_EINVAL, "sandbox: 'hosts' holds a value that is not text");
            sandbox_free(sb);
            return BX_EINVAL;
        }
        strvec_push(&sb->hosts, it->valuestring);
    }
    return 0;
}

static int become(const sandbox *sb, char *err, size_t errlen)
{
    if (!sb->drop)
        return 0;
    int death = 0;
    prctl(PR_GET_PDEATHSIG, &death);
    gid_t g = (gid_t)sb->gid;
    if (setgroups(1, &g) != 0 || setresgid(g, g, g) != 0 || setresuid(sb->uid, sb->uid, sb->uid) != 0)
        return errf(err, errlen, BX_EIO, "cannot become uid %u gid %u: %s", sb->uid, sb->gid,
                    strerror(errno));
    if (getuid() != (uid_t)sb->uid || geteuid() != (uid_t)sb->uid)
        return errf(err, errlen, BX_EIO, "still uid %u after changing to %u", (unsigned)geteuid(),
                    sb->uid);
    /* a change of user clears the parent-death signal: nothing may outlive the server */
    if (death)
        prctl(PR_SET_PDEATHSIG, death);
    return 0;
}

/* One rule: `access` beneath path (a file gets the file rights of it only). */
static int add_rule(int rs, const char *path, uint64_t access, uint64_t file_rights, char *err,
                    size_t errlen)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return 0; /* what does not exist cannot be reached either */
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
        access &= file_rights;
    struct ll_path_beneath pb = {.allowed_access = access, .parent_fd = fd};
    int rc = 0;
    if (syscall(SYS_landlock_add_rule, rs, LL_RULE_PATH_BENEATH, &pb, 0) != 0)
        rc = errf(err, errlen, BX_EIO, "Landlock refused a rule for %s: %s", path,
                  strerror(errno));
    close(fd);
    return rc;
}

/* The ruleset of sb (a descriptor), or -1 with err. */
static int ruleset(const sandbox *sb, int abi, char *err, size_t errlen)
{
    /* every file-system right the kernel knows of: ABI 1 has bits 0..12 */
    uint64_t all = (1ULL << 13) - 1;
    if (abi >= 2)
        all |= 1ULL << 13; /* REFER */
    if (abi >= 3)
        all |= LL_TRUNCATE;
    if (abi >= 5)
        all |= LL_IOCTL_DEV;
    uint64_t files = LL_EXECUTE | LL_WRITE_FILE | LL_READ_FILE | (all & (LL_TRUNCATE | LL_IOCTL_DEV));
    uint64_t rd = LL_EXECUTE | LL_READ_FILE | LL_READ_DIR;
    struct ll_ruleset_attr attr = {.handled_access_fs = all};
    size_t size = sizeof attr.handled_access_fs;
    if (abi >= 6) {
        attr.scoped = LL_SCOPE_SIGNAL; /* no signal to a process outside (the server) */
        size = sizeof attr;
    }
    int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
    if (rs < 0) {
        errf(err, errlen, BX_EIO, "Landlock: cannot create a ruleset: %s", strerror(errno));
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sb->read.n; i++)
        rc = add_rule(rs, sb->read.v[i], rd, LL_EXECUTE | LL_READ_FILE, err, errlen);
    /* no symbolic links: the server reads what a run leaves in its folder */
    for (size_t i = 0; rc == 0 && i < sb->write.n; i++)
        rc = add_rule(rs, sb->write.v[i], all & ~LL_MAKE_SYM, files, err, errlen);
    if (rc) {
        close(rs);
        return -1;
    }
    return rs;
}

static int landlock(const sandbox *sb, int abi, char *err, size_t errlen)
{
    int rs = ruleset(sb, abi, err, errlen), rc = 0;
    if (rs < 0)
        return BX_EIO;
    if (syscall(SYS_landlock_restrict_self, rs, 0) != 0)
        rc = errf(err, errlen, BX_EIO, "Landlock: cannot restrict the process: %s",
                  strerror(errno));
    close(rs);
    return rc;
}

int sandbox_prepare(const sandbox *sb, sandbox_ready *r, char *err, size_t errlen)
{
    r->drop = sb->drop;
    r->uid = sb->uid;
    r->gid = sb->gid;
    r->ruleset = -1;
    int abi = sandbox_landlock_abi();
    if (abi > 0 && (r->ruleset = ruleset(sb, abi, err, errlen)) < 0)
        return BX_EIO;
    return 0;
}

int sandbox_enter(const sandbox_ready *r)
{
    if (r->drop) {
        int death = 0;
        prctl(PR_GET_PDEATHSIG, &death);
        gid_t g = (gid_t)r->gid;
        /* raw calls: glibc's wrappers would signal threads this child does not have */
        if (syscall(SYS_setgroups, 1, &g) != 0 || syscall(SYS_setresgid, g, g, g) != 0 ||
            syscall(SYS_setresuid, r->uid, r->uid, r->uid) != 0)
            return -errno;
        /* a change of user clears the parent-death signal: set it again */
        if (death && prctl(PR_SET_PDEATHSIG, death) != 0)
            return -errno;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return -errno;
    if (r->ruleset >= 0 && syscall(SYS_landlock_restrict_self, r->ruleset, 0) != 0)
        return -errno;
    return 0;
}

void sandbox_ready_close(sandbox_ready *r)
{
    if (r->ruleset >= 0)
        close(r->ruleset);
    r->ruleset = -1;
}

int sandbox_apply(const sandbox *sb, char *note, size_t notelen, char *err, size_t errlen)
{
    note[0] = '\0';
    int rc = become(sb, err, errlen);
    if (rc)
        return rc;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return errf(err, errlen, BX_EIO, "cannot set no_new_privs: %s", strerror(errno));
    int abi = sandbox_landlock_abi();
    if (abi <= 0)
        snprintf(note, notelen,
                 "Landlock is not available on this kernel: the run is not confined to its "
                 "folders (only the user changed)");
    else if ((rc = landlock(sb, abi, err, errlen)) != 0)
        return rc;
    if (sb->net && !netguard_supported()) {
        if (!note[0])
            snprintf(note, notelen, "this kernel cannot limit the run's connections (Linux 5.9 "
                                    "or later needed): hosts were checked at submission only");
        return 0;
    }
    return sb->net ? netguard_start(&sb->hosts, err, errlen) : 0;
}
