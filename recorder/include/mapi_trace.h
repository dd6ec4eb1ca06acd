/*
 * mapi_trace.h: writes traces in the mapi-spooler trace format, version 1 (the mapi-spooler
 * project's spec/trace-format.md; the guide is its docs/recording.md).
 *
 * A single header, for C (C99 or later) and C++. In exactly one source file of your program:
 *
 *     #define MAPI_TRACE_IMPLEMENTATION
 *     #include "mapi_trace.h"
 *
 * and include it without the define everywhere else. Nothing else is needed: on Windows it uses
 * a CRITICAL_SECTION, elsewhere a pthread mutex.
 *
 * What it does for you:
 *   - the header line, with the scope of a partial recording ("scope":{"transport":"T0"} or
 *     "scope":{"store":"S0"}, with "recorded":"calls");
 *   - one JSON object per line, built with the mapi_trace_add_* functions and written whole by
 *     mapi_trace_end: one fwrite and one fflush under a lock, so lines written by several threads
 *     never interleave, their order in the file is the order in which they reached the lock, and
 *     a crash of the process loses no line already ended;
 *   - flag words by their documented names joined by | (in documentation order), "0" for none,
 *     and the whole word in hexadecimal ("0x00000041") when it has a bit its parameter does not
 *     define, so that nothing the component did is lost;
 *   - results by their documented names (S_OK, MAPI_E_BUSY, ...), others as 0x8004010F;
 *   - opaque object IDs: mapi_trace_id maps each PR_ENTRYID (or MAPIUID) to a number the first
 *     time it sees it: messages M1, M2, ..., stores S0, S1, ..., MAPIUIDs uid0, uid1, ....
 *
 * Strings given to it must be UTF-8; it escapes them for JSON. It never allocates per call
 * beyond the line being built, and frees that line in mapi_trace_end or mapi_trace_discard.
 *
 * Example (a store author recording its boundary):
 *
 *     mapi_trace_header h = {1, 1, MAPI_TRACE_SCOPE_STORE, 0};
 *     mapi_trace *trace = mapi_trace_open("store.jsonl", &h);
 *     mapi_trace_line line;
 *     mapi_trace_begin(&line, "call", "SetLockState");
 *     mapi_trace_add_id(&line, "to", "S", 0);
 *     mapi_trace_add_id(&line, "message", "M", mapi_trace_id(trace, MAPI_TRACE_MESSAGE, eid, cb));
 *     mapi_trace_add_str(&line, "ulLockState", "MSG_LOCKED");
 *     mapi_trace_end(trace, &line);
 *     ...
 *     mapi_trace_close(trace);
 *
 * The flag and result tables below are checked against the Rust reader's by tests/recorder.rs.
 */
#ifndef MAPI_TRACE_H
#define MAPI_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The format version this header writes. */
#define MAPI_TRACE_FORMAT_VERSION 1

/* ---------------------------------------------------------------------------------------------
 * The documented flag words and results, by the format's names (spec/trace-format.md), as
 * X-macros: X(NAME, VALUE), in documentation order. The names are stringised, never expanded,
 * so including this header after the MAPI headers (which define the same names) is safe.
 * ------------------------------------------------------------------------------------------- */

/* XPProviderInit ulFlags (LIFE-2). */
#define MAPI_TRACE_FLAGS_XP_INIT(X) \
    X(MAPI_NT_SERVICE, 0x00010000)

/* TransportLogon lpulFlags, in (LIFE-4). */
#define MAPI_TRACE_FLAGS_LOGON(X) \
    X(LOGON_NO_DIALOG, 0x00000001) \
    X(LOGON_NO_CONNECT, 0x00000004) \
    X(LOGON_NO_INBOUND, 0x00000008) \
    X(LOGON_NO_OUTBOUND, 0x00000010) \
    X(MAPI_UNICODE, 0x80000000)

/* TransportLogon lpulFlags, out (LIFE-5). */
#define MAPI_TRACE_FLAGS_LOGON_CAPS(X) \
    X(LOGON_SP_IDLE, 0x00010000) \
    X(LOGON_SP_POLL, 0x00020000) \
    X(LOGON_SP_RESOLVE, 0x00040000) \
    X(MAPI_UNICODE, 0x80000000)

/* TransportNotify lpulFlags (LIFE-10, LIFE-12, DEF-5, DEF-7). */
#define MAPI_TRACE_FLAGS_NOTIFY(X) \
    X(NOTIFY_BEGIN_INBOUND, 0x00000001) \
    X(NOTIFY_BEGIN_OUTBOUND, 0x00000002) \
    X(NOTIFY_BEGIN_INBOUND_FLUSH, 0x00000004) \
    X(NOTIFY_BEGIN_OUTBOUND_FLUSH, 0x00000008) \
    X(NOTIFY_END_INBOUND, 0x00010000) \
    X(NOTIFY_END_OUTBOUND, 0x00020000) \
    X(NOTIFY_END_INBOUND_FLUSH, 0x00040000) \
    X(NOTIFY_END_OUTBOUND_FLUSH, 0x00080000) \
    X(NOTIFY_ABORT_DEFERRED, 0x40000000) \
    X(NOTIFY_CANCEL_MESSAGE, 0x80000000)

