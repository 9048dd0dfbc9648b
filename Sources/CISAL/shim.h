#ifndef INZAGE_CISAL_SHIM_H
#define INZAGE_CISAL_SHIM_H
#include <stdint.h>
#include <isa-l/igzip_lib.h>
#include <isa-l/crc.h>

/* The level-1 work buffer sizes, as constants Swift can import (the header's macros are expressions). */
static const uint32_t inzage_isal_level1_buffer_size = ISAL_DEF_LVL1_SMALL;
#endif
