/* The run summary (processes, execs, max depth, max concurrent, failures by exit code and
 * signal), as JSON (the recorder's last line, --summary FILE) and as one human line. */
#ifndef FORKTOP_SUMMARY_H
#define FORKTOP_SUMMARY_H

#include <jansson.h>
#include <stdint.h>

#include "model.h"

/* forktop's own peak resident set size (getrusage), KiB. */
long summary_max_rss_kb(void);
/* forktop's own CPU time (user + system, all its threads), ms. */
long summary_cpu_ms(void);
/* exit_status: forktop's own exit code (the command's status), -1 when not applicable. */
json_t *summary_json(const struct model_stats *st, int exit_status, int64_t duration_ns);
/* One line, malloc'd, no trailing newline: "12 processes, 11 execs, ...". */
char *summary_text(const struct model_stats *st, int exit_status, int64_t duration_ns);

#endif