/* IMAPISupport::SpoolerNotify ulFlags. */
#define MAPI_TRACE_FLAGS_SPOOLER_NOTIFY(X) \
    X(NOTIFY_NEWMAIL, 0x00000001) \
    X(NOTIFY_READYTOSEND, 0x00000002) \
    X(NOTIFY_SENTDEFERRED, 0x00000004) \
    X(NOTIFY_CRITSEC, 0x00001000) \
    X(NOTIFY_NONCRIT, 0x00002000) \
    X(NOTIFY_CONFIG_CHANGE, 0x00004000) \
    X(NOTIFY_CRITICAL_ERROR, 0x10000000) \
    X(NOTIFY_NEWMAIL_RECEIVED, 0x20000000)

/* IXPLogon::SubmitMessage ulFlags (SUB-23). */
#define MAPI_TRACE_FLAGS_SUBMIT(X) \
    X(BEGIN_DEFERRED, 0x00000001)

/* IXPLogon::EndMessage lpulFlags (SUB-34). */
#define MAPI_TRACE_FLAGS_END(X) \
    X(END_RESEND_NOW, 0x00010000) \
    X(END_RESEND_LATER, 0x00020000) \
    X(END_DONT_RESEND, 0x00040000)

/* PR_SUBMIT_FLAGS of a queue row. */
#define MAPI_TRACE_FLAGS_QUEUE(X) \
    X(SUBMITFLAG_LOCKED, 0x00000001) \
    X(SUBMITFLAG_PREPROCESS, 0x00000002)

/* IMAPISupport::ModifyStatusRow ulFlags (STAT-3). */
#define MAPI_TRACE_FLAGS_STATUS_ROW(X) \
    X(STATUSROW_UPDATE, 0x10000000)

/* PR_STATUS_CODE (STAT-4). */
#define MAPI_TRACE_FLAGS_STATUS_CODE(X) \
    X(STATUS_AVAILABLE, 0x00000001) \
    X(STATUS_OFFLINE, 0x00000002) \
    X(STATUS_FAILURE, 0x00000004) \
    X(STATUS_INBOUND_ENABLED, 0x00010000) \
    X(STATUS_INBOUND_ACTIVE, 0x00020000) \
    X(STATUS_INBOUND_FLUSH, 0x00040000) \
    X(STATUS_OUTBOUND_ENABLED, 0x00100000) \
    X(STATUS_OUTBOUND_ACTIVE, 0x00200000) \
    X(STATUS_OUTBOUND_FLUSH, 0x00400000) \
    X(STATUS_REMOTE_ACCESS, 0x00800000)

/* PR_RESOURCE_METHODS (STAT-6). */
#define MAPI_TRACE_FLAGS_RESOURCE_METHODS(X) \
    X(STATUS_VALIDATE_STATE, 0x00000001) \
    X(STATUS_SETTINGS_DIALOG, 0x00000002) \
    X(STATUS_CHANGE_PASSWORD, 0x00000004) \
    X(STATUS_FLUSH_QUEUES, 0x00000008)

/* PR_RESOURCE_FLAGS (STAT-8). */
#define MAPI_TRACE_FLAGS_RESOURCE_FLAGS(X) \
    X(STATUS_DEFAULT_OUTBOUND, 0x00000001) \
    X(STATUS_PRIMARY_IDENTITY, 0x00000004) \
    X(STATUS_XP_PREFER_LAST, 0x00000010) \
    X(STATUS_NO_PRIMARY_IDENTITY, 0x00000020) \
    X(STATUS_OWN_STORE, 0x00000100)

/* IMAPISupport::StoreLogoffTransports lpulFlags, in and out (LIFE-20). */
#define MAPI_TRACE_FLAGS_LOGOFF(X) \
    X(LOGOFF_NO_WAIT, 0x00000001) \
    X(LOGOFF_ORDERLY, 0x00000002) \
    X(LOGOFF_PURGE, 0x00000004) \
    X(LOGOFF_ABORT, 0x00000008) \
    X(LOGOFF_QUIET, 0x00000010) \
    X(LOGOFF_COMPLETE, 0x00010000) \
    X(LOGOFF_INBOUND, 0x00020000) \
    X(LOGOFF_OUTBOUND, 0x00040000) \
    X(LOGOFF_OUTBOUND_QUEUE, 0x00080000)

/* ISpoolerHook::InboundMsgHook lpulFlags, out (HOOK-13). */
#define MAPI_TRACE_FLAGS_HOOK(X) \
    X(HOOK_DELETE, 0x00000001) \
    X(HOOK_CANCEL, 0x00000002)

/* FlushQueues ulFlags (STAT-19). */
#define MAPI_TRACE_FLAGS_FLUSH(X) \
    X(FLUSH_UPLOAD, 0x00000002) \
    X(FLUSH_DOWNLOAD, 0x00000004) \
    X(FLUSH_FORCE, 0x00000008) \
    X(FLUSH_NO_UI, 0x00000010) \
    X(FLUSH_ASYNC_OK, 0x00000020)

/* ValidateState ulFlags (STAT-11). */
#define MAPI_TRACE_FLAGS_VALIDATE(X) \
    X(SUPPRESS_UI, 0x00000001) \
    X(REFRESH_XP_HEADER_CACHE, 0x00010000) \
    X(PROCESS_XP_HEADER_CACHE, 0x00020000) \
    X(FORCE_XP_CONNECT, 0x00040000) \
    X(FORCE_XP_DISCONNECT, 0x00080000) \
    X(CONFIG_CHANGED, 0x00100000) \
    X(ABORT_XP_HEADER_OPERATION, 0x00200000) \
    X(SHOW_XP_SESSION_UI, 0x00400000)

