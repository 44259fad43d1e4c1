/* Runs one child and waits for it. */
#include "lib.h"

void
test_main (void)
{
  wait (exec ("child-simple"));
}
