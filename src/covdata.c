/* covdata.c: the coverage accumulator (see covdata.h). Three dense arrays
 * (files, bitmap pages, keyed entries) with open-addressing indexes of
 * 32-bit slots; strings in one arena. Pure C (libc only). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "covdata.h"

#define PAGE_BITS 512 /* lines per bitmap page */
#define PAGE_WORDS (PAGE_BITS / 64)

typedef struct Page {
    uint32_t file, pageno;
    uint32_t kind;
    uint32_t gen; /* transaction that last saved this page */
    uint64_t found[PAGE_WORDS], hit[PAGE_WORDS];
} Page;

typedef struct Entry {
    uint64_t hash;
    size_t koff;
    uint32_t klen, file, kind, gen;
    double total, covered;
} Entry;

/* Undo journal of the open transaction: a page's words before its first
 * change, or an entry's values before its first change. */
typedef struct Undo {
    uint32_t idx;
    bool page;
    double total, covered;
    uint64_t found[PAGE_WORDS], hit[PAGE_WORDS];
} Undo;

typedef struct FileRec {
    uint64_t hash;
    size_t noff;
    size_t nlen;
    double sum_total[COVDATA_KINDS], sum_covered[COVDATA_KINDS];
} FileRec;

typedef struct Index {
    uint32_t *slots; /* element index + 1; 0 = empty */
    size_t cap;      /* power of two (or 0) */
} Index;

struct CovData {
    FileRec *files;
    size_t nfiles, cap_files;
    Index file_ix;
    Page *pages;
    size_t npages, cap_pages;
    Index page_ix;
    Entry *entries;
    size_t nentries, cap_entries;
    Index entry_ix;
    char *arena;
    size_t alen, acap;
    size_t last_page; /* index + 1 of the page last marked, 0 none */
    bool txn;         /* a transaction is open */
    uint32_t gen;     /* its number */
    Undo *undo;
    size_t nundo, cap_undo;
};

static uint64_t mix(uint64_t x);

/* A fast byte-string hash: 8 bytes at a time through a multiply-mix. */
static uint64_t hash_bytes(const char *s, size_t n, uint64_t seed)
{
    uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 31;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0x94d049bb133111ebULL;
    return mix(h);
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) {
        return 0;
    }
    size_t nc = *cap ? *cap : 16;
    while (nc < need) {
        nc *= 2;
    }
    void *na = realloc(*arr, nc * elem);
    if (na == NULL) {
        return ENOMEM;
    }
    *arr = na;
    *cap = nc;
    return 0;
}

/* Makes room for one more element in an index holding n elements; rehash
 * uses hash_of(cd, element index). */
typedef uint64_t (*HashOf)(const CovData *cd, size_t i);

static int index_reserve(const CovData *cd, Index *ix, size_t n, HashOf hash_of)
{
    if ((n + 1) * 2 <= ix->cap) {
        return 0;
    }
    size_t nc = ix->cap ? ix->cap * 2 : 64;
    while ((n + 1) * 2 > nc) {
        nc *= 2;
    }
    uint32_t *ns = calloc(nc, sizeof *ns);
    if (ns == NULL) {
        return ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        size_t s = (size_t)hash_of(cd, i) & (nc - 1);
        while (ns[s] != 0) {
            s = (s + 1) & (nc - 1);
        }
        ns[s] = (uint32_t)(i + 1);
    }
    free(ix->slots);
    ix->slots = ns;
    ix->cap = nc;
    return 0;
}

static uint64_t file_hash_of(const CovData *cd, size_t i)
{
    return cd->files[i].hash;
}

static uint64_t page_key(uint32_t file, unsigned kind, uint32_t pageno)
{
    return mix(((uint64_t)file << 34) ^ ((uint64_t)kind << 32) ^ pageno);
}

static uint64_t page_hash_of(const CovData *cd, size_t i)
{
    const Page *p = &cd->pages[i];
    return page_key(p->file, p->kind, p->pageno);
}

/* Entries store the hash of their key alone (reused when merging); the
 * index position also mixes in the file and kind. */
static uint64_t entry_slot(uint64_t keyhash, uint32_t file, unsigned kind)
{
    return keyhash ^ mix(((uint64_t)file << 3) ^ kind ^ 0x5bd1e995ULL);
}

static uint64_t entry_hash_of(const CovData *cd, size_t i)
{
    const Entry *e = &cd->entries[i];
    return entry_slot(e->hash, e->file, e->kind);
}

static int arena_put(CovData *cd, const char *s, size_t n, size_t *off)
{
    int rc = grow((void **)&cd->arena, &cd->acap, cd->alen + n + 1, 1);
    if (rc != 0) {
        return rc;
    }
    memcpy(cd->arena + cd->alen, s, n);
    *off = cd->alen;
    cd->alen += n;
    return 0;
}

