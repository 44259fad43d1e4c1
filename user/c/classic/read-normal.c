/* Reads sample.txt and checks its contents. */
#include "lib.h"
#include "sample.h"

void
test_main (void)
{
  check_file ("sample.txt", sample, sizeof sample - 1);
}
