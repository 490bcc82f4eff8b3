/* provider_local.c: the sqlite-local provider (storage.md §7.2). The
 * database file is used in place: fetch and persist have nothing to move,
 * because the store creates the file, and checkpoints and closes it. Pure C. */
#include <string.h>

#include "provider.h"

static int local_fetch(Provider *p, const char *source, ProviderInfo *info, char *err,
                       size_t errlen)
{
    (void)p, (void)source, (void)info, (void)err, (void)errlen;
    return PROVIDER_OK;
}

static int local_persist(Provider *p, const char *snapshot, ProviderInfo *info, char *err,
                         size_t errlen)
{
    (void)p, (void)snapshot, (void)info, (void)err, (void)errlen;
    return PROVIDER_OK;
}

static const ProviderOps local_ops = {"sqlite-local", local_fetch, local_persist, NULL};

int provider_new_local(Provider **out, const char *path, char *err, size_t errlen)
{
    err[0] = '\0';
    return provider_alloc(out, &local_ops, path, err, errlen);
}