/* IMAPIStatus::SettingsDialog ulFlags. */
#define MAPI_TRACE_FLAGS_SETTINGS(X) \
    X(UI_READONLY, 0x00000001)

/* IMAPIStatus::ChangePassword ulFlags. */
#define MAPI_TRACE_FLAGS_PASSWORD(X) \
    X(MAPI_UNICODE, 0x80000000)

/* The documented results the format names (MAPICode.h values). */
#define MAPI_TRACE_RESULTS(X) \
    X(S_OK, 0x00000000) \
    X(S_FALSE, 0x00000001) \
    X(MAPI_W_ERRORS_RETURNED, 0x00040380) \
    X(MAPI_W_CANCEL_MESSAGE, 0x00040580) \
    X(MAPI_E_CALL_FAILED, 0x80004005) \
    X(MAPI_E_NOT_ENOUGH_MEMORY, 0x8007000E) \
    X(MAPI_E_INVALID_PARAMETER, 0x80070057) \
    X(MAPI_E_NO_ACCESS, 0x80070005) \
    X(MAPI_E_NO_SUPPORT, 0x80040102) \
    X(MAPI_E_UNKNOWN_FLAGS, 0x80040106) \
    X(MAPI_E_INVALID_OBJECT, 0x80040108) \
    X(MAPI_E_OBJECT_DELETED, 0x8004010A) \
    X(MAPI_E_BUSY, 0x8004010B) \
    X(MAPI_E_NOT_FOUND, 0x8004010F) \
    X(MAPI_E_VERSION, 0x80040110) \
    X(MAPI_E_LOGON_FAILED, 0x80040111) \
    X(MAPI_E_USER_CANCEL, 0x80040113) \
    X(MAPI_E_UNABLE_TO_ABORT, 0x80040114) \
    X(MAPI_E_NETWORK_ERROR, 0x80040115) \
    X(MAPI_E_CORRUPT_DATA, 0x8004011B) \
    X(MAPI_E_UNCONFIGURED, 0x8004011C) \
    X(MAPI_E_FAILONEPROVIDER, 0x8004011D) \
    X(MAPI_E_UNKNOWN_CPID, 0x8004011E) \
    X(MAPI_E_UNKNOWN_LCID, 0x8004011F) \
    X(MAPI_E_TIMEOUT, 0x80040401) \
    X(MAPI_E_WAIT, 0x80040500) \
    X(MAPI_E_CANCEL, 0x80040501) \
    X(MAPI_E_NOT_ME, 0x80040502) \
    X(MAPI_E_NOT_IN_QUEUE, 0x80040601) \
    X(MAPI_E_NO_RECIPIENTS, 0x80040607) \
    X(MAPI_E_SUBMITTED, 0x80040608)

/* Which parameter a flag word belongs to: each has its own names. */
typedef enum mapi_trace_flag_word {
    MAPI_TRACE_XP_INIT_FLAGS,
    MAPI_TRACE_LOGON_FLAGS,
    MAPI_TRACE_LOGON_CAPS,
    MAPI_TRACE_NOTIFY_FLAGS,
    MAPI_TRACE_SPOOLER_NOTIFY_FLAGS,
    MAPI_TRACE_SUBMIT_FLAGS,
    MAPI_TRACE_END_FLAGS,
    MAPI_TRACE_QUEUE_FLAGS,
    MAPI_TRACE_STATUS_ROW_FLAGS,
    MAPI_TRACE_STATUS_CODE,
    MAPI_TRACE_RESOURCE_METHODS,
    MAPI_TRACE_RESOURCE_FLAGS,
    MAPI_TRACE_LOGOFF_FLAGS,
    MAPI_TRACE_HOOK_FLAGS,
    MAPI_TRACE_FLUSH_FLAGS,
    MAPI_TRACE_VALIDATE_FLAGS,
    MAPI_TRACE_SETTINGS_FLAGS,
    MAPI_TRACE_PASSWORD_FLAGS,
    MAPI_TRACE_FLAG_WORDS /* the number of flag words, not one of them */
} mapi_trace_flag_word;

/* ---------------------------------------------------------------------------------------------
 * A trace file
 * ------------------------------------------------------------------------------------------- */

/* What a partial recording observed (spec/trace-format.md, "Partial recordings"). */
typedef enum mapi_trace_scope {
    MAPI_TRACE_SCOPE_TRANSPORT = 1, /* one transport's boundary: "scope":{"transport":"T<n>"} */
    MAPI_TRACE_SCOPE_STORE = 2      /* one store's boundary: "scope":{"store":"S<n>"} */
} mapi_trace_scope;

/* The header line of a partial recording. */
typedef struct mapi_trace_header {
    unsigned transports;  /* the profile's transport entries, T0 .. T<transports-1>, at least 1;
                             each is written as its own message service (svc0, svc1, ...) */
    unsigned stores;      /* the mail-enabled stores, S0 .. S<stores-1> */
    mapi_trace_scope scope;
    unsigned scope_index; /* the transport or store observed: below transports or stores */
} mapi_trace_header;

typedef struct mapi_trace mapi_trace; /* the file, its lock and the ID maps */

/* Creates (or truncates) the file at path (UTF-8) and writes the header line. Returns NULL when
 * the header is not valid (no transport, or a scope index out of range) or the file cannot be
 * opened or written. */
