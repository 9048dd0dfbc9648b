#ifndef INZAGE_CLIBZIP_SHIM_H
#define INZAGE_CLIBZIP_SHIM_H
#include <zip.h>
#include <zlib.h>
#endif
