# A worker writes only "<uuid>.result.json" in the folder that holds its spec
# (the spool).  A spec whose result is elsewhere (an absolute path, "../",
# another name, another run's uuid, a folder reached through a link) or whose
# uuid is not a UUID is refused with exit 2, and nothing is created or
# overwritten.
. "$TEST_LIB" || exit 1
TP="$BENCHAAS_TEST_PLUGINS/good/trivial.so"
U=0b7dfe58-8c44-47b6-ae20-51c70f1e9993
mkdir -p spool elsewhere && echo precious > victim && echo precious > elsewhere/$U.result.json
ln -s "$TMP/elsewhere" spool/sub
spec() { # UUID RESULT
    printf '{"spec_version":1,"uuid":"%s","plugin":"trivial","plugin_path":"%s","result":"%s"}' \
        "$1" "$TP" "$2" > spool/$U.spec.json
}
for bad in "$U|$TMP/victim" "$U|spool/../victim" "$U|../victim" "$U|spool/other.json" \
           "$U|spool/$U.result.json/../../victim" \
           "1b7dfe58-8c44-47b6-ae20-51c70f1e9993|spool/$U.result.json" \
           "../$U|spool/../$U.result.json" "$U|spool/sub/$U.result.json" \
           "$U|$TMP/elsewhere/$U.result.json" "$U|/$U.result.json"; do
    spec "${bad%%|*}" "${bad#*|}"
    expect_rc 2 bx worker spool/$U.spec.json
    grep -qE "not a UUID|not named|not in the spool folder" "$TMP/err" || { cat "$TMP/err"; fail "no reason: $bad"; }
done
eq "$(cat victim)" precious "the victim file"
eq "$(cat elsewhere/$U.result.json)" precious "the file behind the link"
[ -e "/$U.result.json" ] && fail "a file was created in /"
eq "$(ls spool | sort | tr '\n' ' ')" "$U.spec.json sub " "files in the spool"
# the right place, by a relative or an absolute path, works
spec "$U" "spool/$U.result.json"
expect_rc 0 bx worker spool/$U.spec.json
[ -f spool/$U.result.json ] || fail "no result document written"
rm spool/$U.result.json
spec "$U" "$TMP/spool/$U.result.json"
( cd spool && expect_rc 0 bx worker $U.spec.json ) || exit 1
[ -f spool/$U.result.json ] || fail "no result document written (absolute path)"
exit 0
