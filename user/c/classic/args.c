/* Prints its command-line arguments: the C twin of user/classic/userprog/args.rs. */
#include "lib.h"

int
main (int argc, char *argv[])
{
  test_name = "args";
  msg ("begin");
  msg ("argc = %d", argc);
  /* Up to and including argv[argc], which must be NULL. */
  for (int i = 0; i <= argc; i++)
    if (argv[i] != NULL)
      msg ("argv[%d] = '%s'", i, argv[i]);
    else
      msg ("argv[%d] = null", i);
  msg ("end");
  return 0;
}
