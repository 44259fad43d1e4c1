/* The few C library functions the programs use, and that gcc may call on its own for
   copies and clears even in freestanding code. */
#include "lib.h"

size_t
strlen (const char *text)
{
  size_t length = 0;
  while (text[length] != '\0')
    length++;
  return length;
}

int
memcmp (const void *a_, const void *b_, size_t size)
{
  const unsigned char *a = a_, *b = b_;
  for (size_t i = 0; i < size; i++)
    if (a[i] != b[i])
      return a[i] < b[i] ? -1 : 1;
  return 0;
}

void *
memcpy (void *destination, const void *source, size_t size)
{
  unsigned char *to = destination;
  const unsigned char *from = source;
  while (size-- > 0)
    *to++ = *from++;
  return destination;
}

void *
memset (void *destination, int value, size_t size)
{
  unsigned char *to = destination;
  while (size-- > 0)
    *to++ = value;
  return destination;
}
