/* probe.c — the program that one library of the core is linked into, whole (CMakeLists.txt). */
int main(void) { return 0; }
