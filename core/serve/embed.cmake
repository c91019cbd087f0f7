# cmake -DIN=FILE -DOUT=FILE.c -DNAME=ident -P embed.cmake: FILE as a C array
# `const unsigned char NAME[]` (with a NUL after it) and `const size_t NAME_len`,
# so a document kept as a real file in the source tree is compiled into the binary.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x..,){24})" "\\1\n" body "${body}")
file(WRITE "${OUT}" "/* generated from ${IN} by embed.cmake: do not edit */\n#include <stddef.h>\n"
     "const unsigned char ${NAME}[] = {\n${body}0x00};\nconst size_t ${NAME}_len = ${len};\n")