mapi_trace *mapi_trace_open(const char *path, const mapi_trace_header *header);

/* The same on a stream you opened (for example stdout); mapi_trace_close does not close it. */
mapi_trace *mapi_trace_attach(FILE *file, const mapi_trace_header *header);

/* Flushes and closes the file (if mapi_trace_open opened it) and frees the trace. Returns 0, or
 * -1 when any line was lost during the trace's life (a failed line or a failed write). NULL is
 * accepted and returns 0. */
int mapi_trace_close(mapi_trace *trace);

/* The kinds of object mapi_trace_id numbers. */
typedef enum mapi_trace_kind {
    MAPI_TRACE_MESSAGE, /* a message's PR_ENTRYID: M1, M2, ... (numbered from 1) */
    MAPI_TRACE_STORE,   /* a store's entry identifier: S0, S1, ... */
    MAPI_TRACE_UID      /* a 16-byte MAPIUID: uid0, uid1, ... */
} mapi_trace_kind;

/* The number of the object whose identifier is the cb bytes at bytes: the number it was given
 * the first time these bytes were seen, or the next free one. cb == 0 always gives a new
 * number (an object with no identifier yet, such as an unsaved message), and so does bytes ==
 * NULL. Returns -1 when memory
 * runs out. Thread-safe. */
long mapi_trace_id(mapi_trace *trace, mapi_trace_kind kind, const void *bytes, size_t cb);

/* ---------------------------------------------------------------------------------------------
 * Building one line
 *
 * mapi_trace_begin starts {"kind":"name"; each mapi_trace_add_* appends "key":value (key NULL
 * for an element of an array); mapi_trace_end closes the object and writes the line. A line
 * that ran out of memory or was built wrongly (nesting too deep or not closed) is not written,
 * and mapi_trace_end returns -1.
 * ------------------------------------------------------------------------------------------- */

#define MAPI_TRACE_MAX_DEPTH 8

typedef struct mapi_trace_line {
    char *text;
    size_t len;
    size_t cap;
    unsigned depth;                             /* open arrays and objects inside the line */
    char closer[MAPI_TRACE_MAX_DEPTH + 1];      /* ']' or '}' per open level */
    unsigned char empty[MAPI_TRACE_MAX_DEPTH + 1]; /* no member written yet at this level */
    int failed;
} mapi_trace_line;

void mapi_trace_begin(mapi_trace_line *line, const char *kind, const char *name);
void mapi_trace_add_str(mapi_trace_line *line, const char *key, const char *utf8);
void mapi_trace_add_null(mapi_trace_line *line, const char *key);
void mapi_trace_add_bool(mapi_trace_line *line, const char *key, int value);
void mapi_trace_add_uint(mapi_trace_line *line, const char *key, uint64_t value);
/* An object ID: prefix "T", "S", "M", "P", "H", "svc" or "uid" followed by the number. */
void mapi_trace_add_id(mapi_trace_line *line, const char *key, const char *prefix, unsigned long number);
void mapi_trace_add_flags(mapi_trace_line *line, const char *key, mapi_trace_flag_word word, uint32_t value);
void mapi_trace_add_result(mapi_trace_line *line, const char *key, uint32_t hresult);
/* An SPI version, written 0x00010010. */
void mapi_trace_add_version(mapi_trace_line *line, const char *key, uint32_t version);
/* Recipient rows by their number, as given (give them ascending): [0,2]. */
void mapi_trace_add_rows(mapi_trace_line *line, const char *key, const uint32_t *rows, size_t count);
void mapi_trace_open_array(mapi_trace_line *line, const char *key);
void mapi_trace_open_object(mapi_trace_line *line, const char *key);
void mapi_trace_close_nested(mapi_trace_line *line);
/* Writes the line and a newline, flushed, under the trace's lock; frees the line. Returns 0, or
 * -1 when nothing was written (a failed line, or the write failed). */
int mapi_trace_end(mapi_trace *trace, mapi_trace_line *line);
/* Frees a line without writing it. */
void mapi_trace_discard(mapi_trace_line *line);

/* ---------------------------------------------------------------------------------------------
 * Names, for those who build lines by other means
 * ------------------------------------------------------------------------------------------- */

/* The text of a flag word as the format writes it, in buf (at least 512 bytes are always
 * enough); returns buf. */
const char *mapi_trace_flags_text(mapi_trace_flag_word word, uint32_t value, char *buf, size_t size);
/* The documented name of a result, or NULL when the format has none (then write 0x%08X). */
const char *mapi_trace_result_name(uint32_t hresult);

#ifdef __cplusplus
}
#endif

#endif /* MAPI_TRACE_H */

/* ============================================================================================= */

#ifdef MAPI_TRACE_IMPLEMENTATION
#ifndef MAPI_TRACE_IMPLEMENTED
#define MAPI_TRACE_IMPLEMENTED

#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
typedef CRITICAL_SECTION mapi_trace_lock_;
#define MAPI_TRACE_LOCK_INIT_(l) InitializeCriticalSection(l)
#define MAPI_TRACE_LOCK_(l) EnterCriticalSection(l)
#define MAPI_TRACE_UNLOCK_(l) LeaveCriticalSection(l)
#define MAPI_TRACE_LOCK_FREE_(l) DeleteCriticalSection(l)
#else
#include <pthread.h>
typedef pthread_mutex_t mapi_trace_lock_;
#define MAPI_TRACE_LOCK_INIT_(l) pthread_mutex_init((l), NULL)
#define MAPI_TRACE_LOCK_(l) pthread_mutex_lock(l)
#define MAPI_TRACE_UNLOCK_(l) pthread_mutex_unlock(l)
#define MAPI_TRACE_LOCK_FREE_(l) pthread_mutex_destroy(l)
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mapi_trace_name_ {
    const char *name;
    uint32_t value;
} mapi_trace_name_;

