#ifndef ROOTWATCHD_CINIH_SHIM_H
#define ROOTWATCHD_CINIH_SHIM_H

#include <stddef.h>
#include <ini.h>

#endif
