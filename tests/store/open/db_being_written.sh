# A --db that another program is still creating in place (a file of zeros, changed a
# moment ago: SQLite extends a new file with zeros before it writes its pages, and an
# older BenchaaS made its databases that way) is waited for, not refused as foreign:
# once its header is written the run goes into it.  A file of zeros that has not
# changed for a while is not being created: refused at once, exit 2, untouched.  One
# that keeps only zeros is refused once they are 5 s old, one that something keeps
# touching after 10 s of waiting: exit 2, untouched.
#
# Fails when classify_file (core/store/open.c) takes every file of zeros for a foreign
# one (being_written() returning 0: the first run exits 2, "not an SQLite file"), or
# waits for old files of zeros too (the second takes 5 s), or classify_settled waits
# without its 10 s bound (the fourth never ends: the ctest times out).
. "$TEST_LIB" || exit 1
expect_rc 0 bx run trivial --tag ref --db ref.db
# 1. zeros, the header and pages written 0.5 s later (the file is not truncated)
head -c 8192 /dev/zero >z.db
( sleep 0.5; dd if=ref.db of=z.db conv=notrunc status=none ) &
writer=$!
expect_rc 0 bx run trivial --tag mine --db z.db
wait $writer
eq "$(sql z.db "SELECT group_concat(tag, ' ') FROM (SELECT tag FROM tags ORDER BY tag)")" "mine ref" "tags"
# refused NAME MS TEXT: `run` on NAME.db exits 2 within MS milliseconds, saying TEXT, and
# NAME.db is byte for byte NAME.orig
refused() {
    local t0 t1
    t0=$(date +%s%N)
    expect_rc 2 bx run trivial --db "$1.db"
    t1=$(date +%s%N)
    expect_err "$3"
    [ $(((t1 - t0) / 1000000)) -lt "$2" ] || fail "waited $(((t1 - t0) / 1000000)) ms for $1.db"
    cmp -s "$1.db" "$1.orig" || fail "run changed $1.db"
}
# 2. zeros last changed a minute ago: foreign, at once
head -c 8192 /dev/zero >old.db
touch -d '1 minute ago' old.db
cp -p old.db old.orig
refused old 3000 "not an SQLite file"
# 3. zeros that stay zeros: refused after the wait (about 5 s), untouched
head -c 4096 /dev/zero >stuck.db
cp stuck.db stuck.orig
refused stuck 15000 "not an SQLite file"
# 4. zeros that something keeps touching: refused after the 10 s bound, untouched
head -c 4096 /dev/zero >touched.db
cp touched.db touched.orig
( i=0; while [ ! -e stop ] && [ $i -lt 60 ]; do touch touched.db; sleep 0.5; i=$((i + 1)); done ) &
toucher=$!
refused touched 20000 "still only zeros after 10 s"
touch stop; wait $toucher
eq "$(ls -A | grep -c '^\(old\|stuck\|touched\)\.db.')" 0 "files made beside the refused files"
exit 0