#define MAPI_TRACE_NAME_(name, value) {#name, (uint32_t)(value)},
static const mapi_trace_name_ mapi_trace_xp_init_[] = {MAPI_TRACE_FLAGS_XP_INIT(MAPI_TRACE_NAME_)};
static const mapi_trace_name_ mapi_trace_logon_[] = {MAPI_TRACE_FLAGS_LOGON(MAPI_TRACE_NAME_)};
static const mapi_trace_name_ mapi_trace_logon_caps_[] = {MAPI_TRACE_FLAGS_LOGON_CAPS(MAPI_TRACE_NAME_)};
static const mapi_trace_name_ mapi_trace_notify_[] = {MAPI_TRACE_FLAGS_NOTIFY(MAPI_TRACE_NAME_)};
static const mapi_trace_name_ mapi_trace_spooler_notify_[] = {MAPI_TRACE_FLAGS_SPOOLER_NOTIFY(MAPI_TRACE_NAME_)};
static const mapi_trace_name_ mapi_trace_submit_[] = {MAPI_TRACE_FLAGS_SUBMIT(MAPI_TRACE_NAME_)};
static const mapi_trace_name_ mapi_trace_end_[] = {MAPI_TRACE_FLAGS_END(MAPI_TRACE_NAME_)};
static const mapi_trace_name_ mapi_trace_queue_[] = {MAPI_TRACE_FLAGS_QUEUE(MAPI_TRACE_NAME_)};
static const mapi_trace_name_ mapi_trace_status_row_[] = {MAPI_TRACE_FLAGS_STATUS_ROW(MAPI_TRACE_NAME_)};
static const mapi_trace_name_ mapi_trace_status_code_[] = {MAPI_TRACE_FLAGS_STATUS_CODE(MAPI_TRACE_NAME_)};
static const mapi_trace_name_ mapi_trace_resource_methods_[] = {MAPI_TRACE_FLAGS_RESOURCE_METHODS(MAPI_TRACE_NAME_)};
static const mapi_trace_name_ mapi_trace_resource_flags_[] = {MAPI_TRACE_FLAGS_RESOURCE_FLAGS(MAPI_TRACE_NAME_)};
static const mapi_trace_name_ mapi_trace_logoff_[] = {MAPI_TRACE_FLAGS_LOGOFF(MAPI_TRACE_NAME_)};
static const mapi_trace_name_ mapi_trace_hook_[] = {MAPI_TRACE_FLAGS_HOOK(MAPI_TRACE_NAME_)};
static const mapi_trace_name_ mapi_trace_flush_[] = {MAPI_TRACE_FLAGS_FLUSH(MAPI_TRACE_NAME_)};
static const mapi_trace_name_ mapi_trace_validate_[] = {MAPI_TRACE_FLAGS_VALIDATE(MAPI_TRACE_NAME_)};
static const mapi_trace_name_ mapi_trace_settings_[] = {MAPI_TRACE_FLAGS_SETTINGS(MAPI_TRACE_NAME_)};
static const mapi_trace_name_ mapi_trace_password_[] = {MAPI_TRACE_FLAGS_PASSWORD(MAPI_TRACE_NAME_)};
static const mapi_trace_name_ mapi_trace_results_[] = {MAPI_TRACE_RESULTS(MAPI_TRACE_NAME_)};
#undef MAPI_TRACE_NAME_

typedef struct mapi_trace_names_ {
    const mapi_trace_name_ *names;
    size_t count;
} mapi_trace_names_;

#define MAPI_TRACE_TABLE_(t) {t, sizeof(t) / sizeof((t)[0])}
/* In the order of mapi_trace_flag_word. */
static const mapi_trace_names_ mapi_trace_words_[MAPI_TRACE_FLAG_WORDS] = {
    MAPI_TRACE_TABLE_(mapi_trace_xp_init_),        MAPI_TRACE_TABLE_(mapi_trace_logon_),
    MAPI_TRACE_TABLE_(mapi_trace_logon_caps_),     MAPI_TRACE_TABLE_(mapi_trace_notify_),
    MAPI_TRACE_TABLE_(mapi_trace_spooler_notify_), MAPI_TRACE_TABLE_(mapi_trace_submit_),
    MAPI_TRACE_TABLE_(mapi_trace_end_),            MAPI_TRACE_TABLE_(mapi_trace_queue_),
    MAPI_TRACE_TABLE_(mapi_trace_status_row_),     MAPI_TRACE_TABLE_(mapi_trace_status_code_),
    MAPI_TRACE_TABLE_(mapi_trace_resource_methods_), MAPI_TRACE_TABLE_(mapi_trace_resource_flags_),
    MAPI_TRACE_TABLE_(mapi_trace_logoff_),         MAPI_TRACE_TABLE_(mapi_trace_hook_),
    MAPI_TRACE_TABLE_(mapi_trace_flush_),          MAPI_TRACE_TABLE_(mapi_trace_validate_),
    MAPI_TRACE_TABLE_(mapi_trace_settings_),       MAPI_TRACE_TABLE_(mapi_trace_password_),
};
#undef MAPI_TRACE_TABLE_

