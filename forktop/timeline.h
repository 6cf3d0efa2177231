/* A recorded run (docs/events.md) drawn as a timeline: one bar per process from its start to
 * its end, nested by parentage (each process's <g class="proc"> holds its children's), labelled
 * with the command it exec'd, coloured by exit status, with markers for signals, stops and
 * permission changes. SVG, or a self-contained HTML page (inline SVG, CSS and script, no
 * external resource) with hover details. */
#ifndef FORKTOP_TIMELINE_H
#define FORKTOP_TIMELINE_H

#include <stdbool.h>
#include <stdio.h>

#include "../common/err.h"
#include "replay.h"

/* Draw every event of r (r's own model and position are left alone). */
int timeline_write(const struct replay *r, FILE *out, bool html, struct err *e);
/* forktop --timeline IN -o OUT: HTML when OUT ends in .html or .htm, SVG otherwise;
 * OUT "-" is stdout (SVG). */
int timeline_render_file(const char *in, const char *out, struct err *e);

#endif
