#ifndef INZAGE_CISAL_SHIM_H
#define INZAGE_CISAL_SHIM_H
#include <stdint.h>
#include <isa-l/igzip_lib.h>
#include <isa-l/crc.h>

/* Types and constants only: XLSXWriter loads libisal.so.2 with dlopen when fast compression is first used, so the
   library is not linked (see ISAL in DeflateStream.swift). */

/* The level-1 work buffer size, as a constant Swift can import (the header's macro is an expression). */
static const uint32_t inzage_isal_level1_buffer_size = ISAL_DEF_LVL1_SMALL;
#endif
