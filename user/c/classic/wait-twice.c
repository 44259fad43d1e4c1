/* Waits for the same child twice: the second wait must return -1 at once. */
#include "lib.h"

void
test_main (void)
{
  pid_t child = exec ("child-simple");
  msg ("wait(exec()) = %d", wait (child));
  msg ("wait(exec()) = %d", wait (child));
}
