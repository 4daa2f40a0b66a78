// page_fault_floor.c: what the kernel (and, in a VM, the hypervisor) charges
// for a fresh page, the floor under spawning N greenthreads that each touch
// one new stack page.
//
//   cc -O2 -o page_fault_floor page_fault_floor.c
//   ./page_fault_floor 1000000 135168   # one page per 132 KiB (a 128 KiB
//                                       # stack plus its guard page)
//   ./page_fault_floor 1000000 4096     # contiguous pages
//
// Maps N * STRIDE bytes (reserved, not committed), writes one byte near the
// top of each STRIDE-sized slot, and prints the time per page (and the CPU
// time the process used meanwhile).
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static double clock_s(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}
static double now(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s N STRIDE_BYTES\n", argv[0]);
    return 2;
  }
  const long n = atol(argv[1]);
  const long stride = atol(argv[2]);
  if (n <= 0 || stride < 4096) {
    fprintf(stderr, "N must be positive and STRIDE at least 4096\n");
    return 2;
  }
  char* p = mmap(NULL, (size_t)n * (size_t)stride, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  const double c0 = cpu();
  const double t0 = now();
  for (long i = 0; i < n; ++i) p[i * stride + stride - 64] = 1;
  const double t = now() - t0;
  const double c = cpu() - c0;
  printf(
      "%ld fresh pages, one per %ld bytes: %.0f ms, %.0f ns per page "
      "(CPU %.0f ms)\n",
      n, stride, t * 1e3, t * 1e9 / (double)n, c * 1e3);
  return 0;
}
