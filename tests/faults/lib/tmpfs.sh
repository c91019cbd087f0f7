# tests/faults/lib/tmpfs.sh — a small filesystem to fill: mount_small DIR SIZE.
# Skips (77) unless we are root and may mount a tmpfs; unmounted at exit.
mount_small() {
    [ "$(id -u)" = 0 ] || skip "needs root to mount a tmpfs"
    mkdir -p "$1"
    mount -t tmpfs -o "size=$2" tmpfs "$1" 2>/dev/null || skip "cannot mount a tmpfs here"
    SMALL_FS=$1
    trap 'umount -l "$SMALL_FS" 2>/dev/null; rm -rf "$TMP"' EXIT
}
# fill DIR FREE_KIB: fill the filesystem of DIR, then free FREE_KIB KiB again.
fill() {
    dd if=/dev/zero of="$1/filler" bs=4k 2>/dev/null
    [ "$2" -gt 0 ] && truncate -s "-$2K" "$1/filler"
    sync
}