CovData *covdata_new(void)
{
    return calloc(1, sizeof(CovData));
}

void covdata_free(CovData *cd)
{
    if (cd == NULL) {
        return;
    }
    free(cd->files);
    free(cd->file_ix.slots);
    free(cd->pages);
    free(cd->page_ix.slots);
    free(cd->entries);
    free(cd->entry_ix.slots);
    free(cd->arena);
    free(cd->undo);
    free(cd);
}

/* Empties an index; one that grew far beyond `used` shrinks so that clearing
 * a small accumulator stays cheap after a big one. */
static void index_clear(Index *ix, size_t used)
{
    if (ix->cap > 1024 && used * 16 < ix->cap) {
        free(ix->slots);
        ix->slots = NULL;
        ix->cap = 0;
        return;
    }
    if (ix->slots) {
        memset(ix->slots, 0, ix->cap * sizeof *ix->slots);
    }
}

void covdata_clear(CovData *cd)
{
    index_clear(&cd->file_ix, cd->nfiles);
    index_clear(&cd->page_ix, cd->npages);
    index_clear(&cd->entry_ix, cd->nentries);
    cd->nfiles = cd->npages = cd->nentries = cd->alen = 0;
    cd->last_page = 0;
    cd->txn = false;
    cd->nundo = 0;
}

void covdata_begin(CovData *cd)
{
    cd->txn = true;
    cd->nundo = 0;
    if (++cd->gen == 0) { /* wrapped: no page or entry may look saved */
        for (size_t i = 0; i < cd->npages; i++) {
            cd->pages[i].gen = 0;
        }
        for (size_t i = 0; i < cd->nentries; i++) {
            cd->entries[i].gen = 0;
        }
        cd->gen = 1;
    }
}

void covdata_commit(CovData *cd)
{
    cd->txn = false;
    cd->nundo = 0;
    if (cd->cap_undo > 4096) { /* do not keep a huge journal around */
        free(cd->undo);
        cd->undo = NULL;
        cd->cap_undo = 0;
    }
}

void covdata_rollback(CovData *cd)
{
    for (size_t i = cd->nundo; i-- > 0;) {
        const Undo *u = &cd->undo[i];
        if (u->page) {
            memcpy(cd->pages[u->idx].found, u->found, sizeof u->found);
            memcpy(cd->pages[u->idx].hit, u->hit, sizeof u->hit);
        } else {
            cd->entries[u->idx].total = u->total;
            cd->entries[u->idx].covered = u->covered;
        }
    }
    covdata_commit(cd);
}

/* Saves a page or entry before its first change in the open transaction. */
static int journal(CovData *cd, bool page, size_t idx)
{
    int rc = grow((void **)&cd->undo, &cd->cap_undo, cd->nundo + 1, sizeof(Undo));
    if (rc != 0) {
        return rc;
    }
    Undo *u = &cd->undo[cd->nundo++];
    u->idx = (uint32_t)idx;
    u->page = page;
    if (page) {
        memcpy(u->found, cd->pages[idx].found, sizeof u->found);
        memcpy(u->hit, cd->pages[idx].hit, sizeof u->hit);
        cd->pages[idx].gen = cd->gen;
    } else {
        u->total = cd->entries[idx].total;
        u->covered = cd->entries[idx].covered;
        cd->entries[idx].gen = cd->gen;
    }
    return 0;
}

static int file_intern(CovData *cd, const char *name, size_t len, uint64_t h, uint32_t *id)
{
    if (cd->file_ix.cap) {
        size_t s = (size_t)h & (cd->file_ix.cap - 1);
        for (uint32_t v; (v = cd->file_ix.slots[s]) != 0; s = (s + 1) & (cd->file_ix.cap - 1)) {
            const FileRec *f = &cd->files[v - 1];
            if (f->hash == h && f->nlen == len && memcmp(cd->arena + f->noff, name, len) == 0) {
                *id = v - 1;
                return 0;
            }
        }
    }
    if (cd->nfiles >= UINT32_MAX - 1) {
        return ENOMEM;
    }
    int rc = index_reserve(cd, &cd->file_ix, cd->nfiles, file_hash_of);
    if (rc == 0) {
        rc = grow((void **)&cd->files, &cd->cap_files, cd->nfiles + 1, sizeof(FileRec));
    }
    size_t off = 0;
    if (rc == 0) {
        rc = arena_put(cd, name, len, &off);
    }
    if (rc != 0) {
        return rc;
    }
    FileRec *f = &cd->files[cd->nfiles];
    memset(f, 0, sizeof *f);
    f->hash = h;
    f->noff = off;
    f->nlen = len;
    size_t s = (size_t)h & (cd->file_ix.cap - 1);
    while (cd->file_ix.slots[s] != 0) {
        s = (s + 1) & (cd->file_ix.cap - 1);
    }
    cd->file_ix.slots[s] = (uint32_t)(cd->nfiles + 1);
    *id = (uint32_t)cd->nfiles++;
    return 0;
}

