/* A minimal vsnprintf: %d %i %u %x %s %c %%, length modifiers l and z ignored. */
#include "lib.h"

/* Where formatted text goes: a buffer that silently stops at its end. */
struct output
  {
    char *buffer;
    size_t size;
    size_t length;
  };

static void
put (struct output *out, char c)
{
  if (out->length + 1 < out->size)
    out->buffer[out->length++] = c;
}

static void
put_unsigned (struct output *out, unsigned value, unsigned base)
{
  char digits[12];
  int count = 0;
  do
    {
      digits[count++] = "0123456789abcdef"[value % base];
      value /= base;
    }
  while (value != 0);
  while (count > 0)
    put (out, digits[--count]);
}

size_t
vformat (char *buffer, size_t size, const char *format, va_list args)
{
  struct output out = { buffer, size, 0 };
  for (const char *p = format; *p != '\0'; p++)
    {
      if (*p != '%')
        {
          put (&out, *p);
          continue;
        }
      p++;
      while (*p == 'l' || *p == 'z')
        p++;
      switch (*p)
        {
        case 'd':
        case 'i':
          {
            int value = va_arg (args, int);
            if (value < 0)
              put (&out, '-');
            put_unsigned (&out, value < 0 ? -(unsigned) value : (unsigned) value, 10);
            break;
          }
        case 'u':
          put_unsigned (&out, va_arg (args, unsigned), 10);
          break;
        case 'x':
          put_unsigned (&out, va_arg (args, unsigned), 16);
          break;
        case 's':
          for (const char *s = va_arg (args, const char *); *s != '\0'; s++)
            put (&out, *s);
          break;
        case 'c':
          put (&out, (char) va_arg (args, int));
          break;
        case '%':
          put (&out, '%');
          break;
        case '\0':
          p--;
          break;
        default:
          put (&out, '%');
          put (&out, *p);
          break;
        }
    }
  if (size > 0)
    buffer[out.length] = '\0';
  return out.length;
}
