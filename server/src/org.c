/* org.c - owns the synthetic dataset: builds the organization (projects,
 * users, service accounts, keys, models, vector stores, usage streams of all
 * eleven usage endpoints, cost streams) from a seed, and defines the
 * per-minute usage and per-hour cost functions. Everything is a pure
 * function of (seed, org size, stream, time); the server's page builder and
 * the independent `truth` command both read the data only through here. */
#include "org.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const org_metric_names[ORG_NMETRICS] = {
    "input_tokens",
    "input_cached_tokens",
    "input_cache_write_tokens",
    "input_cache_write_12h_tokens",
    "input_uncached_tokens",
    "output_tokens",
    "input_text_tokens",
    "output_text_tokens",
    "input_cached_text_tokens",
    "input_audio_tokens",
    "input_cached_audio_tokens",
    "output_audio_tokens",
    "input_image_tokens",
    "input_cached_image_tokens",
    "output_image_tokens",
    "num_model_requests",
};

const char *const org_tier_names[ORG_NTIERS] = {"default", "flex", "priority",
                                                "scale"};

const char *const org_api_sources[ORG_NAPI_SOURCES] = {"unlabeled",
                                                       "agents_api", "evals"};

/* ---- the other usage endpoints: wire description ------------------------ */

const char *const org_xdim_names[ORG_NXD] = {
    "project_id", "user_id",         "api_key_id",    "model",     "size",
    "source",     "vector_store_id", "context_level", "api_source"};

#define XD_PUKM XD_PROJECT, XD_USER, XD_API_KEY, XD_MODEL

const org_xe_info org_xe_table[ORG_NXE] = {
    {"embeddings",
     "organization.usage.embeddings.result",
     2,
     {"input_tokens", "num_model_requests"},
     false,
     4,
     {XD_PUKM},
     {XD_PUKM}},
    {"moderations",
     "organization.usage.moderations.result",
     2,
     {"input_tokens", "num_model_requests"},
     false,
     4,
     {XD_PUKM},
     {XD_PUKM}},
    {"images",
     "organization.usage.images.result",
     2,
     {"images", "num_model_requests"},
     false,
     6,
     {XD_PUKM, XD_SIZE, XD_SOURCE},
     {XD_SIZE, XD_SOURCE, XD_PUKM}},
    {"audio_speeches",
     "organization.usage.audio_speeches.result",
     2,
     {"characters", "num_model_requests"},
     false,
     4,
     {XD_PUKM},
     {XD_PUKM}},
    {"audio_transcriptions",
     "organization.usage.audio_transcriptions.result",
     2,
     {"seconds", "num_model_requests"},
     false,
     4,
     {XD_PUKM},
     {XD_PUKM}},
    {"vector_stores",
     "organization.usage.vector_stores.result",
     1,
     {"usage_bytes", NULL},
     true,
     1,
     {XD_PROJECT},
     {XD_PROJECT}},
    {"code_interpreter_sessions",
     "organization.usage.code_interpreter_sessions.result",
     1,
     {"num_sessions", NULL},
     false,
     1,
     {XD_PROJECT},
     {XD_PROJECT}},
    {"file_search_calls",
     "organization.usage.file_searches.result",
     1,
     {"num_requests", NULL},
     false,
     4,
     {XD_PROJECT, XD_USER, XD_API_KEY, XD_VECTOR_STORE},
     {XD_PROJECT, XD_USER, XD_API_KEY, XD_VECTOR_STORE}},
    {"web_search_calls",
     "organization.usage.web_searches.result",
     2,
     {"num_model_requests", "num_requests"},
     false,
     6,
     {XD_PUKM, XD_CONTEXT_LEVEL, XD_API_SOURCE},
     {XD_PUKM, XD_CONTEXT_LEVEL, XD_API_SOURCE}},
};

const char *const org_image_sizes[ORG_NSIZES] = {"256x256",   "512x512",
                                                 "1024x1024", "1792x1792",
                                                 "1024x1792", "1536x1024",
                                                 "1024x1536", "1792x1024"};
const char *const org_image_sources[ORG_NSOURCES] = {"image.generation",
                                                     "image.edit",
                                                     "image.variation"};
const char *const org_context_levels[ORG_NCONTEXT_LEVELS] = {"low", "medium",
                                                             "high"};

enum {
    XM_EMBED_3_SMALL,
    XM_EMBED_3_LARGE,
    XM_EMBED_ADA_002,
    XM_OMNI_MODERATION,
    XM_OMNI_MODERATION_0926,
    XM_TEXT_MODERATION,
    XM_DALL_E_3,
    XM_DALL_E_2,
    XM_GPT_IMAGE_1,
    XM_TTS_1,
    XM_TTS_1_HD,
    XM_GPT_4O_MINI_TTS,
    XM_WHISPER_1,
    XM_GPT_4O_TRANSCRIBE,
    XM_GPT_4O_MINI_TRANSCRIBE,
    XM_GPT_4O_MINI_SEARCH,
    XM_GPT_4O_SEARCH,
    XM_GPT_41,
    XM_GPT_5,
    ORG_NXMODELS
};

const char *const org_xmodel_names[ORG_NXMODELS] = {
    "text-embedding-3-small",
    "text-embedding-3-large",
    "text-embedding-ada-002",
    "omni-moderation-latest",
    "omni-moderation-2024-09-26",
    "text-moderation-latest",
    "dall-e-3",
    "dall-e-2",
    "gpt-image-1",
    "tts-1",
    "tts-1-hd",
    "gpt-4o-mini-tts",
    "whisper-1",
    "gpt-4o-transcribe",
    "gpt-4o-mini-transcribe",
    "gpt-4o-mini-search-preview-2025-03-11",
    "gpt-4o-search-preview-2025-03-11",
    "gpt-4.1-2025-04-14",
    "gpt-5-2025-08-07",
};

bool org_xe_by_path(const char *path, org_xe *out)
{
    for (int e = 0; e < ORG_NXE; e++)
        if (strcmp(org_xe_table[e].path, path) == 0) {
            *out = (org_xe)e;
            return true;
        }
    return false;
}

/* ---- static catalogues ------------------------------------------------- */

/*  name, audio, image_in, image_out, cache, price in/cached/out (1e-10 $/tok) */
static const org_model MODELS[] = {
    {"gpt-4o-2024-08-06", true, true, false, true, 25000, 12500, 100000},
    {"gpt-4o-mini-2024-07-18", false, true, false, true, 1500, 750, 6000},
    {"o3-mini-2025-01-31", false, false, false, true, 11000, 5500, 44000},
    {"gpt-4.1-2025-04-14", false, true, false, true, 20000, 5000, 80000},
    {"gpt-5-2025-08-07", false, true, true, true, 12500, 1250, 100000},
    {"text-davinci-legacy", false, false, false, false, 200000, 0, 200000},
    /* large org only */
    {"gpt-4o-audio-preview-2024-12-17", true, false, false, false, 25000, 0,
     100000},
    {"gpt-4o-realtime-preview-2024-12-17", true, false, false, true, 50000,
     25000, 200000},
    {"gpt-image-1", false, true, true, true, 50000, 12500, 400000},
    {"gpt-4.1-mini-2025-04-14", false, true, false, true, 4000, 1000, 16000},
    {"o4-mini-2025-04-16", false, true, false, true, 11000, 2750, 44000},
    {"gpt-5-mini-2025-08-07", false, true, false, true, 2500, 250, 20000},
};