int covdata_file(CovData *cd, const char *name, size_t len, uint32_t *id)
{
    return file_intern(cd, name, len, hash_bytes(name, len, 0), id);
}

/* The page of (file, kind, pageno), created when missing. */
static Page *page_get(CovData *cd, uint32_t file, unsigned kind, uint32_t pageno)
{
    if (cd->last_page) {
        Page *p = &cd->pages[cd->last_page - 1];
        if (p->pageno == pageno && p->file == file && p->kind == kind) {
            return p;
        }
    }
    uint64_t h = page_key(file, kind, pageno);
    if (cd->page_ix.cap) {
        size_t s = (size_t)h & (cd->page_ix.cap - 1);
        for (uint32_t v; (v = cd->page_ix.slots[s]) != 0; s = (s + 1) & (cd->page_ix.cap - 1)) {
            Page *p = &cd->pages[v - 1];
            if (p->pageno == pageno && p->file == file && p->kind == kind) {
                cd->last_page = v;
                return p;
            }
        }
    }
    if (cd->npages >= UINT32_MAX - 1 ||
        index_reserve(cd, &cd->page_ix, cd->npages, page_hash_of) != 0 ||
        grow((void **)&cd->pages, &cd->cap_pages, cd->npages + 1, sizeof(Page)) != 0) {
        return NULL;
    }
    Page *p = &cd->pages[cd->npages];
    memset(p, 0, sizeof *p);
    p->file = file;
    p->kind = kind;
    p->pageno = pageno;
    size_t s = (size_t)h & (cd->page_ix.cap - 1);
    while (cd->page_ix.slots[s] != 0) {
        s = (s + 1) & (cd->page_ix.cap - 1);
    }
    cd->page_ix.slots[s] = (uint32_t)(cd->npages + 1);
    cd->last_page = ++cd->npages;
    return p;
}

int covdata_mark(CovData *cd, uint32_t file, unsigned kind, uint32_t n, bool hit)
{
    if (kind >= COVDATA_KINDS || file >= cd->nfiles) {
        return EINVAL;
    }
    Page *p = page_get(cd, file, kind, n / PAGE_BITS);
    if (p == NULL) {
        return ENOMEM;
    }
    if (cd->txn && p->gen != cd->gen) {
        int rc = journal(cd, true, (size_t)(p - cd->pages));
        if (rc != 0) {
            return rc;
        }
    }
    unsigned bit = n % PAGE_BITS;
    uint64_t m = 1ULL << (bit % 64);
    p->found[bit / 64] |= m;
    if (hit) {
        p->hit[bit / 64] |= m;
    }
    return 0;
}

static int entry_put(CovData *cd, uint32_t file, unsigned kind, const char *key, size_t klen,
                     uint64_t kh, double total, double covered)
{
    uint64_t h = entry_slot(kh, file, kind);
    if (cd->entry_ix.cap) {
        size_t s = (size_t)h & (cd->entry_ix.cap - 1);
        for (uint32_t v; (v = cd->entry_ix.slots[s]) != 0; s = (s + 1) & (cd->entry_ix.cap - 1)) {
            Entry *e = &cd->entries[v - 1];
            if (e->hash == kh && e->file == file && e->kind == kind && e->klen == klen &&
                memcmp(cd->arena + e->koff, key, klen) == 0) {
                if (cd->txn && e->gen != cd->gen && (total > e->total || covered > e->covered)) {
                    int rc = journal(cd, false, v - 1);
                    if (rc != 0) {
                        return rc;
                    }
                }
                if (total > e->total) {
                    e->total = total;
                }
                if (covered > e->covered) {
                    e->covered = covered;
                }
                return 0;
            }
        }
    }
    if (cd->nentries >= UINT32_MAX - 1) {
        return ENOMEM;
    }
    size_t off = 0;
    int rc = index_reserve(cd, &cd->entry_ix, cd->nentries, entry_hash_of);
    if (rc == 0) {
        rc = grow((void **)&cd->entries, &cd->cap_entries, cd->nentries + 1, sizeof(Entry));
    }
    if (rc == 0) {
        rc = arena_put(cd, key, klen, &off);
    }
    if (rc != 0) {
        return rc;
    }
    Entry *e = &cd->entries[cd->nentries];
    e->hash = kh;
    e->koff = off;
    e->klen = (uint32_t)klen;
    e->file = file;
    e->kind = kind;
    e->total = 0;
    e->covered = 0;
    e->gen = 0;
    if (cd->txn && (rc = journal(cd, false, cd->nentries)) != 0) {
        return rc; /* the entry is not indexed: it stays unused */
    }
    e->total = total;
    e->covered = covered;
    size_t s = (size_t)h & (cd->entry_ix.cap - 1);
    while (cd->entry_ix.slots[s] != 0) {
        s = (s + 1) & (cd->entry_ix.cap - 1);
    }
    cd->entry_ix.slots[s] = (uint32_t)(++cd->nentries);
    return 0;
}

