/* A small C counterpart of the Rintos test library (user/src/testlib.rs, after the
   classic tests/lib.h): enough for the C variants of a few tests, with the same output.

   msg() and fail() understand the conversions %d %i %u %x %s %c and %%, with the length
   modifiers l and z accepted and ignored (everything is 32 bits on i386). */
#ifndef RINTOS_LIB_H
#define RINTOS_LIB_H

#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include "syscall.h"

/* The (name) every message starts with. Programs with a test_main() get argv[0]. */
extern const char *test_name;
/* While true, msg() prints nothing. */
extern bool quiet;

/* Prints "(name) message\n" in one write, unless quiet. */
void msg (const char *format, ...);
/* Prints "(name) message: FAILED\n" in one write and exits with 1. */
void fail (const char *format, ...) __attribute__ ((noreturn));

/* Prints the message, then evaluates SUCCESS and fails with the same message if it is
   false (in that order: a check that starts a child prints before the child can). */
#define CHECK(SUCCESS, ...)                     \
  do                                            \
    {                                           \
      msg (__VA_ARGS__);                        \
      if (!(SUCCESS))                           \
        fail (__VA_ARGS__);                     \
    }                                           \
  while (0)

/* Checks that file NAME holds exactly the SIZE bytes at EXPECTED. */
void check_file (const char *name, const void *expected, size_t size);

/* Formats into BUFFER (always NUL-terminated, cut off at SIZE - 1 characters); returns
   the length written. */
size_t vformat (char *buffer, size_t size, const char *format, va_list args);

size_t strlen (const char *text);
int memcmp (const void *a, const void *b, size_t size);
void *memcpy (void *destination, const void *source, size_t size);
void *memset (void *destination, int value, size_t size);

/* Programs that define test_main() instead of main() get the classic tests/main.c:
   "begin", test_main(), "end", exit status 0. */
void test_main (void);

#endif