static const char *const SMALL_PROJECTS[] = {
    "Customer Support Bot",          "Internal Knowledge Search",
    "R&D Sandbox, \"Experimental\"", "Marketing Copy Studio", /* archived */
    "Data Extraction Pipeline",      "Legacy Chat Widget",    /* deleted */
};

static const char *const TEAMS[] = {"Growth",   "Billing", "Search", "Support",
                                    "Platform", "Data",    "Mobile", "Security",
                                    "Sales",    "Legal"};
static const char *const PRODUCTS[] = {"Assistant", "Summarizer", "Classifier",
                                       "Copilot",   "Translator", "Indexer",
                                       "Evaluator", "Agent"};

static const char *const FIRST[] = {"Ada",   "Ben",   "Chloe", "Diego",
                                    "Elena", "Farid", "Grace", "Hiro",
                                    "Ines",  "Jonas", "Kara",  "Liam",
                                    "Maya",  "Noah",  "Olga",  "Priya",
                                    "Quinn", "Rosa",  "Sami",  "Tomas"};
static const char *const LAST[] = {"Adams",    "Bauer",    "Chen",   "Dubois",
                                   "Evans",    "Fischer",  "Garcia", "Haddad",
                                   "Ito",      "Jensen",   "Kowal",  "Lopez",
                                   "Moreau",   "Nakamura", "Okafor", "Petrov",
                                   "Quintero", "Rossi",    "Silva",  "Tanaka"};

static const char *const KEY_NAMES[] = {"Production",      "Staging",
                                        "CI pipeline",     "Batch jobs",
                                        "Local dev",       "Analytics",
                                        "Zapier",          "Eval harness",
                                        "Backfill worker", "Slack bot",
                                        "Notebook",        "Nightly export"};

