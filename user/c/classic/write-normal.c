/* Creates a file and writes the sample text into it. */
#include "lib.h"
#include "sample.h"

void
test_main (void)
{
  int fd, count;

  CHECK (create ("test.txt", sizeof sample - 1), "create \"test.txt\"");
  CHECK ((fd = open ("test.txt")) > 1, "open \"test.txt\"");
  count = write (fd, sample, sizeof sample - 1);
  if (count != (int) sizeof sample - 1)
    fail ("write() returned %d instead of %zu", count, sizeof sample - 1);
}
