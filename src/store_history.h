/* store_history.h: the store verbs of the noise-aware gate (docs/noise.md):
 * the statistical window (the last N numeric values of a metric on a branch,
 * store_window.c) and metric annotations (store_annotations.c), kept in the
 * additive table `metric_annotations`. That table is schema version 2.1.0:
 * created on the first annotation only, so databases that never use it keep
 * upstream's 2.0.0 schema byte for byte; upstream opens a 2.1.0 file as an
 * unknown newer version (re-running its idempotent 2.0.0 script), and
 * read-only opens of 2.0.0 files see no annotations. Same conventions as
 * store.h: SQLite result codes, `err` filled on failure. */
#ifndef UNENTROPY_STORE_HISTORY_H
#define UNENTROPY_STORE_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define STORE_SCHEMA_ANNOTATIONS "2.1.0"
#define STORE_SCHEMA_ANNOTATIONS_DESCRIPTION "Metric annotations (unentropy; additive)"

/* Whether `version` is one of the additive versions above (store.c treats
 * them as known: every mandatory migration is already applied). */
int store_history_version_known(const char *version);

typedef struct StoreWindowQuery {
    const char *metric_id;
    const char *branch;
    double max_age_days; /* <= 0: no age limit */
    double now_ms;       /* epoch milliseconds the age is measured from */
    int64_t limit;       /* the last `limit` builds (>= 1) */
    int after_reset;     /* only builds after the latest build of a commit
                            annotated with reset for this metric */
} StoreWindowQuery;

/* The statistical window: the numeric values of q->metric_id on q->branch
 * (event filter of storage.md §6, unparsable timestamps skipped), newest
 * `limit` within the age, handed to cb oldest first (StoreSeriesRow with
 * is_numeric = 1). SQLITE_MISUSE for a missing field or limit < 1. */
int store_window(Store *s, const StoreWindowQuery *q, store_series_cb cb, void *ud, char *err,
                 size_t errlen);

typedef struct StoreAnnotation {
    int64_t id;
    const char *metric_id;
    const char *commit_sha;
    const char *note;
    int reset;              /* 1: the statistical window restarts after this commit */
    const char *created_at; /* YYYY-MM-DDTHH:MM:SS.sssZ */
} StoreAnnotation;

typedef int (*store_annotation_cb)(void *ud, const StoreAnnotation *a);

/* Adds or replaces (same metric and commit) an annotation in one
 * transaction with busy retries, creating the table and the 2.1.0 version
 * row first if needed. *id gets the row id. SQLITE_MISUSE for a missing
 * field or a bad created_at; SQLITE_READONLY for a read-only Store. */
int store_annotation_add(Store *s, const StoreAnnotation *a, int64_t *id, char *err,
                         size_t errlen);

/* Removes the annotation of (metric, commit); *removed = rows deleted (0 or
 * 1). No table: nothing to remove. */
int store_annotation_remove(Store *s, const char *metric_id, const char *commit_sha,
                            int *removed, char *err, size_t errlen);

/* Annotations of one metric (NULL: all), ordered by created_at then id.
 * A database without the table has none. */
int store_annotations(Store *s, const char *metric_id, store_annotation_cb cb, void *ud,
                      char *err, size_t errlen);

/* *yes = 1 when the metric_annotations table exists. */
int store_has_annotations(Store *s, int *yes, char *err, size_t errlen);

#endif
