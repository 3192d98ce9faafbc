// zlib, for gzip-encoding HTTP responses.
#ifndef PLEDGEWATCH_CZLIB_SHIM_H
#define PLEDGEWATCH_CZLIB_SHIM_H
#include <zlib.h>
#endif
