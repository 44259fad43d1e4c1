/* The Pintos system calls for C programs: the prototypes of the classic
   lib/user/syscall.h. The call numbers (SYS_*) are in syscall-nr.h, which the build
   generates from kernel/crates/abi so that C and Rust can never disagree. */
#ifndef RINTOS_SYSCALL_H
#define RINTOS_SYSCALL_H

#include <stdbool.h>
#include <stddef.h>

typedef int pid_t;
#define PID_ERROR ((pid_t) -1)

typedef int mapid_t;
#define MAP_FAILED ((mapid_t) -1)

/* The longest file name; readdir stores one more byte, the NUL. */
#define READDIR_MAX_LEN 14

#define STDIN_FILENO 0
#define STDOUT_FILENO 1

void halt (void) __attribute__ ((noreturn));
void exit (int status) __attribute__ ((noreturn));
pid_t exec (const char *cmd_line);
int wait (pid_t pid);
bool create (const char *file, unsigned initial_size);
bool remove (const char *file);
int open (const char *file);
int filesize (int fd);
int read (int fd, void *buffer, unsigned length);
int write (int fd, const void *buffer, unsigned length);
void seek (int fd, unsigned position);
unsigned tell (int fd);
void close (int fd);
mapid_t mmap (int fd, void *addr);
void munmap (mapid_t mapping);
bool chdir (const char *dir);
bool mkdir (const char *dir);
bool readdir (int fd, char name[READDIR_MAX_LEN + 1]);
bool isdir (int fd);
int inumber (int fd);

#endif