/* One identifier seen, with its number. */
typedef struct mapi_trace_seen_ {
    mapi_trace_kind kind;
    long number;
    size_t cb;
    unsigned char *bytes;
} mapi_trace_seen_;

struct mapi_trace {
    FILE *file;
    int owns_file;
    int write_failed;
    mapi_trace_lock_ lock;
    mapi_trace_seen_ *seen;
    size_t seen_count;
    size_t seen_cap;
    long next[3]; /* the next number per mapi_trace_kind */
};

/* "0x" and eight upper-case hexadecimal digits, in buf (at least 11 bytes). */
static void mapi_trace_hex_(uint32_t value, char *buf) {
    static const char digits[] = "0123456789ABCDEF";
    int i;
    buf[0] = '0';
    buf[1] = 'x';
    for (i = 0; i < 8; i++) {
        buf[2 + i] = digits[(value >> (28 - 4 * i)) & 0xF];
    }
    buf[10] = '\0';
}

/* Decimal digits of value, in buf (at least 21 bytes). */
static void mapi_trace_dec_(uint64_t value, char *buf) {
    char tmp[21];
    int n = 0, i;
    do {
        tmp[n++] = (char)('0' + (int)(value % 10));
        value /= 10;
    } while (value != 0);
    for (i = 0; i < n; i++) {
        buf[i] = tmp[n - 1 - i];
    }
    buf[n] = '\0';
}

const char *mapi_trace_flags_text(mapi_trace_flag_word word, uint32_t value, char *buf, size_t size) {
    const mapi_trace_names_ *table;
    uint32_t known = 0;
    size_t i, len = 0;
    if (size == 0) {
        return buf;
    }
    buf[0] = '\0';
    if ((unsigned)word >= (unsigned)MAPI_TRACE_FLAG_WORDS || size < 11) {
        return buf;
    }
    table = &mapi_trace_words_[word];
    for (i = 0; i < table->count; i++) {
        known |= table->names[i].value;
    }
    if (value == 0) {
        buf[0] = '0';
        buf[1] = '\0';
        return buf;
    }
    if ((value & ~known) != 0) {
        mapi_trace_hex_(value, buf);
        return buf;
    }
    for (i = 0; i < table->count; i++) {
        const char *name = table->names[i].name;
        size_t n = strlen(name);
        if ((value & table->names[i].value) != table->names[i].value) {
            continue;
        }
        if (len + n + 2 > size) { /* cannot happen with 512 bytes: fall back to hexadecimal */
            mapi_trace_hex_(value, buf);
            return buf;
        }
        if (len > 0) {
            buf[len++] = '|';
        }
        memcpy(buf + len, name, n);
        len += n;
        buf[len] = '\0';
    }
    return buf;
}

const char *mapi_trace_result_name(uint32_t hresult) {
    size_t i;
    for (i = 0; i < sizeof(mapi_trace_results_) / sizeof(mapi_trace_results_[0]); i++) {
        if (mapi_trace_results_[i].value == hresult) {
            return mapi_trace_results_[i].name;
        }
    }
    return NULL;
}

/* ---- building a line ---- */

static void mapi_trace_append_(mapi_trace_line *line, const char *text, size_t n) {
    if (line->failed) {
        return;
    }
    if (line->len + n + 1 > line->cap) {
        size_t cap = line->cap ? line->cap : 256;
        char *grown;
        while (line->len + n + 1 > cap) {
            cap *= 2;
        }
        grown = (char *)realloc(line->text, cap);
        if (grown == NULL) {
            line->failed = 1;
            return;
        }
        line->text = grown;
        line->cap = cap;
    }
    memcpy(line->text + line->len, text, n);
    line->len += n;
    line->text[line->len] = '\0';
}

static void mapi_trace_append_cstr_(mapi_trace_line *line, const char *text) {
    mapi_trace_append_(line, text, strlen(text));
}

/* A JSON string: quotes, and escapes for quotes, backslashes and control characters. */
static void mapi_trace_append_json_(mapi_trace_line *line, const char *text) {
    const unsigned char *p = (const unsigned char *)text;
    mapi_trace_append_(line, "\"", 1);
    for (; *p; p++) {
        char esc[7];
        switch (*p) {
        case '"': mapi_trace_append_(line, "\\\"", 2); break;
        case '\\': mapi_trace_append_(line, "\\\\", 2); break;
        case '\n': mapi_trace_append_(line, "\\n", 2); break;
        case '\r': mapi_trace_append_(line, "\\r", 2); break;
        case '\t': mapi_trace_append_(line, "\\t", 2); break;
        default:
            if (*p < 0x20) {
                static const char digits[] = "0123456789abcdef";
                esc[0] = '\\';
                esc[1] = 'u';
                esc[2] = '0';
                esc[3] = '0';
                esc[4] = digits[*p >> 4];
                esc[5] = digits[*p & 0xF];
                mapi_trace_append_(line, esc, 6);
            } else {
                mapi_trace_append_(line, (const char *)p, 1);
            }
        }
    }
    mapi_trace_append_(line, "\"", 1);
}

