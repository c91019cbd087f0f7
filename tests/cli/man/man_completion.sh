# benchaas.1 and the bash completion, written at build time from the command
# and option tables, list every command and every option of the tables
# (`benchaas --list-options` prints the tables: "COMMAND" or "COMMAND OPTION");
# every command of the main help is in the tables, every one but worker (whose
# binary reads its own arguments) with its options, and every option a
# command's --help names is in its table.  Fails when a command's row of
# cmdtab.c loses its option table (spec NULL), or an option is documented in a
# --help but read outside the table.
. "$TEST_LIB" || exit 1
man=$BENCHAAS_BUILD/share/man/man1/benchaas.1
comp=$BENCHAAS_BUILD/share/bash-completion/completions/benchaas
[ -s "$man" ] || fail "no $man"
[ -s "$comp" ] || fail "no $comp"
expect_rc 0 bx --list-options
cp "$TMP/out" list
[ "$(wc -l <list)" -gt 40 ] || fail "the tables list too little: $(cat list)"
grep -qx "query -p" list || fail "query's -p is not in the tables"
bash -n "$comp" || fail "the completion is not bash"
# every command of the main help, with its options (worker: its binary reads its own)
expect_rc 0 bx --help
for cmd in $(sed -n 's/^  \([a-z]\+\) .*/\1/p' "$TMP/out" | sort -u); do
    grep -qx "$cmd" list || fail "the tables lack the command $cmd"
    [ "$cmd" = worker ] && continue
    grep -q "^$cmd --" list || fail "$cmd has no option table"
    # what its --help names is in its table (but the options of other commands it points at)
    bx "$cmd" --help >help.txt 2>&1 || fail "$cmd --help failed"
    for o in $(grep -oE -- '--[a-z][a-z0-9-]*' help.txt | sort -u); do
        case "$cmd $o" in
            *" --help" | "run --across-nodes" | "submit --across-nodes" | "run --nodelist" | \
            "submit --nodelist" | "query --json" | "compare --from" | "check --from" | \
            "baseline --baseline" | "serve --role") continue ;;
        esac
        grep -qx -- "$cmd $o" list || fail "$cmd --help names $o, which its table lacks"
    done
done
while read -r cmd opt; do
    if [ -z "$opt" ]; then
        grep -q "^\.B $cmd\b" "$man" || fail "benchaas.1 lacks the command $cmd"
        grep -qx "    $cmd)" "$comp" || fail "the completion lacks the command $cmd"
        continue
    fi
    # the command's section of the man page, and its case of the completion
    sed -n "/^\.SS benchaas $cmd\$/,/^\.S[SH] /p" "$man" >section
    grep -qF -- "${opt//-/\\-}" section || fail "benchaas.1 lacks $cmd $opt"
    sed -n "/^    $cmd)\$/,/esac ;;/p" "$comp" | grep -q -- " $opt[ \"]" \
        || fail "the completion lacks $cmd $opt"
done <list
# the completion completes a command, an option and an option's choices
COMP_WORDS=(benchaas que) COMP_CWORD=1 bash -c ". '$comp'; COMP_WORDS=(benchaas que); COMP_CWORD=1; _benchaas; echo \${COMPREPLY[*]}" >got
grep -qx "query" got || fail "completing 'que': $(cat got)"
bash -c ". '$comp'; COMP_WORDS=(benchaas query --form); COMP_CWORD=2; _benchaas; echo \${COMPREPLY[*]}" >got
grep -qx -- "--format" got || fail "completing 'query --form': $(cat got)"
bash -c ". '$comp'; COMP_WORDS=(benchaas query --format j); COMP_CWORD=3; _benchaas; echo \${COMPREPLY[*]}" >got
grep -qx "json jsonl" got || fail "completing 'query --format j': $(cat got)"
exit 0
