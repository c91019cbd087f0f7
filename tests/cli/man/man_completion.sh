# benchaas.1 and the bash completion, written at build time from the command
# and option tables, list every command and every option of the tables
# (`benchaas --list-options` prints the tables: "COMMAND" or "COMMAND OPTION");
# every command of the main help is in the tables, every one but worker (whose
# binary reads its own arguments) with its options, and every option a
# command's --help names is in its table; every option of the tables has its
# help text (benchaas.1 shows it under the option, the --help lines are
# written from the same rows).  Fails when a command's row of cmdtab.c loses
# its option table (spec NULL), an option is documented in a --help but read
# outside the table, or an option row's help is NULL or "" (e.g. compare's
# --db row back to `NULL, NULL}`).  --help is written from the rows: the usage
# lines give an option the value its row declares, the option lines are the
# rows (with a letter the row's syn leaves out: "-q, --quiet").  Fails when
# value_part() (opt.c) returns "" (usage: "report --html [filters]"), when
# help_rows() stops writing a row's syn or help, or opt_label() drops the letter.  Every
# option of a command's table has its own line in its --help (but the filters, listed by
# query's, and check's options its text tells): fails when a spec's col goes back to 0
# (serve's, whose text told its options and left --threads out) or a row is told only in
# the prose (CLI_INCLUDE_QUIET of a command's own options).
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
# every option of benchaas.1 has its help: the line after its ".B" is text
awk '/^\.SH OPTIONS/ { o = 1; next } /^\.SH / { o = 0 }
     o && want && ($0 == "" || $0 ~ /^\./) { print name; bad = 1 }
     { want = o && /^\.B \\-/; name = $0 }
     END { exit bad }' "$man" >nohelp || fail "options without help text in benchaas.1: $(cat nohelp)"
# --help from the rows: values in the usage lines, the option lines, the letters
bx report --help >h.txt 2>&1 || fail "report --help failed"
grep -q '^usage: benchaas report --html FILE \[filters\] \[--title TEXT\] \[--max-runs N\]$' h.txt \
    || fail "report's usage line lacks its options' values: $(head -2 h.txt)"
grep -qx '  --title TEXT        the page title (default: BenchaaS report)' h.txt \
    || fail "report --help lacks the --title row: $(cat h.txt)"
bx --help >h.txt 2>&1 || fail "--help failed"
grep -q '^  report --html FILE  *a self-contained HTML report' h.txt \
    || fail "the main help lacks report's synopsis with its value: $(cat h.txt)"
bx run --help >h.txt 2>&1 || fail "run --help failed"
grep -qx '  -q, --quiet             no progress lines' h.txt || fail "run --help: no '-q, --quiet' line"
grep -q '^usage: benchaas run PLUGIN \[-p NAME=VALUE\]\.\.\. \[options\]$' h.txt \
    || fail "run's usage line: $(head -2 h.txt)"
# every option of the tables has a line of its command's --help ("  --run-as USER  the user
# ...", "  -o, --output FILE"): but the filters, which query's --help lists and the others
# point at, and check's --across-nodes options, which `check --across-nodes --help` lists
bx query --help >qh.txt 2>&1 || fail "query --help failed"
sed -n '/^Print stored/,/^A --metric/p' qh.txt | grep -oE -- '^  (-[a-z], )?--[a-z][a-z0-9-]*' \
    | grep -oE -- '-[a-z]\b|--[a-z][a-z0-9-]*' >filters
grep -qx -- --since filters && grep -qx -- -p filters || fail "query --help lists no filters"
while read -r cmd opt; do
    [ -z "$opt" ] || [ "$cmd" = worker ] && continue
    [ "$cmd" != query ] && grep -qx -- "$opt" filters && continue
    help=("$cmd" --help)
    case "$opt" in --min-nodes | --drain | --resume) [ "$cmd" = check ] && help=(check --across-nodes --help) ;; esac
    bx "${help[@]}" 2>&1 | grep -qE -- "^  (-[a-z], )?$opt( |,|\$)" \
        || fail "$cmd --help has no line for its option $opt"
done <list
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
