# @include "FILE" in a configuration is resolved relative to the folder of
# the file that includes it (not the current folder), through the same "file
# we may read" check; every message names the file and line where the
# problem is written (the included file's, not the including one's); a
# missing, unreadable, non-regular or self-including file is refused with
# exit 2 naming the @include line.
. "$TEST_LIB" || exit 1
mkdir -p conf/parts other
cat > conf/main.cfg <<'CFG'
# the suite
defaults = { repetitions = 1; };
@include "parts/exps.cfg"
CFG
cat > conf/parts/exps.cfg <<'CFG'
experiments = (
  { name = "a"; plugin = "trivial"; },
  @include "more.cfg"
);
CFG
cat > conf/parts/more.cfg <<'CFG'
  { name = "b"; plugin = "trivial";
    threads = 0; }
CFG
# from elsewhere: includes are found beside the including file
cd other || exit 1
expect_rc 2 bx run ../conf/main.cfg --db x.db
expect_err "../conf/parts/more.cfg:2: 'threads' = 0 is out of range"
# a syntax error in an included file
printf '  { name = "b"; plugin = "trivial";\n\n    threads = ; }\n' > ../conf/parts/more.cfg
expect_rc 2 bx run ../conf/main.cfg --db x.db
expect_err "../conf/parts/more.cfg:3: syntax error"
# an unknown key, an unknown plugin: the included file's line
printf '  { name = "b"; plugin = "trivial";\n    colour = 1; }\n' > ../conf/parts/more.cfg
expect_rc 2 bx run ../conf/main.cfg --db x.db
expect_err "../conf/parts/more.cfg:2: unknown setting 'colour'"
printf '  { name = "b";\n    plugin = "nosuch"; }\n' > ../conf/parts/more.cfg
expect_rc 2 bx run ../conf/main.cfg --db x.db
expect_err "../conf/parts/more.cfg:2: unknown plugin"
# the main file's own lines after an include keep their numbers
printf '  { name = "b"; plugin = "trivial"; }\n' > ../conf/parts/more.cfg
printf 'defaults = { repetitions = 1; };\n@include "parts/exps.cfg"\n\nslurm = 5;\n' > ../conf/main2.cfg
expect_rc 2 bx run ../conf/main2.cfg --db x.db
expect_err "../conf/main2.cfg:4: 'slurm' must be a group"
# it works, from any folder
expect_rc 0 bx run ../conf/main.cfg --dry-run
expect_out '"experiment":	"b"'
cd .. || exit 1
expect_rc 0 bx run conf/main.cfg --dry-run
# a missing file, a FIFO, a folder, a file that includes itself
printf 'experiments = ( { plugin = "trivial"; } );\n@include "nope.cfg"\n' > conf/m.cfg
expect_rc 2 bx run conf/m.cfg --db x.db
expect_err "conf/m.cfg:2: @include \"nope.cfg\": cannot open conf/nope.cfg"
mkfifo conf/fifo.cfg
printf '@include "fifo.cfg"\n' > conf/f.cfg
expect_rc 2 timeout 20 "$BENCHAAS" run conf/f.cfg --db x.db
expect_err "not a regular file"
printf '@include "parts"\n' > conf/d.cfg
expect_rc 2 bx run conf/d.cfg --db x.db
expect_err "conf/d.cfg:1: @include \"parts\""
printf '@include "self.cfg"\n' > conf/self.cfg
expect_rc 2 bx run conf/self.cfg --db x.db
expect_err "nest more than"
printf 'experiments = ( { plugin = "trivial"; } ); @include "x.cfg"\n' > conf/mid.cfg
expect_rc 2 bx run conf/mid.cfg --db x.db
expect_err "alone on its line"
[ -e x.db ] && fail "x.db written"
exit 0
