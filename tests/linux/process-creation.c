/* process-creation.yaml on Linux: a program is started and touches each of
 * its areas once. The program is the scenario's hello, written here as a
 * static ELF executable of two pages (page 0: headers and text, mapped r-x
 * at 0x400000 from offset 0; page 1: data, mapped rw- at 0x401000 from
 * offset 0x1000; one page of bss after it), with no interpreter: no
 * dynamic loader, no C library, nothing runs in it before its first
 * instruction. Its code (the asm below) measures itself with getrusage
 * between its first touches: the text (the first fetch), a read and a
 * write of data, a write to bss, brk(+4 KiB) and a write to the heap, two
 * writes to the stack pages below the top one. It keeps the counts in its
 * stack's top page, which execve already made present, and writes them to
 * descriptor 3 before it exits.
 *
 * The probe forks a child that settles, sets ADDR_NO_RANDOMIZE (the
 * scenario's fixed layout; with randomisation create_elf_tables may also
 * write below the top page), asks to be traced and execs the program: the
 * kernel stops it after execve, before its first instruction, and the
 * probe reads its fault counts there from /proc/PID/stat. The spawn
 * chapter is the child's faults inside execve alone: the count at that
 * stop minus the child's own count just before execve (in a shared page,
 * so that the kernel's write of it takes no copy-on-write fault). That is
 * what posix_spawn's child does too: it is a clone of the parent sharing
 * its memory, and its faults come from its execve.
 *
 * The files are written to a directory on a disk filesystem, so the
 * program is in the page cache when it runs, as the scenario's file is. */
#include "probe.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const chapters[] = {"spawn",        "The first instruction", "Reading data",
                                       "Writing data", "bss",                   "The heap",
                                       "The stack grows", NULL};

#define TEXT_ADDR 0x400000UL
#define CODE_OFFSET 0x100UL /* the code follows the headers in page 0 */
#define SNAPSHOTS 6         /* S0 .. S5, one after each chapter's touches */
#define RUSAGE_BYTES 144    /* sizeof(struct rusage) on x86-64 */
#define REPORT_BYTES (SNAPSHOTS * RUSAGE_BYTES + 16)

/* The program's code. r12 points 0x700 bytes below the first stack
 * pointer, in the top page (the strings and tables execve put there take
 * a few hundred bytes); S(i) is getrusage(RUSAGE_SELF) into r12 + i * 144;
 * then the first stack pointer and the heap's start follow. */
__asm__(".pushsection .rodata\n"
        ".globl hello_code\nhello_code:\n"
        "  mov %rsp, %rbp\n"
        "  lea -0x700(%rbp), %r12\n"
        /* S0: after the first fetch */
        "  mov $98, %eax\n  xor %edi, %edi\n  lea 0(%r12), %rsi\n  syscall\n"
        /* Reading data */
        "  movzbl 0x401000, %eax\n"
        "  mov $98, %eax\n  xor %edi, %edi\n  lea 144(%r12), %rsi\n  syscall\n"
        /* Writing data */
        "  movb $1, 0x401000\n"
        "  mov $98, %eax\n  xor %edi, %edi\n  lea 288(%r12), %rsi\n  syscall\n"
        /* bss */
        "  movb $1, 0x402000\n"
        "  mov $98, %eax\n  xor %edi, %edi\n  lea 432(%r12), %rsi\n  syscall\n"
        /* The heap: brk(0) gives the break, brk(break + 4096) moves it */
        "  mov $12, %eax\n  xor %edi, %edi\n  syscall\n"
        "  mov %rax, %r13\n"
        "  lea 4096(%r13), %rdi\n  mov $12, %eax\n  syscall\n"
        "  movb $1, (%r13)\n"
        "  mov $98, %eax\n  xor %edi, %edi\n  lea 576(%r12), %rsi\n  syscall\n"
        /* The stack grows: the two pages below the top one */
        "  mov %rbp, %r14\n  add $4095, %r14\n  and $-4096, %r14\n"
        "  movb $1, -0x1008(%r14)\n"
        "  movb $1, -0x2008(%r14)\n"
        "  mov $98, %eax\n  xor %edi, %edi\n  lea 720(%r12), %rsi\n  syscall\n"
        "  mov %rbp, 864(%r12)\n  mov %r13, 872(%r12)\n"
        /* write(3, r12, REPORT_BYTES); exit_group(0) */
        "  mov $1, %eax\n  mov $3, %edi\n  mov %r12, %rsi\n  mov $880, %edx\n  syscall\n"
        "  mov $231, %eax\n  xor %edi, %edi\n  syscall\n"
        ".globl hello_code_end\nhello_code_end:\n"
        ".popsection\n");
extern const unsigned char hello_code[], hello_code_end[];

/* Writes the program: ELF header, two PT_LOAD headers, the code, and a
 * page of data. 0 on success. */
