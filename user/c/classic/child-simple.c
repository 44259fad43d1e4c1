/* Child of exec-once and wait-twice: prints one line and exits with 81. */
#include "lib.h"

int
main (void)
{
  test_name = "child-simple";
  msg ("run");
  return 81;
}