/* The separator and the key of the next member at the current level. */
static void mapi_trace_member_(mapi_trace_line *line, const char *key) {
    if (!line->empty[line->depth]) {
        mapi_trace_append_(line, ",", 1);
    }
    line->empty[line->depth] = 0;
    if (key != NULL) {
        mapi_trace_append_json_(line, key);
        mapi_trace_append_(line, ":", 1);
    }
}

void mapi_trace_begin(mapi_trace_line *line, const char *kind, const char *name) {
    memset(line, 0, sizeof(*line));
    line->closer[0] = '}';
    line->empty[0] = 1;
    mapi_trace_append_(line, "{", 1);
    mapi_trace_add_str(line, kind, name);
}

void mapi_trace_add_str(mapi_trace_line *line, const char *key, const char *utf8) {
    mapi_trace_member_(line, key);
    mapi_trace_append_json_(line, utf8 != NULL ? utf8 : "");
}

void mapi_trace_add_null(mapi_trace_line *line, const char *key) {
    mapi_trace_member_(line, key);
    mapi_trace_append_cstr_(line, "null");
}

void mapi_trace_add_bool(mapi_trace_line *line, const char *key, int value) {
    mapi_trace_member_(line, key);
    mapi_trace_append_cstr_(line, value ? "true" : "false");
}

void mapi_trace_add_uint(mapi_trace_line *line, const char *key, uint64_t value) {
    char digits[21];
    mapi_trace_dec_(value, digits);
    mapi_trace_member_(line, key);
    mapi_trace_append_cstr_(line, digits);
}

void mapi_trace_add_id(mapi_trace_line *line, const char *key, const char *prefix, unsigned long number) {
    char digits[21];
    mapi_trace_dec_(number, digits);
    mapi_trace_member_(line, key);
    mapi_trace_append_(line, "\"", 1);
    mapi_trace_append_cstr_(line, prefix);
    mapi_trace_append_cstr_(line, digits);
    mapi_trace_append_(line, "\"", 1);
}

void mapi_trace_add_flags(mapi_trace_line *line, const char *key, mapi_trace_flag_word word, uint32_t value) {
    char text[512];
    mapi_trace_flags_text(word, value, text, sizeof(text));
    if (text[0] == '\0') {
        line->failed = 1; /* not a flag word this header knows */
        return;
    }
    mapi_trace_add_str(line, key, text);
}

void mapi_trace_add_result(mapi_trace_line *line, const char *key, uint32_t hresult) {
    const char *name = mapi_trace_result_name(hresult);
    char hex[11];
    if (name == NULL) {
        mapi_trace_hex_(hresult, hex);
        name = hex;
    }
    mapi_trace_add_str(line, key, name);
}

void mapi_trace_add_version(mapi_trace_line *line, const char *key, uint32_t version) {
    char hex[11];
    mapi_trace_hex_(version, hex);
    mapi_trace_add_str(line, key, hex);
}

void mapi_trace_add_rows(mapi_trace_line *line, const char *key, const uint32_t *rows, size_t count) {
    size_t i;
    mapi_trace_open_array(line, key);
    for (i = 0; i < count; i++) {
        mapi_trace_add_uint(line, NULL, rows[i]);
    }
    mapi_trace_close_nested(line);
}

static void mapi_trace_open_(mapi_trace_line *line, const char *key, char opener, char closer) {
    mapi_trace_member_(line, key);
    if (line->depth >= MAPI_TRACE_MAX_DEPTH) {
        line->failed = 1;
        return;
    }
    mapi_trace_append_(line, &opener, 1);
    line->depth++;
    line->closer[line->depth] = closer;
    line->empty[line->depth] = 1;
}

void mapi_trace_open_array(mapi_trace_line *line, const char *key) {
    mapi_trace_open_(line, key, '[', ']');
}

void mapi_trace_open_object(mapi_trace_line *line, const char *key) {
    mapi_trace_open_(line, key, '{', '}');
}

void mapi_trace_close_nested(mapi_trace_line *line) {
    if (line->depth == 0) {
        line->failed = 1;
        return;
    }
    mapi_trace_append_(line, &line->closer[line->depth], 1);
    line->depth--;
}

void mapi_trace_discard(mapi_trace_line *line) {
    free(line->text);
    line->text = NULL;
    line->len = line->cap = 0;
}

int mapi_trace_end(mapi_trace *trace, mapi_trace_line *line) {
    int result = -1;
    if (line->depth != 0) {
        line->failed = 1;
    }
    mapi_trace_append_(line, "}\n", 2);
    if (trace != NULL) {
        MAPI_TRACE_LOCK_(&trace->lock);
        if (!line->failed && fwrite(line->text, 1, line->len, trace->file) == line->len && fflush(trace->file) == 0) {
            result = 0;
        } else {
            trace->write_failed = 1; /* mapi_trace_close will say a line was lost */
        }
        MAPI_TRACE_UNLOCK_(&trace->lock);
    }
    mapi_trace_discard(line);
    return result;
}

/* ---- the trace ---- */

static FILE *mapi_trace_fopen_(const char *path) {
#ifdef _WIN32
    /* The path is UTF-8: convert it, so that any name works, whatever the ANSI code page. */
    int n = MultiByteToWideChar(CP_UTF8, 0, path, -1, NULL, 0);
    wchar_t *wide;
    FILE *file;
    if (n <= 0) {
        return NULL;
    }
    wide = (wchar_t *)malloc((size_t)n * sizeof(wchar_t));
    if (wide == NULL) {
        return NULL;
    }
    MultiByteToWideChar(CP_UTF8, 0, path, -1, wide, n);
    file = _wfopen(wide, L"wb");
    free(wide);
    return file;
#else
    return fopen(path, "wb");
#endif
}

