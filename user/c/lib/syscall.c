/* The system calls, made like the classic lib/user/syscall.c: push the arguments right
   to left, push the call number, int $0x30, pop them again. The result comes back in
   eax; the kernel preserves every other register. */
#include "syscall.h"
#include "syscall-nr.h"

#define SYSCALL0(NUMBER)                                                \
  ({                                                                    \
    int result_;                                                        \
    asm volatile ("pushl %[number]; int $0x30; addl $4, %%esp"          \
                  : "=a" (result_)                                      \
                  : [number] "i" (NUMBER)                               \
                  : "memory");                                          \
    result_;                                                            \
  })

#define SYSCALL1(NUMBER, ARG0)                                          \
  ({                                                                    \
    int result_;                                                        \
    asm volatile ("pushl %[arg0]; pushl %[number]; int $0x30;"          \
                  "addl $8, %%esp"                                      \
                  : "=a" (result_)                                      \
                  : [number] "i" (NUMBER), [arg0] "r" (ARG0)            \
                  : "memory");                                          \
    result_;                                                            \
  })

#define SYSCALL2(NUMBER, ARG0, ARG1)                                    \
  ({                                                                    \
    int result_;                                                        \
    asm volatile ("pushl %[arg1]; pushl %[arg0]; pushl %[number];"      \
                  "int $0x30; addl $12, %%esp"                          \
                  : "=a" (result_)                                      \
                  : [number] "i" (NUMBER), [arg0] "r" (ARG0),           \
                    [arg1] "r" (ARG1)                                   \
                  : "memory");                                          \
    result_;                                                            \
  })

#define SYSCALL3(NUMBER, ARG0, ARG1, ARG2)                              \
  ({                                                                    \
    int result_;                                                        \
    asm volatile ("pushl %[arg2]; pushl %[arg1]; pushl %[arg0];"        \
                  "pushl %[number]; int $0x30; addl $16, %%esp"         \
                  : "=a" (result_)                                      \
                  : [number] "i" (NUMBER), [arg0] "r" (ARG0),           \
                    [arg1] "r" (ARG1), [arg2] "r" (ARG2)                \
                  : "memory");                                          \
    result_;                                                            \
  })

/* Reached only if the kernel returns from halt or exit: an invalid instruction gets the
   process killed instead of running on. */
#define NOT_REACHED() __builtin_trap ()

void halt (void) { SYSCALL0 (SYS_HALT); NOT_REACHED (); }
void exit (int status) { SYSCALL1 (SYS_EXIT, status); NOT_REACHED (); }
pid_t exec (const char *cmd_line) { return SYSCALL1 (SYS_EXEC, cmd_line); }
int wait (pid_t pid) { return SYSCALL1 (SYS_WAIT, pid); }
bool create (const char *file, unsigned initial_size)
{ return SYSCALL2 (SYS_CREATE, file, initial_size); }
bool remove (const char *file) { return SYSCALL1 (SYS_REMOVE, file); }
int open (const char *file) { return SYSCALL1 (SYS_OPEN, file); }
int filesize (int fd) { return SYSCALL1 (SYS_FILESIZE, fd); }
int read (int fd, void *buffer, unsigned length)
{ return SYSCALL3 (SYS_READ, fd, buffer, length); }
int write (int fd, const void *buffer, unsigned length)
{ return SYSCALL3 (SYS_WRITE, fd, buffer, length); }
void seek (int fd, unsigned position) { SYSCALL2 (SYS_SEEK, fd, position); }
unsigned tell (int fd) { return SYSCALL1 (SYS_TELL, fd); }
void close (int fd) { SYSCALL1 (SYS_CLOSE, fd); }
mapid_t mmap (int fd, void *addr) { return SYSCALL2 (SYS_MMAP, fd, addr); }
void munmap (mapid_t mapping) { SYSCALL1 (SYS_MUNMAP, mapping); }
bool chdir (const char *dir) { return SYSCALL1 (SYS_CHDIR, dir); }
bool mkdir (const char *dir) { return SYSCALL1 (SYS_MKDIR, dir); }
bool readdir (int fd, char name[READDIR_MAX_LEN + 1])
{ return SYSCALL2 (SYS_READDIR, fd, name); }
bool isdir (int fd) { return SYSCALL1 (SYS_ISDIR, fd); }
int inumber (int fd) { return SYSCALL1 (SYS_INUMBER, fd); }
