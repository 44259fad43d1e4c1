/* The C test library: see lib.h. */
#include "lib.h"

const char *test_name = "?";
bool quiet = false;

/* Assembles "(name) message" plus SUFFIX and writes it in one piece, so that it never
   interleaves with the kernel's exit lines. Static, to keep it off the one-page stack. */
static void
emit (const char *format, va_list args, const char *suffix)
{
  static char message[1024];
  size_t length = 0;

  message[length++] = '(';
  for (const char *s = test_name; *s != '\0' && length < sizeof message - 1; s++)
    message[length++] = *s;
  for (const char *s = ") "; *s != '\0' && length < sizeof message - 1; s++)
    message[length++] = *s;
  length += vformat (message + length, sizeof message - length, format, args);
  for (const char *s = suffix; *s != '\0' && length < sizeof message - 1; s++)
    message[length++] = *s;
  write (STDOUT_FILENO, message, length);
}

void
msg (const char *format, ...)
{
  va_list args;
  if (quiet)
    return;
  va_start (args, format);
  emit (format, args, "\n");
  va_end (args);
}

void
fail (const char *format, ...)
{
  va_list args;
  va_start (args, format);
  emit (format, args, ": FAILED\n");
  va_end (args);
  exit (1);
}

void
check_file (const char *name, const void *expected_, size_t size)
{
  const char *expected = expected_;
  char block[512];
  size_t offset = 0;
  int fd;

  CHECK ((fd = open (name)) > 1, "open \"%s\" for verification", name);
  int actual_size = filesize (fd);
  if ((size_t) actual_size != size)
    msg ("size of %s (%d) differs from expected (%zu)", name, actual_size, size);
  while (offset < size)
    {
      size_t block_size = size - offset < sizeof block ? size - offset : sizeof block;
      int count = read (fd, block, block_size);
      if (count < 0 || (size_t) count != block_size)
        fail ("read of %zu bytes at offset %zu in \"%s\" returned %d",
              block_size, offset, name, count);
      if (memcmp (block, expected + offset, block_size) != 0)
        fail ("bytes read starting at offset %zu in \"%s\" differ from expected",
              offset, name);
      offset += block_size;
    }
  if ((size_t) actual_size != size)
    fail ("size of %s (%d) differs from expected (%zu)", name, actual_size, size);
  msg ("verified contents of \"%s\"", name);
  msg ("close \"%s\"", name);
  close (fd);
}
