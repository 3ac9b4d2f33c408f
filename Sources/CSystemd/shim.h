#ifndef ROOTWATCHD_CSYSTEMD_SHIM_H
#define ROOTWATCHD_CSYSTEMD_SHIM_H

/* sd_journal_send and sd_journal_print are variadic; Swift calls sd_journal_sendv with an iovec array. */
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <systemd/sd-daemon.h>

#endif