static const char *const SA_NAMES[] = {"deploy-bot",    "ci-runner",
                                       "etl-worker",    "support-agent",
                                       "eval-service",  "nightly-batch",
                                       "search-indexer"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char ALNUM[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

static void rand_id(uint64_t *st, const char *prefix, int n, char *out,
                    size_t outn)
{
    size_t p = strlen(prefix);
    snprintf(out, outn, "%s", prefix);
    for (int i = 0; i < n && p + (size_t)i + 1 < outn; i++)
        out[p + (size_t)i] = ALNUM[prng_next(st) % (sizeof ALNUM - 1)];
    out[p + (size_t)n < outn ? p + (size_t)n : outn - 1] = '\0';
}

static int64_t rand_between(uint64_t *st, int64_t lo, int64_t hi)
{
    return hash_range(prng_next(st), lo, hi);
}

/* ---- organization construction ----------------------------------------- */

static void make_projects(org_t *o, uint64_t *st)
{
    bool large = o->size == ORG_LARGE;
    int listed = large ? 40 : 5;
    o->nprojects = listed + 1; /* + one deleted project */
    o->projects = xcalloc((size_t)o->nprojects, sizeof *o->projects);
    int combo_perm[NELEM(TEAMS) * NELEM(PRODUCTS)];
    int ncombo = (int)NELEM(combo_perm);
    for (int i = 0; i < ncombo; i++)
        combo_perm[i] = i;
    for (int i = ncombo - 1; i > 0; i--) {
        int j = (int)(prng_next(st) % (uint64_t)(i + 1));
        int t = combo_perm[i];
        combo_perm[i] = combo_perm[j];
        combo_perm[j] = t;
    }
    for (int i = 0; i < o->nprojects; i++) {
        org_project *p = &o->projects[i];
        rand_id(st, "proj_", 24, p->id, sizeof p->id);
        if (!large) {
            snprintf(p->name, sizeof p->name, "%s", SMALL_PROJECTS[i]);
        } else if (i < listed) {
            int c = combo_perm[i];
            snprintf(p->name, sizeof p->name, "%s %s",
                     TEAMS[c / (int)NELEM(PRODUCTS)],
                     PRODUCTS[c % (int)NELEM(PRODUCTS)]);
        } else {
            snprintf(p->name, sizeof p->name, "Legacy Chat Widget");
        }
        p->created_at = rand_between(st, 1680307200, 1703980800); /* 2023 */
        p->deleted = i == listed;
        bool archived = large ? (i % 10 == 3) : (i == 3);
        if (archived)
            p->archived_at = rand_between(st, 1735689600, 1740000000);
    }
}

static void make_users(org_t *o, uint64_t *st)
{
    o->nusers = o->size == ORG_LARGE ? 200 : 8;
    o->users = xcalloc((size_t)o->nusers, sizeof *o->users);
    int ncombo = (int)(NELEM(FIRST) * NELEM(LAST));
    int *perm = xmalloc((size_t)ncombo * sizeof *perm);
    for (int i = 0; i < ncombo; i++)
        perm[i] = i;
    for (int i = ncombo - 1; i > 0; i--) {
        int j = (int)(prng_next(st) % (uint64_t)(i + 1));
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (int i = 0; i < o->nusers; i++) {
        org_user *u = &o->users[i];
        const char *f = FIRST[perm[i] / (int)NELEM(LAST)];
        const char *l = LAST[perm[i] % (int)NELEM(LAST)];
        rand_id(st, "user-", 24, u->id, sizeof u->id);
        snprintf(u->name, sizeof u->name, "%s %s", f, l);
        snprintf(u->email, sizeof u->email, "%s.%s@example.com", f, l);
        for (char *c = u->email; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        u->role = (i == 0 || i % 50 == 7) ? "owner" : "reader";
        u->added_at = rand_between(st, 1672531200, 1704067200);
    }
    free(perm);
}

static void make_keys(org_t *o, uint64_t *st)
{
    int listed_projects = o->nprojects - 1;
    int listed = o->size == ORG_LARGE ? 400 : 12;
    o->nkeys = listed + 1; /* + one key of the deleted project */
    o->keys = xcalloc((size_t)o->nkeys, sizeof *o->keys);
    for (int i = 0; i < o->nkeys; i++) {
        org_key *k = &o->keys[i];
        rand_id(st, "key_", 16, k->id, sizeof k->id);
        if (i == listed)
            k->project = listed_projects; /* the deleted project */
        else if (i < listed_projects)
            k->project = i;
        else
            k->project = (int)(prng_next(st) % (uint64_t)listed_projects);
        k->owner = (int)(prng_next(st) % (uint64_t)o->nusers);
        const char *base = KEY_NAMES[prng_next(st) % NELEM(KEY_NAMES)];
        if (o->size == ORG_LARGE)
            snprintf(k->name, sizeof k->name, "%s %d", base, i + 1);
        else
            snprintf(k->name, sizeof k->name, "%s", base);
        char head[8], tail[8];
        rand_id(st, "", 3, head, sizeof head);
        rand_id(st, "", 4, tail, sizeof tail);
        snprintf(k->redacted, sizeof k->redacted, "sk-proj-%s...%s", head,
                 tail);
        int64_t pc = o->projects[k->project].created_at;
        k->created_at = rand_between(st, pc, pc + 200 * SECS_DAY);
        k->last_used_at = rand_between(st, 1735689600, 1756684800);
        /* Ownership is a function of the index alone (no draws), so that
         * every id and stream drawn after the keys stays as it was. Among
         * the listed keys every 5th (4, 9, ...) belongs to a service
         * account; of the others every 4th (2, 6, 10, ...) belongs to a
         * user who left the project. */
        k->owner_sa = -1;
        bool sa = i < listed && i % 5 == 4;
        k->inactive = i < listed && !sa && i % 4 == 2;
        if (sa)
            k->owner = -1; /* owner_sa is set by make_service_accounts */
    }
}

/* A service account for every key a service account owns (in that key's
 * project), plus a few without keys: two in the first project of the small
 * org, one in every 4th project of the large one. Drawn from their own
 * state, after everything else. */
static void add_service_account(org_t *o, uint64_t *st, int project, int n)
{
    org_service_account *a = &o->service_accounts[o->nservice_accounts];
    rand_id(st, "svc_acct_", 24, a->id, sizeof a->id);
    const char *base = SA_NAMES[prng_next(st) % NELEM(SA_NAMES)];
    if (o->size == ORG_LARGE)
        snprintf(a->name, sizeof a->name, "%s-%d", base, n + 1);
    else
        snprintf(a->name, sizeof a->name, "%s", base);
    a->project = project;
    a->role = n % 5 == 0 ? "owner" : "member";
    int64_t pc = o->projects[project].created_at;
    a->created_at = rand_between(st, pc, pc + 300 * SECS_DAY);
    o->nservice_accounts++;
}

static void make_service_accounts(org_t *o, uint64_t *st)
{
    bool large = o->size == ORG_LARGE;
    int listed = o->nprojects - 1;
    o->service_accounts = xcalloc((size_t)(o->nkeys + listed + 2),
                                  sizeof *o->service_accounts);
    int n = 0;
    for (int p = 0; p < listed; p++) {
        int extra = large ? (p % 4 == 0) : (p == 0 ? 2 : 0);
        for (int i = 0; i < extra; i++)
            add_service_account(o, st, p, n++);
    }
    for (int k = 0; k < o->nkeys; k++) {
        if (o->keys[k].owner >= 0)
            continue;
        o->keys[k].owner_sa = o->nservice_accounts;
        add_service_account(o, st, o->keys[k].project, n++);
    }
}

/* api_source of stream i: mostly "unlabeled", every 3rd "agents_api", and
 * rarely (i = 7, 104, 201, ...) "evals" */
static int pick_api_source(int i)
{
    if (i % 97 == 7)
        return 2;
    return i % 3 == 1 ? 1 : 0;
}

static int pick_tier(uint64_t r)
{
    int x = (int)(r % 100);
    if (x < 70)
        return 0;
    if (x < 80)
        return 1;
    if (x < 92)
        return 2;
    return 3;
}

static void make_streams(org_t *o, uint64_t *st)
{
    o->nstreams = o->size == ORG_LARGE ? 500 : 20;
    o->streams = xcalloc((size_t)o->nstreams, sizeof *o->streams);
    for (int i = 0; i < o->nstreams; i++) {
        org_stream *s = &o->streams[i];
        s->key = i < o->nkeys ? i : (int)(prng_next(st) % (uint64_t)o->nkeys);
        s->project = o->keys[s->key].project;
        s->model = i < o->nmodels ? (o->nmodels - 1 - i)
                                  : (int)(prng_next(st) % (uint64_t)o->nmodels);
        bool shared_key = prng_next(st) % 4 == 0;
        s->user = shared_key ? (int)(prng_next(st) % (uint64_t)o->nusers)
                             : o->keys[s->key].owner;
        bool service = o->size == ORG_LARGE ? prng_next(st) % 25 == 0
                                            : (i == 6 || i == 13);
        if (service || o->keys[s->key].owner < 0)
            s->user = -1;
        s->batch = prng_next(st) % 6 == 0;
        s->tier = s->batch ? 0 : pick_tier(prng_next(st));
        if (i < 5) { /* make sure every tier and batch appear */
            s->batch = i == 4;
            s->tier = i < 4 ? i : 0;
        }
        s->intensity = (int)rand_between(st, 50, 150);
        s->salt = mix64(o->seed * 0x2545F4914F6CDD1DULL + (uint64_t)i + 1);
        s->api_source = pick_api_source(i);
        s->extended_cache = o->models[s->model].cache && i % 4 == 1;
        s->late_attribution = i % 4 == 3;
    }
}

/* decisions streams: fewer and quieter than completions, on the models
 * listed here (all with a cache), every other one with extended caching */
static void make_dstreams(org_t *o, uint64_t *st)
{
    static const int DMODELS[] = {4, 3, 2, 1}; /* gpt-5, gpt-4.1, o3-mini,
                                                  gpt-4o-mini */
    bool large = o->size == ORG_LARGE;
    o->ndstreams = large ? 120 : 6;
    o->dstreams = xcalloc((size_t)o->ndstreams, sizeof *o->dstreams);
    for (int i = 0; i < o->ndstreams; i++) {
        org_stream *s = &o->dstreams[i];
        s->key = (int)(prng_next(st) % (uint64_t)o->nkeys);
        s->project = o->keys[s->key].project;
        int nm = (int)NELEM(DMODELS);
        s->model = DMODELS[i < nm ? i : (int)(prng_next(st) % (uint64_t)nm)];
        bool shared_key = prng_next(st) % 4 == 0;
        s->user = shared_key ? (int)(prng_next(st) % (uint64_t)o->nusers)
                             : o->keys[s->key].owner;
        bool service = large ? prng_next(st) % 20 == 0 : i == 2;
        if (service || o->keys[s->key].owner < 0)
            s->user = -1;
        s->batch = large ? prng_next(st) % 8 == 0 : i == 3;
        s->tier = s->batch ? 0 : pick_tier(prng_next(st));
        s->intensity = (int)rand_between(st, 30, 90);
        s->salt = mix64(o->seed * 0x94D049BB133111EBULL + (uint64_t)i + 1);
        s->api_source = pick_api_source(i);
        s->extended_cache = i % 2 == 0;
        s->late_attribution = i % 4 == 3;
    }
}

static void add_cost_stream(org_t *o, int *cap, const org_cost_stream *cs)
{
    if (o->ncost_streams == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        o->cost_streams = xrealloc(o->cost_streams,
                                   (size_t)*cap * sizeof *o->cost_streams);
    }
    org_cost_stream *d = &o->cost_streams[o->ncost_streams];
    *d = *cs;
    d->salt = mix64(o->seed * 0x9E3779B97F4A7C15ULL +
                    (uint64_t)o->ncost_streams + 0x1234567ULL);
    d->late_attribution = o->ncost_streams % 4 == 1;
    o->ncost_streams++;
}

static bool triple_seen(const org_t *o, int upto, const org_stream *s)
{
    for (int j = 0; j < upto; j++) {
        const org_stream *t = &o->streams[j];
        if (t->project == s->project && t->key == s->key &&
            t->model == s->model)
            return true;
    }
    return false;
}

static void add_token_cost_streams(org_t *o, int *cap, uint64_t *st)
{
    static const char *const SUFFIX[] = {"input", "cached input", "output"};
    static const org_cost_kind KIND[] = {COST_INPUT, COST_CACHED_INPUT,
                                         COST_OUTPUT};
    for (int i = 0; i < o->nstreams; i++) {
        const org_stream *s = &o->streams[i];
        if (triple_seen(o, i, s))
            continue;
        const org_model *m = &o->models[s->model];
        for (int k = 0; k < 3; k++) {
            if (KIND[k] == COST_CACHED_INPUT && !m->cache)
                continue;
            org_cost_stream cs = {0};
            cs.project = s->project;
            cs.key = s->key;
            cs.model = s->model;
            cs.user = s->user;
            cs.api_source = s->api_source;
            cs.kind = KIND[k];
            cs.quantity_unit = "tokens";
            snprintf(cs.line_item, sizeof cs.line_item, "%s, %s", m->name,
                     SUFFIX[k]);
            /* every 4th token stream is sparse and tiny: exercises the
             * exponent form of small amounts */
            bool sparse = o->ncost_streams % 4 == 3;
            cs.base = sparse ? 0 : rand_between(st, 20000, 2000000);
            add_cost_stream(o, cap, &cs);
        }
    }
}

static void add_project_cost_streams(org_t *o, int *cap, uint64_t *st)
{
    for (int p = 0; p < o->nprojects; p++) {
        if (p % 3 != 1) {
            org_cost_stream cs = {0};
            cs.project = p;
            cs.key = -1;
            cs.model = -1;
            cs.user = -1;
            cs.api_source = 0;
            cs.kind = COST_FILE_STORAGE;
            cs.quantity_unit = "gibibyte_hours";
            snprintf(cs.line_item, sizeof cs.line_item, "File search storage");
            cs.base = rand_between(st, 50, 800); /* hundredths of GiB */
            add_cost_stream(o, cap, &cs);
        }
        if (p % 3 != 2) {
            org_cost_stream cs = {0};
            cs.project = p;
            cs.key = -1;
            cs.model = -1;
            cs.user = -1;
            cs.api_source = p % 2 == 0 ? 1 : 0; /* agents search the web */
            cs.kind = COST_WEB_SEARCH;
            cs.quantity_unit = NULL;
            snprintf(cs.line_item, sizeof cs.line_item,
                     "Web search tool calls");
            cs.base = rand_between(st, 5, 40);
            add_cost_stream(o, cap, &cs);
        }
    }
}

/* Prompt-cache writes, billed as "<model>, cache writes" (30-minute
 * retention, models with a cache) and "<model>, cache writes - 12hr" (the
 * (project, key, model) triples whose first stream uses extended caching).
 * Appended after every other cost stream and drawn from their own state,
 * so the earlier streams keep their salts and magnitudes. */
static void add_cache_write_cost_streams(org_t *o, int *cap, uint64_t *st)
{
    for (int i = 0; i < o->nstreams; i++) {
        const org_stream *s = &o->streams[i];
        const org_model *m = &o->models[s->model];
        if (triple_seen(o, i, s) || !m->cache)
            continue;
        for (int k = 0; k < 2; k++) {
            if (k == 1 && !s->extended_cache)
                continue;
            org_cost_stream cs = {0};
            cs.project = s->project;
            cs.key = s->key;
            cs.model = s->model;
            cs.user = s->user;
            cs.api_source = s->api_source;
            cs.kind = k == 0 ? COST_CACHE_WRITE : COST_CACHE_WRITE_12H;
            cs.quantity_unit = "tokens";
            snprintf(cs.line_item, sizeof cs.line_item, "%s, %s", m->name,
                     k == 0 ? "cache writes" : "cache writes - 12hr");
            bool sparse = o->ncost_streams % 4 == 3;
            cs.base = sparse ? 0 : rand_between(st, 20000, 2000000);
            add_cost_stream(o, cap, &cs);
        }
    }
}

/* ---- the other usage endpoints: streams -------------------------------- */

typedef struct {
    int nsmall, nlarge;       /* streams (vector_stores: see make_xstreams) */
    int model_first, nmodels; /* range in org_xmodel_names */
    int rate;                 /* percent of the completions hour profile */
} xe_profile;

static const xe_profile XE_PROFILES[ORG_NXE] = {
    [XE_EMBEDDINGS] = {6, 150, XM_EMBED_3_SMALL, 3, 80},
    [XE_MODERATIONS] = {4, 100, XM_OMNI_MODERATION, 3, 60},
    [XE_IMAGES] = {11, 200, XM_DALL_E_3, 3, 20},
    [XE_AUDIO_SPEECHES] = {5, 125, XM_TTS_1, 3, 30},
    [XE_AUDIO_TRANSCRIPTIONS] = {5, 125, XM_WHISPER_1, 3, 30},
    [XE_VECTOR_STORES] = {0, 0, 0, 0, 0},
    [XE_CODE_INTERPRETER_SESSIONS] = {4, 100, 0, 0, 15},
    [XE_FILE_SEARCH_CALLS] = {6, 150, 0, 0, 50},
    [XE_WEB_SEARCH_CALLS] = {8, 200, XM_GPT_4O_MINI_SEARCH, 4, 40},
};

/* (model, size, source) tuples an image stream can have; the first ones are
 * used in order so that every size (old enum and newer) and source occurs */
static const struct {
    int model, size, source;
} IMAGE_COMBOS[] = {
    {XM_DALL_E_3, 2, 0},    {XM_DALL_E_3, 4, 0},    {XM_DALL_E_2, 0, 2},
    {XM_DALL_E_2, 1, 1},    {XM_GPT_IMAGE_1, 2, 1}, {XM_GPT_IMAGE_1, 3, 0},
    {XM_DALL_E_2, 2, 0},    {XM_GPT_IMAGE_1, 4, 0}, {XM_GPT_IMAGE_1, 5, 0},
    {XM_GPT_IMAGE_1, 6, 1}, {XM_DALL_E_3, 7, 0},    {XM_DALL_E_2, 2, 1},
    {XM_GPT_IMAGE_1, 2, 0}, {XM_DALL_E_3, 3, 0},    {XM_GPT_IMAGE_1, 5, 1},
};

/* projects that own vector stores: the ones billed "File search storage" */
static bool has_vector_stores(int project)
{
    return project % 3 != 1;
}

static void make_vector_stores(org_t *o, uint64_t *st)
{
    int most = o->size == ORG_LARGE ? 4 : 3;
    o->vector_stores = xcalloc((size_t)o->nprojects * (size_t)most,
                               sizeof *o->vector_stores);
    for (int p = 0; p < o->nprojects; p++) {
        if (!has_vector_stores(p))
            continue;
        int n = (int)rand_between(st, 1, most);
        for (int i = 0; i < n; i++) {
            org_vector_store *v = &o->vector_stores[o->nvector_stores++];
            rand_id(st, "vs_", 24, v->id, sizeof v->id);
            v->project = p;
        }
    }
}

static int key_of_project(const org_t *o, int project, uint64_t r)
{
    int n = 0;
    for (int k = 0; k < o->nkeys; k++)
        n += o->keys[k].project == project;
    int pick = n ? (int)(r % (uint64_t)n) : 0;
    for (int k = 0; k < o->nkeys; k++)
        if (o->keys[k].project == project && pick-- == 0)
            return k;
    return 0;
}

static bool xe_has_dim(org_xe e, org_xdim d)
{
    const org_xe_info *info = &org_xe_table[e];
    for (int i = 0; i < info->ndims; i++)
        if (info->groups[i] == d)
            return true;
    return false;
}

/* project, key and user of stream i of an endpoint with those dimensions */
static void x_owner(org_t *o, uint64_t *st, org_xe e, int i, org_xstream *s)
{
    bool large = o->size == ORG_LARGE;
    int key;
    if (e == XE_FILE_SEARCH_CALLS) {
        int vs = i < o->nvector_stores
                     ? i
                     : (int)(prng_next(st) % (uint64_t)o->nvector_stores);
        s->dim[XD_VECTOR_STORE] = vs;
        key = key_of_project(o, o->vector_stores[vs].project, prng_next(st));
    } else {
        /* stream 1 uses the deleted project's key */
        key = i == 1 ? o->nkeys - 1 : (int)(prng_next(st) % (uint64_t)o->nkeys);
    }
    s->dim[XD_API_KEY] = key;
    s->dim[XD_PROJECT] = o->keys[key].project;
    bool shared_key = prng_next(st) % 4 == 0;
    s->dim[XD_USER] = shared_key ? (int)(prng_next(st) % (uint64_t)o->nusers)
                                 : o->keys[key].owner;
    bool service = large ? prng_next(st) % 25 == 0 : i == 2;
    if (service || o->keys[key].owner < 0)
        s->dim[XD_USER] = -1;
}

static void x_vector_store_level(org_t *o, uint64_t *st, int project, int i,
                                 org_xstream *s)
{
    s->dim[XD_PROJECT] = project;
    s->since = ORG_DATA_START + SECS_HOUR * rand_between(st, 0, 300 * 24);
    s->base = rand_between(st, 5000000, 2000000000);
    s->growth = rand_between(st, 0, 1000000);
    s->sporadic = o->size == ORG_LARGE ? project % 5 == 2 : i == 1;
}

static void make_xstreams(org_t *o, uint64_t *st)
{
    bool large = o->size == ORG_LARGE;
    for (int e = 0; e < ORG_NXE; e++) {
        const xe_profile *pr = &XE_PROFILES[e];
        int n = large ? pr->nlarge : pr->nsmall;
        if (e == XE_VECTOR_STORES) { /* one stream per project with stores */
            n = 0;
            for (int p = 0; p < o->nprojects; p++)
                n += has_vector_stores(p);
        }
        o->nxstreams[e] = n;
        o->xstreams[e] = xcalloc((size_t)n, sizeof(org_xstream));
        int next_project = 0;
        for (int i = 0; i < n; i++) {
            org_xstream *s = &o->xstreams[e][i];
            for (int d = 0; d < ORG_NXD; d++)
                s->dim[d] = -1;
            s->intensity = (int)rand_between(st, 50, 150);
            s->salt = mix64(o->seed * 0xD1B54A32D192ED03ULL +
                            (uint64_t)e * 0x100000ULL + (uint64_t)i + 1);
            s->late_attribution = e != XE_VECTOR_STORES && i % 4 == 3;
            if (e == XE_VECTOR_STORES) {
                while (!has_vector_stores(next_project))
                    next_project++;
                x_vector_store_level(o, st, next_project++, i, s);
                continue;
            }
            if (e == XE_CODE_INTERPRETER_SESSIONS) {
                s->dim[XD_PROJECT] =
                    i < o->nprojects
                        ? i
                        : (int)(prng_next(st) % (uint64_t)o->nprojects);
                continue;
            }
            x_owner(o, st, (org_xe)e, i, s);
            if (e == XE_IMAGES) {
                int nc = (int)NELEM(IMAGE_COMBOS);
                int c = i < nc ? i : (int)(prng_next(st) % (uint64_t)nc);
                s->dim[XD_MODEL] = IMAGE_COMBOS[c].model;
                s->dim[XD_SIZE] = IMAGE_COMBOS[c].size;
                s->dim[XD_SOURCE] = IMAGE_COMBOS[c].source;
            } else if (xe_has_dim((org_xe)e, XD_MODEL)) {
                int m = i < pr->nmodels
                            ? i
                            : (int)(prng_next(st) % (uint64_t)pr->nmodels);
                s->dim[XD_MODEL] = pr->model_first + m;
            }
            if (e == XE_WEB_SEARCH_CALLS) {
                s->dim[XD_CONTEXT_LEVEL] =
                    i < ORG_NCONTEXT_LEVELS
                        ? i
                        : (int)(prng_next(st) % ORG_NCONTEXT_LEVELS);
                s->dim[XD_API_SOURCE] = pick_api_source(i);
            }
        }
    }
}

org_t *org_create(uint64_t seed, org_size size)
{
    org_t *o = xcalloc(1, sizeof *o);
    o->seed = seed;
    o->size = size;
    o->models = MODELS;
    o->nmodels = size == ORG_LARGE ? (int)NELEM(MODELS) : 6;
    uint64_t st = mix64(seed ^ 0x6f6169757361676bULL); /* "oaiusagk" */
    make_projects(o, &st);
    make_users(o, &st);
    make_keys(o, &st);
    make_streams(o, &st);
    int cap = 0;
    add_token_cost_streams(o, &cap, &st);
    add_project_cost_streams(o, &cap, &st);
    /* the other usage endpoints draw from their own state, so that adding
     * them left every earlier id and stream unchanged; so do the 2026-11
     * additions (service accounts, decisions, cache-write costs) */
    uint64_t xst = mix64(seed ^ 0x78656e64706f696eULL); /* "xendpoin" */
    make_vector_stores(o, &xst);
    make_xstreams(o, &xst);
    uint64_t nst = mix64(seed ^ 0x323032362d31310aULL); /* "2026-11\n" */
    make_service_accounts(o, &nst);
    make_dstreams(o, &nst);
    add_cache_write_cost_streams(o, &cap, &nst);
    return o;
}

static bool xe_has_user(int e)
{
    for (int k = 0; k < org_xe_table[e].ndims; k++) {
        if (org_xe_table[e].groups[k] == XD_USER)
            return true;
    }
    return false;
}

static int sa_user(const org_t *o, int key, int user)
{
    if (user >= 0 || key < 0 || o->keys[key].owner_sa < 0)
        return user;
    return o->nusers + o->keys[key].owner_sa;
}

void org_attribute_service_accounts(org_t *o)
{
    for (int i = 0; i < o->nstreams; i++)
        o->streams[i].user = sa_user(o, o->streams[i].key, o->streams[i].user);
    for (int i = 0; i < o->ndstreams; i++)
        o->dstreams[i].user = sa_user(o, o->dstreams[i].key,
                                      o->dstreams[i].user);
    for (int i = 0; i < o->ncost_streams; i++)
        o->cost_streams[i].user = sa_user(o, o->cost_streams[i].key,
                                          o->cost_streams[i].user);
    for (int e = 0; e < ORG_NXE; e++) {
        for (int i = 0; i < o->nxstreams[e]; i++) {
            int *d = o->xstreams[e][i].dim;
            if (d[XD_USER] < 0 && d[XD_API_KEY] >= 0 &&
                o->keys[d[XD_API_KEY]].owner_sa >= 0 && xe_has_user(e))
                d[XD_USER] = sa_user(o, d[XD_API_KEY], -1);
        }
    }
}

const char *org_user_id(const org_t *o, int user)
{
    if (user < 0)
        return NULL;
    return user < o->nusers ? o->users[user].id
                            : o->service_accounts[user - o->nusers].id;
}

const char *org_user_email(const org_t *o, int user)
{
    return user >= 0 && user < o->nusers ? o->users[user].email : NULL;
}

void org_free(org_t *org)
{
    if (!org)
        return;
    free(org->projects);
    free(org->users);
    free(org->keys);
    free(org->streams);
    free(org->cost_streams);
    free(org->vector_stores);
    free(org->service_accounts);
    free(org->dstreams);
    for (int e = 0; e < ORG_NXE; e++)
        free(org->xstreams[e]);
    free(org);
}

bool org_parse_size(const char *s, org_size *out)
{
    if (strcmp(s, "small") == 0)
        *out = ORG_SMALL;
    else if (strcmp(s, "large") == 0)
        *out = ORG_LARGE;
    else
        return false;
    return true;
}

/* ---- activity ----------------------------------------------------------- */

/* activity probability in basis points per UTC hour of day (weekdays) */
static const int HOUR_BP[24] = {300,  250,  200,  200,  250,  350,  500,  700,
                                1000, 1300, 1500, 1600, 1500, 1600, 1700, 1600,
                                1400, 1200, 1000, 800,  650,  550,  450,  350};

static bool is_weekend(int64_t t)
{
    int64_t day = t / SECS_DAY;
    int dow = (int)((day + 4) % 7); /* 0 = Sunday */
    return dow == 0 || dow == 6;
}

static int activity_bp(const org_stream *s, int64_t minute_start)
{
    int hour = (int)(minute_start % SECS_DAY / SECS_HOUR);
    int bp = s->batch ? 600 : HOUR_BP[hour];
    if (is_weekend(minute_start))
        bp = bp * 2 / 5;
    return bp * s->intensity / 100;
}

static int64_t pct(int64_t v, int64_t p)
{
    return v * p / 100;
}

bool org_usage_at(const org_t *org, int si, int64_t minute_start,
                  int64_t out[ORG_NMETRICS])
{
    return org_token_usage_at(org, &org->streams[si], minute_start, out);
}

bool org_token_usage_at(const org_t *org, const org_stream *s,
                        int64_t minute_start, int64_t out[ORG_NMETRICS])
{
    memset(out, 0, sizeof(int64_t) * ORG_NMETRICS);
    if (minute_start < ORG_DATA_START)
        return false;
    uint64_t h = mix64(s->salt ^ mix64((uint64_t)minute_start));
    if ((int)(h % 10000) >= activity_bp(s, minute_start))
        return false;
    const org_model *m = &org->models[s->model];
    uint64_t r[8];
    for (int i = 0; i < 8; i++)
        r[i] = mix64(h + (uint64_t)i + 1);

    int64_t req = s->batch ? hash_range(r[0], 5, 80) : hash_range(r[0], 1, 12);
    int64_t text_total = req * hash_range(r[1], 150, 3500);
    int64_t cached_text = 0;
    if (m->cache && (r[2] >> 32) % 3 != 0)
        cached_text = pct(text_total, hash_range(r[2], 0, 70));
    int64_t input_text = text_total - cached_text;
    int64_t cache_write = 0;
    if (m->cache && r[3] % 4 == 0)
        cache_write = hash_range(r[3] >> 8, 0, input_text / 5);
    /* extended caching: 12-hour cache writes, from a draw of their own so
     * that the other counters are those of before the 2026-11 field */
    int64_t cache_write_12h = 0;
    uint64_t r8 = mix64(h + 9);
    if (s->extended_cache && r8 % 3 == 0)
        cache_write_12h = hash_range(r8 >> 8, 1, input_text / 4 + 1);

    int64_t input_audio = 0, cached_audio = 0, output_audio = 0;
    if (m->audio && r[4] % 3 == 0) {
        int64_t audio_total = req * hash_range(r[4] >> 8, 40, 900);
        if (m->cache)
            cached_audio = pct(audio_total, hash_range(r[4] >> 24, 0, 40));
        input_audio = audio_total - cached_audio;
        output_audio = req * hash_range(r[4] >> 40, 0, 700);
    }
    int64_t input_image = 0, cached_image = 0, output_image = 0;
    if (m->image_in && r[5] % 5 == 0) {
        int64_t image_total = req * hash_range(r[5] >> 8, 85, 1100);
        if (m->cache && (r[5] >> 20) % 2 == 0)
            cached_image = pct(image_total, hash_range(r[5] >> 24, 0, 50));
        input_image = image_total - cached_image;
    }
    if (m->image_out && r[6] % 6 == 0)
        output_image = req * hash_range(r[6] >> 8, 272, 4160);
    int64_t output_text = req * hash_range(r[7], 20, 1800);

    out[M_INPUT_TEXT_TOKENS] = input_text;
    out[M_INPUT_CACHED_TEXT_TOKENS] = cached_text;
    out[M_INPUT_AUDIO_TOKENS] = input_audio;
    out[M_INPUT_CACHED_AUDIO_TOKENS] = cached_audio;
    out[M_INPUT_IMAGE_TOKENS] = input_image;
    out[M_INPUT_CACHED_IMAGE_TOKENS] = cached_image;
    out[M_INPUT_CACHE_WRITE_TOKENS] = cache_write;
    out[M_INPUT_CACHE_WRITE_12H_TOKENS] = cache_write_12h;
    out[M_OUTPUT_TEXT_TOKENS] = output_text;
    out[M_OUTPUT_AUDIO_TOKENS] = output_audio;
    out[M_OUTPUT_IMAGE_TOKENS] = output_image;
    out[M_NUM_MODEL_REQUESTS] = req;
    out[M_INPUT_CACHED_TOKENS] = cached_text + cached_audio + cached_image;
    out[M_INPUT_UNCACHED_TOKENS] = input_text + input_audio + input_image;
    out[M_INPUT_TOKENS] = out[M_INPUT_UNCACHED_TOKENS] +
                          out[M_INPUT_CACHED_TOKENS] + cache_write +
                          cache_write_12h;
    out[M_OUTPUT_TOKENS] = output_text + output_audio + output_image;
    return true;
}

/* ---- costs -------------------------------------------------------------- */

static bool token_cost(const org_t *org, const org_cost_stream *c, uint64_t h,
                       int64_t hour_start, int64_t *amount, int64_t *qty)
{
    int hour = (int)(hour_start % SECS_DAY / SECS_HOUR);
    int bp = c->base == 0 ? 150 : HOUR_BP[hour] * 4;
    if (is_weekend(hour_start))
        bp /= 2;
    if ((int)(h % 10000) >= bp)
        return false;
    const org_model *m = &org->models[c->model];
    uint64_t r = mix64(h + 1);
    int64_t tokens;
    if (c->base == 0 || r % 23 == 0)
        tokens = hash_range(r >> 8, 1, 60);
    else
        tokens = pct(c->base, hash_range(r >> 8, 20, 300));
    int64_t price = m->price_out;
    switch (c->kind) {
    case COST_OUTPUT:
        tokens = tokens / 4 + 1;
        break;
    case COST_CACHED_INPUT:
        tokens = tokens / 3 + 1;
        price = m->price_cached;
        break;
    case COST_CACHE_WRITE:
        tokens = tokens / 5 + 1;
        price = m->price_in * 5 / 4;
        break;
    case COST_CACHE_WRITE_12H:
        tokens = tokens / 8 + 1;
        price = m->price_in * 2;
        break;
    default:
        price = m->price_in;
        break;
    }
    *amount = tokens * price;
    *qty = tokens * 10000;
    return true;
}

bool org_cost_at(const org_t *org, int ci, int64_t hour_start,
                 int64_t *amount_e10, int64_t *quantity_e4)
{
    *amount_e10 = 0;
    *quantity_e4 = 0;
    if (hour_start < ORG_DATA_START)
        return false;
    const org_cost_stream *c = &org->cost_streams[ci];
    uint64_t h = mix64(c->salt ^ mix64((uint64_t)hour_start * 31 + 7));
    switch (c->kind) {
    case COST_INPUT:
    case COST_CACHED_INPUT:
    case COST_OUTPUT:
    case COST_CACHE_WRITE:
    case COST_CACHE_WRITE_12H:
        return token_cost(org, c, h, hour_start, amount_e10, quantity_e4);
    case COST_FILE_STORAGE: {
        int64_t centi_gib = c->base + hash_range(h, 0, 20);
        *quantity_e4 = centi_gib * 100;
        *amount_e10 = centi_gib * 416667; /* ~ $0.10 per GiB-day */
        return true;
    }
    case COST_WEB_SEARCH: {
        int hour = (int)(hour_start % SECS_DAY / SECS_HOUR);
        if ((int)(h % 10000) >= HOUR_BP[hour] * 2)
            return false;
        int64_t calls = hash_range(mix64(h + 3), 1, c->base);
        *quantity_e4 = calls * 10000;
        *amount_e10 = calls * 100000000; /* $0.01 per call */
        return true;
    }
    }
    return false;
}

/* ---- the other usage endpoints: per-minute data ------------------------- */

/* moderations are switched off org-wide for a 3-day stretch every 11 days */
static bool moderations_idle(const org_t *org, int64_t minute_start)
{
    int64_t day = minute_start / SECS_DAY;
    return (day + (int64_t)(org->seed % 11)) % 11 < 3;
}

static int xactivity_bp(org_xe e, const org_xstream *s, int64_t minute_start)
{
    int hour = (int)(minute_start % SECS_DAY / SECS_HOUR);
    int bp = HOUR_BP[hour] * XE_PROFILES[e].rate / 100;
    if (is_weekend(minute_start))
        bp = bp * 2 / 5;
    return bp * s->intensity / 100;
}

/* vector_stores: bytes stored by the project at this minute. 0 before
 * `since` and, for sporadic projects, on the UTC days they empty their
 * stores; otherwise base + growth per whole hour since `since` + a per-hour
 * jitter below 0.5% of base. Constant within each UTC hour. */
static bool vector_store_level(const org_xstream *s, int64_t minute_start,
                               int64_t *out)
{
    if (minute_start < s->since)
        return false;
    int64_t day = minute_start / SECS_DAY;
    uint64_t emptied = mix64(s->salt ^ ((uint64_t)day * 0x9E3779B1ULL));
    if (s->sporadic && emptied % 4 == 0)
        return false;
    int64_t hour = minute_start / SECS_HOUR;
    int64_t hours = (minute_start - s->since) / SECS_HOUR;
    *out = s->base + s->growth * hours +
           hash_range(mix64(s->salt + (uint64_t)hour), 0, s->base / 200);
    return true;
}

bool org_xusage_at(const org_t *org, org_xe e, int si, int64_t minute_start,
                   int64_t out[ORG_XE_MAXMETRICS])
{
    memset(out, 0, sizeof(int64_t) * ORG_XE_MAXMETRICS);
    if (minute_start < ORG_DATA_START)
        return false;
    const org_xstream *s = &org->xstreams[e][si];
    if (e == XE_VECTOR_STORES)
        return vector_store_level(s, minute_start, &out[0]);
    if (e == XE_MODERATIONS && moderations_idle(org, minute_start))
        return false;
    uint64_t h = mix64(s->salt ^ mix64((uint64_t)minute_start));
    if ((int)(h % 10000) >= xactivity_bp(e, s, minute_start))
        return false;
    uint64_t r1 = mix64(h + 1), r2 = mix64(h + 2);
    int64_t req;
    switch (e) {
    case XE_EMBEDDINGS:
        req = hash_range(r1, 1, 40);
        out[0] = req * hash_range(r2, 8, 2000);
        out[1] = req;
        break;
    case XE_MODERATIONS:
        req = hash_range(r1, 1, 20);
        out[0] = req * hash_range(r2, 20, 600);
        out[1] = req;
        break;
    case XE_IMAGES: /* dall-e-3 makes one image per request */
        req = hash_range(r1, 1, 4);
        out[0] = s->dim[XD_MODEL] == XM_DALL_E_3 ? req
                                                 : req * hash_range(r2, 1, 4);
        out[1] = req;
        break;
    case XE_AUDIO_SPEECHES:
        req = hash_range(r1, 1, 6);
        out[0] = req * hash_range(r2, 40, 4000);
        out[1] = req;
        break;
    case XE_AUDIO_TRANSCRIPTIONS:
        req = hash_range(r1, 1, 5);
        out[0] = req * hash_range(r2, 3, 900);
        out[1] = req;
        break;
    case XE_CODE_INTERPRETER_SESSIONS:
        out[0] = hash_range(r1, 1, 3);
        break;
    case XE_FILE_SEARCH_CALLS:
        out[0] = hash_range(r1, 1, 15);
        break;
    case XE_WEB_SEARCH_CALLS:
        req = hash_range(r1, 1, 8);
        out[0] = req;
        out[1] = req + hash_range(r2, 0, 2 * req);
        break;
    default:
        return false;
    }
    return true;
}

const char *org_xdim_value(const org_t *org, org_xdim d, int v)
{
    if (v < 0)
        return NULL;
    switch (d) {
    case XD_PROJECT:
        return org->projects[v].id;
    case XD_USER:
        return org_user_id(org, v);
    case XD_API_KEY:
        return org->keys[v].id;
    case XD_MODEL:
        return org_xmodel_names[v];
    case XD_SIZE:
        return org_image_sizes[v];
    case XD_SOURCE:
        return org_image_sources[v];
    case XD_VECTOR_STORE:
        return org->vector_stores[v].id;
    case XD_CONTEXT_LEVEL:
        return org_context_levels[v];
    case XD_API_SOURCE:
        return org_api_sources[v];
    default:
        return NULL;
    }
}

/* ---- late revisions (--revise-lag) -------------------------------------- */

void org_set_revise_lag(org_t *org, int64_t usage_lag, int64_t costs_lag)
{
    org->revise_lag = usage_lag;
    org->revise_costs_lag = costs_lag;
}

bool org_parse_revise_lag(const char *s, int64_t *usage_lag, int64_t *costs_lag)
{
    const char *comma = strchr(s, ',');
    char head[32];
    size_t n = comma ? (size_t)(comma - s) : strlen(s);
    if (n == 0 || n >= sizeof head)
        return false;
    memcpy(head, s, n);
    head[n] = '\0';
    /* at most ten years: no overflow in any time arithmetic */
    const int64_t most = 10 * 366 * SECS_DAY;
    if (!parse_int64(head, usage_lag) || *usage_lag < 0 || *usage_lag > most)
        return false;
    if (!comma) {
        *costs_lag = 3 * *usage_lag;
        return true;
    }
    return parse_int64(comma + 1, costs_lag) && *costs_lag >= 0 &&
           *costs_lag <= most;
}

bool org_minute_provisional(const org_t *org, int64_t minute_start, int64_t now)
{
    return org->revise_lag > 0 &&
           now < minute_start + SECS_MINUTE + org->revise_lag;
}

bool org_hour_provisional(const org_t *org, int64_t hour_start, int64_t now)
{
    int64_t day_end = floor_to(hour_start, SECS_DAY) + SECS_DAY;
    return org->revise_costs_lag > 0 && now < day_end + org->revise_costs_lag;
}

/* the provisional share of a settled value, in permille (700..950), per
 * (stream salt, minute or hour): a draw of its own */
static int64_t provisional_permille(uint64_t salt, int64_t t)
{
    uint64_t h = mix64(mix64(salt ^ 0x7265766973696f6eULL) + (uint64_t)t);
    return 700 + (int64_t)(h % 251);
}

/* v - v * (1000 - p) / 1000: at most v, at least 1 when v >= 1 */
static int64_t provisional_share(int64_t v, int64_t permille)
{
    return v - v * (1000 - permille) / 1000;
}

bool org_token_usage_served(const org_t *org, const org_stream *s,
                            int64_t minute_start, int64_t now,
                            int64_t out[ORG_NMETRICS], bool *unattributed)
{
    *unattributed = false;
    if (!org_token_usage_at(org, s, minute_start, out))
        return false;
    if (!org_minute_provisional(org, minute_start, now))
        return true;
    static const int BASE[] = {
        M_INPUT_TEXT_TOKENS,        M_INPUT_CACHED_TEXT_TOKENS,
        M_INPUT_AUDIO_TOKENS,       M_INPUT_CACHED_AUDIO_TOKENS,
        M_INPUT_IMAGE_TOKENS,       M_INPUT_CACHED_IMAGE_TOKENS,
        M_INPUT_CACHE_WRITE_TOKENS, M_INPUT_CACHE_WRITE_12H_TOKENS,
        M_OUTPUT_TEXT_TOKENS,       M_OUTPUT_AUDIO_TOKENS,
        M_OUTPUT_IMAGE_TOKENS,      M_NUM_MODEL_REQUESTS,
    };
    int64_t p = provisional_permille(s->salt, minute_start);
    for (size_t i = 0; i < NELEM(BASE); i++)
        out[BASE[i]] = provisional_share(out[BASE[i]], p);
    out[M_INPUT_CACHED_TOKENS] = out[M_INPUT_CACHED_TEXT_TOKENS] +
                                 out[M_INPUT_CACHED_AUDIO_TOKENS] +
                                 out[M_INPUT_CACHED_IMAGE_TOKENS];
    out[M_INPUT_UNCACHED_TOKENS] = out[M_INPUT_TEXT_TOKENS] +
                                   out[M_INPUT_AUDIO_TOKENS] +
                                   out[M_INPUT_IMAGE_TOKENS];
    out[M_INPUT_TOKENS] =
        out[M_INPUT_UNCACHED_TOKENS] + out[M_INPUT_CACHED_TOKENS] +
        out[M_INPUT_CACHE_WRITE_TOKENS] + out[M_INPUT_CACHE_WRITE_12H_TOKENS];
    out[M_OUTPUT_TOKENS] = out[M_OUTPUT_TEXT_TOKENS] +
                           out[M_OUTPUT_AUDIO_TOKENS] +
                           out[M_OUTPUT_IMAGE_TOKENS];
    *unattributed = s->late_attribution;
    return true;
}

bool org_xusage_served(const org_t *org, org_xe e, int si, int64_t minute_start,
                       int64_t now, int64_t out[ORG_XE_MAXMETRICS],
                       bool *unattributed)
{
    *unattributed = false;
    bool provisional = org_minute_provisional(org, minute_start, now);
    if (e == XE_VECTOR_STORES) /* a level: it lags the settled one */
        return org_xusage_at(org, e, si,
                             provisional ? minute_start - SECS_HOUR
                                         : minute_start,
                             out);
    if (!org_xusage_at(org, e, si, minute_start, out))
        return false;
    if (!provisional)
        return true;
    const org_xstream *s = &org->xstreams[e][si];
    int64_t p = provisional_permille(s->salt, minute_start);
    for (int k = 0; k < ORG_XE_MAXMETRICS; k++)
        out[k] = provisional_share(out[k], p);
    *unattributed = s->late_attribution;
    return true;
}

bool org_cost_served(const org_t *org, int c, int64_t hour_start, int64_t now,
                     int64_t *amount_e10, int64_t *quantity_e4,
                     bool *unattributed)
{
    *unattributed = false;
    if (!org_cost_at(org, c, hour_start, amount_e10, quantity_e4))
        return false;
    if (!org_hour_provisional(org, hour_start, now))
        return true;
    const org_cost_stream *cs = &org->cost_streams[c];
    int64_t p = provisional_permille(cs->salt, hour_start);
    *amount_e10 = provisional_share(*amount_e10, p);
    *quantity_e4 = provisional_share(*quantity_e4, p);
    *unattributed = cs->late_attribution;
    return true;
}
