/*
 * upward.c — a function of the results layer that calls the command line
 * (cmd_collect, core/cli/collect_cmd.c): the call the layering forbids.
 * Declared here, as a careless file would, so that only the link can stop it.
 */
int arch_upward(void);
int cmd_collect(int argc, char **argv);

int arch_upward(void) { return cmd_collect(0, 0); }