/* 1 when the header names at least one transport and a scope index in range. */
static int mapi_trace_valid_(const mapi_trace_header *header) {
    if (header == NULL || header->transports == 0) {
        return 0;
    }
    switch (header->scope) {
    case MAPI_TRACE_SCOPE_TRANSPORT: return header->scope_index < header->transports;
    case MAPI_TRACE_SCOPE_STORE: return header->scope_index < header->stores;
    default: return 0;
    }
}

/* Writes the header line on file; closes file on failure if the trace was to own it. */
static mapi_trace *mapi_trace_start_(FILE *file, int owns_file, const mapi_trace_header *header) {
    int transport = header->scope == MAPI_TRACE_SCOPE_TRANSPORT;
    mapi_trace *trace = (mapi_trace *)calloc(1, sizeof(*trace));
    mapi_trace_line line;
    unsigned i;
    if (trace == NULL) {
        if (owns_file) {
            fclose(file);
        }
        return NULL;
    }
    trace->file = file;
    trace->owns_file = owns_file;
    trace->next[MAPI_TRACE_MESSAGE] = 1;
    MAPI_TRACE_LOCK_INIT_(&trace->lock);

    /* {"mapi_spooler_trace":1,"transports":[...],"stores":n,"recorded":"calls","scope":{...}} */
    memset(&line, 0, sizeof(line));
    line.closer[0] = '}';
    line.empty[0] = 1;
    mapi_trace_append_(&line, "{", 1);
    mapi_trace_add_uint(&line, "mapi_spooler_trace", MAPI_TRACE_FORMAT_VERSION);
    mapi_trace_open_array(&line, "transports");
    for (i = 0; i < header->transports; i++) {
        mapi_trace_add_id(&line, NULL, "svc", i);
    }
    mapi_trace_close_nested(&line);
    mapi_trace_add_uint(&line, "stores", header->stores);
    mapi_trace_add_str(&line, "recorded", "calls");
    mapi_trace_open_object(&line, "scope");
    mapi_trace_add_id(&line, transport ? "transport" : "store", transport ? "T" : "S", header->scope_index);
    mapi_trace_close_nested(&line);
    if (mapi_trace_end(trace, &line) != 0) {
        mapi_trace_close(trace);
        return NULL;
    }
    return trace;
}

mapi_trace *mapi_trace_open(const char *path, const mapi_trace_header *header) {
    FILE *file;
    if (path == NULL || !mapi_trace_valid_(header)) {
        return NULL;
    }
    file = mapi_trace_fopen_(path);
    return file == NULL ? NULL : mapi_trace_start_(file, 1, header);
}

mapi_trace *mapi_trace_attach(FILE *file, const mapi_trace_header *header) {
    return file == NULL || !mapi_trace_valid_(header) ? NULL : mapi_trace_start_(file, 0, header);
}

int mapi_trace_close(mapi_trace *trace) {
    int result;
    size_t i;
    if (trace == NULL) {
        return 0;
    }
    if (fflush(trace->file) != 0) {
        trace->write_failed = 1;
    }
    if (trace->owns_file && fclose(trace->file) != 0) {
        trace->write_failed = 1;
    }
    result = trace->write_failed ? -1 : 0;
    for (i = 0; i < trace->seen_count; i++) {
        free(trace->seen[i].bytes);
    }
    free(trace->seen);
    MAPI_TRACE_LOCK_FREE_(&trace->lock);
    free(trace);
    return result;
}

long mapi_trace_id(mapi_trace *trace, mapi_trace_kind kind, const void *bytes, size_t cb) {
    long number = -1;
    size_t i;
    if (trace == NULL || (unsigned)kind > (unsigned)MAPI_TRACE_UID) {
        return -1;
    }
    MAPI_TRACE_LOCK_(&trace->lock);
    if (cb == 0 || bytes == NULL) {
        number = trace->next[kind]++;
        goto done;
    }
    for (i = 0; i < trace->seen_count; i++) {
        const mapi_trace_seen_ *s = &trace->seen[i];
        if (s->kind == kind && s->cb == cb && memcmp(s->bytes, bytes, cb) == 0) {
            number = s->number;
            goto done;
        }
    }
    if (trace->seen_count == trace->seen_cap) {
        size_t cap = trace->seen_cap ? trace->seen_cap * 2 : 16;
        mapi_trace_seen_ *grown = (mapi_trace_seen_ *)realloc(trace->seen, cap * sizeof(*grown));
        if (grown == NULL) {
            goto done;
        }
        trace->seen = grown;
        trace->seen_cap = cap;
    }
    {
        mapi_trace_seen_ *s = &trace->seen[trace->seen_count];
        s->bytes = (unsigned char *)malloc(cb);
        if (s->bytes == NULL) {
            goto done;
        }
        memcpy(s->bytes, bytes, cb);
        s->cb = cb;
        s->kind = kind;
        s->number = trace->next[kind]++;
        number = s->number;
        trace->seen_count++;
    }
done:
    MAPI_TRACE_UNLOCK_(&trace->lock);
    return number;
}

#ifdef __cplusplus
}
#endif

#endif /* MAPI_TRACE_IMPLEMENTED */
#endif /* MAPI_TRACE_IMPLEMENTATION */
