/* The classic tests/main.c, linked into programs that define test_main() instead of
   main(): the test is named after argv[0]. (These C tests use no random numbers, so
   there is no PRNG to seed.) */
#include "lib.h"

int
main (int argc, char *argv[])
{
  (void) argc;
  test_name = argv[0];
  msg ("begin");
  test_main ();
  msg ("end");
  return 0;
}