int covdata_entry(CovData *cd, uint32_t file, unsigned kind, const char *key, size_t klen,
                  double total, double covered)
{
    if (kind >= COVDATA_KINDS || file >= cd->nfiles || klen > UINT32_MAX) {
        return EINVAL;
    }
    return entry_put(cd, file, kind, key, klen, hash_bytes(key, klen, 0), total, covered);
}

int covdata_add(CovData *cd, uint32_t file, unsigned kind, double total, double covered)
{
    if (kind >= COVDATA_KINDS || file >= cd->nfiles) {
        return EINVAL;
    }
    cd->files[file].sum_total[kind] += total;
    cd->files[file].sum_covered[kind] += covered;
    return 0;
}

int covdata_merge(CovData *dst, const CovData *src)
{
    uint32_t small[8];
    uint32_t *map = src->nfiles <= 8 ? small : malloc(src->nfiles * sizeof *map);
    if (map == NULL) {
        return ENOMEM;
    }
    int rc = 0;
    for (size_t i = 0; i < src->nfiles && rc == 0; i++) {
        const FileRec *f = &src->files[i];
        rc = file_intern(dst, src->arena + f->noff, f->nlen, f->hash, &map[i]);
        for (unsigned k = 0; rc == 0 && k < COVDATA_KINDS; k++) {
            dst->files[map[i]].sum_total[k] += f->sum_total[k];
            dst->files[map[i]].sum_covered[k] += f->sum_covered[k];
        }
    }
    for (size_t i = 0; i < src->npages && rc == 0; i++) {
        const Page *sp = &src->pages[i];
        Page *dp = page_get(dst, map[sp->file], sp->kind, sp->pageno);
        if (dp == NULL) {
            rc = ENOMEM;
            break;
        }
        for (int w = 0; w < PAGE_WORDS; w++) {
            dp->found[w] |= sp->found[w];
            dp->hit[w] |= sp->hit[w];
        }
    }
    for (size_t i = 0; i < src->nentries && rc == 0; i++) {
        const Entry *e = &src->entries[i];
        rc = entry_put(dst, map[e->file], e->kind, src->arena + e->koff, e->klen, e->hash, e->total,
                       e->covered);
    }
    if (map != small) {
        free(map);
    }
    return rc;
}

size_t covdata_nfiles(const CovData *cd)
{
    return cd->nfiles;
}

const char *covdata_file_name(const CovData *cd, uint32_t id, size_t *len)
{
    if (id >= cd->nfiles) {
        *len = 0;
        return "";
    }
    *len = cd->files[id].nlen;
    return cd->arena + cd->files[id].noff;
}

void covdata_totals(const CovData *cd, unsigned kind, double *total, double *covered)
{
    for (size_t i = 0; i < cd->nfiles; i++) {
        total[i] = kind < COVDATA_KINDS ? cd->files[i].sum_total[kind] : 0;
        covered[i] = kind < COVDATA_KINDS ? cd->files[i].sum_covered[kind] : 0;
    }
    for (size_t i = 0; i < cd->npages; i++) {
        const Page *p = &cd->pages[i];
        if (p->kind != kind) {
            continue;
        }
        for (int w = 0; w < PAGE_WORDS; w++) {
            total[p->file] += __builtin_popcountll(p->found[w]);
            covered[p->file] += __builtin_popcountll(p->hit[w] & p->found[w]);
        }
    }
    for (size_t i = 0; i < cd->nentries; i++) {
        const Entry *e = &cd->entries[i];
        if (e->kind == kind) {
            total[e->file] += e->total;
            covered[e->file] += e->covered;
        }
    }
}

size_t covdata_bytes(const CovData *cd)
{
    return sizeof *cd + cd->cap_files * sizeof(FileRec) + cd->cap_pages * sizeof(Page) +
           cd->cap_entries * sizeof(Entry) + cd->acap +
           (cd->file_ix.cap + cd->page_ix.cap + cd->entry_ix.cap) * sizeof(uint32_t);
}