static int write_program(const char *path)
{
    static unsigned char image[2 * PAGE];
    Elf64_Ehdr *eh = (Elf64_Ehdr *)image;
    Elf64_Phdr *ph = (Elf64_Phdr *)(image + sizeof *eh);
    size_t code = (size_t)(hello_code_end - hello_code);
    if (CODE_OFFSET + code > PAGE)
        return -1;
    memset(image, 0, sizeof image);
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = TEXT_ADDR + CODE_OFFSET;
    eh->e_phoff = sizeof *eh;
    eh->e_ehsize = sizeof *eh;
    eh->e_phentsize = sizeof *ph;
    eh->e_phnum = 2;
    ph[0] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0,
                         .p_vaddr = TEXT_ADDR, .p_paddr = TEXT_ADDR, .p_filesz = PAGE,
                         .p_memsz = PAGE, .p_align = PAGE};
    /* Data from offset 0x1000, then one page of bss (memsz > filesz). */
    ph[1] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = PAGE,
                         .p_vaddr = TEXT_ADDR + PAGE, .p_paddr = TEXT_ADDR + PAGE,
                         .p_filesz = PAGE, .p_memsz = 2 * PAGE, .p_align = PAGE};
    memcpy(image + CODE_OFFSET, hello_code, code);
    memset(image + PAGE, 0x5a, PAGE); /* initialised data */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    if (fd < 0)
        return -1;
    int ok = write(fd, image, sizeof image) == (ssize_t)sizeof image && fsync(fd) == 0;
    close(fd);
    return ok ? 0 : -1;
}

/* minflt and majflt of a process, fields 10 and 12 of /proc/PID/stat. */
static int stat_faults(pid_t pid, long *minor, long *major)
{
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return -1;
    text[n] = '\0';
    char *p = strrchr(text, ')'); /* the name may hold spaces */
    long v[10];
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %ld %*u %ld", &v[0], &v[1]) != 2)
        return -1;
    *minor = v[0];
    *major = v[1];
    return 0;
}

static long field(const unsigned char *report, int snapshot, int offset)
{
    long v;
    memcpy(&v, report + snapshot * RUSAGE_BYTES + offset, sizeof v);
    return v;
}

int main(void)
{
    probe_init(chapters);
    probe_check_empty();
    const char *dir = probe_tmpdir();
    if (!dir)
        probe_skip("no directory on a disk filesystem for the program");
    static char path[600];
    snprintf(path, sizeof path, "%s/hello", dir);
    if (write_program(path) != 0)
        probe_skip("cannot write the program to %s", dir);
    note("code_bytes=%ld", (long)(hello_code_end - hello_code));

    /* The child's count just before execve, where no copy-on-write of the
     * kernel's write can fault. */
    struct rusage *before = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                                 -1, 0);
    int pipefd[2];
    if (before == MAP_FAILED || pipe(pipefd) != 0)
        probe_skip("no shared page or pipe");
    memset(before, 0, PAGE);
    char *argv[] = {path, NULL}, *envp[] = {NULL};

    pid_t pid = fork();
    if (pid < 0)
        probe_skip("fork failed");
    if (pid == 0) {
        close(pipefd[0]);
        if (dup2(pipefd[1], 3) != 3 || ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0 ||
            personality(ADDR_NO_RANDOMIZE) < 0)
            _exit(3);
        probe_settle();
        getrusage(RUSAGE_SELF, before);
        execve(path, argv, envp);
        _exit(4);
    }
    close(pipefd[1]);
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP) {
        if (WIFEXITED(status) && WEXITSTATUS(status) == 4)
            probe_skip("execve of %s failed (a filesystem mounted noexec?)", path);
        probe_skip("the child did not stop after execve (status 0x%x)", status);
    }
    long stop_minor = 0, stop_major = 0;
    int stat_read = stat_faults(pid, &stop_minor, &stop_major) == 0;
    if (!stat_read) {
        phase_skip("spawn", "/proc/%d/stat unreadable at the stop after execve", (int)pid);
    } else {
        phase_add("spawn", stop_minor - before->ru_minflt, stop_major - before->ru_majflt);
        note("child_before_execve=%ld/%ld at_stop_after_execve=%ld/%ld", before->ru_minflt,
             before->ru_majflt, stop_minor, stop_major);
    }
    ptrace(PTRACE_DETACH, pid, NULL, NULL);

    unsigned char report[REPORT_BYTES];
    size_t got = 0;
    while (got < sizeof report) {
        ssize_t n = read(pipefd[0], report + got, sizeof report - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    waitpid(pid, &status, 0);
    if (got != sizeof report) {
        for (int i = 1; chapters[i]; i++)
            phase_skip(chapters[i], "the program did not report (exit status 0x%x)", status);
        probe_report();
        return 0;
    }
    /* ru_minflt and ru_majflt are at bytes 64 and 72 of struct rusage. */
    long sp, heap;
    memcpy(&sp, report + SNAPSHOTS * RUSAGE_BYTES, sizeof sp);
    memcpy(&heap, report + SNAPSHOTS * RUSAGE_BYTES + 8, sizeof heap);
    note("first_stack_pointer=0x%lx stack_top=0x%lx heap_start=0x%lx", sp,
         (sp + (long)PAGE - 1) & ~((long)PAGE - 1), heap);
    if ((unsigned long)sp % PAGE < 0x700) {
        /* The counts were kept below the top page, where they faulted. */
        for (int i = 1; chapters[i]; i++)
            phase_skip(chapters[i], "execve left less than 0x700 bytes in the top page");
    } else {
        if (stat_read)
            phase_add(chapters[1], field(report, 0, 64) - stop_minor,
                      field(report, 0, 72) - stop_major);
        else
            phase_skip(chapters[1], "no count at the stop after execve");
        for (int i = 1; i < SNAPSHOTS; i++)
            phase_add(chapters[i + 1], field(report, i, 64) - field(report, i - 1, 64),
                      field(report, i, 72) - field(report, i - 1, 72));
    }
    note("program_total=%ld/%ld (exec and every chapter, from the fork)", field(report, 5, 64),
         field(report, 5, 72));
    probe_report();
    probe_rmdir();
    return 0;
}
