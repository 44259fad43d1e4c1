/* Where the kernel starts a program: an ordinary cdecl function, so argc is at
   [esp + 4] and argv at [esp + 8] (abi section 1.3). */
#include "syscall.h"

int main (int argc, char *argv[]);

void
_start (int argc, char *argv[])
{
  exit (main (argc, argv));
}
