/* Puts SYS_EXIT in the topmost word of the user stack (0xBFFFFFFC) and makes the call
   with esp pointing at it: the status argument would be at 0xC0000000, in the kernel.
   The kernel must kill the process with -1. If it returns instead, esp is restored and
   the test fails. */
#include "lib.h"
#include "syscall-nr.h"

void
test_main (void)
{
  int saved_esp;
  asm volatile ("movl %%esp, %0; movl $0xbffffffc, %%esp; movl %1, (%%esp);"
                "int $0x30; movl %0, %%esp"
                : "=&r" (saved_esp) : "i" (SYS_EXIT) : "eax", "memory");
  fail ("should have called exit(-1)");
}
