// glibc's malloc tuning (mallopt), which Swift's Glibc module leaves out.
#ifndef PLEDGEWATCH_CMALLOC_SHIM_H
#define PLEDGEWATCH_CMALLOC_SHIM_H
#if __has_include(<malloc.h>)
#include <malloc.h>
#endif
#endif
