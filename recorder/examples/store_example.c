/*
 * store_example.c: how a message store author records the store's boundary with mapi_trace.h,
 * in plain C99. The store's methods are reduced to what touches the trace: each method the
 * spooler calls writes its call line on entry and its return line on exit; the table
 * notification of the outgoing queue writes a queue line when the store raises it.
 *
 * Usage: store_example OUTPUT.jsonl
 * It writes a store-scope trace ("scope":{"store":"S0"}) of a short session: the spooler's
 * logon, the empty outgoing queue, one message submitted by a client, locked by the spooler and
 * finished. tests/recorder.rs reads the result (tests/traces/recorded/store-example.jsonl).
 */
#define MAPI_TRACE_IMPLEMENTATION
#include "mapi_trace.h"

#include <stdio.h>
#include <string.h>

typedef uint32_t HRESULT_;
#define S_OK_ 0u

/* The store: which store of the profile it is, and its trace. */
typedef struct store {
    unsigned index;
    mapi_trace *trace;
} store;

/* An entry identifier as the store hands it out. */
typedef struct entry_id {
    size_t cb;
    const unsigned char *bytes;
} entry_id;

static void call_line(store *s, const char *method, mapi_trace_line *line) {
    mapi_trace_begin(line, "call", method);
    mapi_trace_add_id(line, "to", "S", s->index);
}

static void return_line(store *s, const char *method, HRESULT_ hr, mapi_trace_line *line) {
    mapi_trace_begin(line, "return", method);
    mapi_trace_add_id(line, "from", "S", s->index);
    mapi_trace_add_result(line, "result", hr);
}

static long message_number(store *s, entry_id id) {
    return mapi_trace_id(s->trace, MAPI_TRACE_MESSAGE, id.bytes, id.cb);
}

/* IMSProvider::SpoolerLogon */
static HRESULT_ spooler_logon(store *s) {
    mapi_trace_line line;
    call_line(s, "SpoolerLogon", &line);
    mapi_trace_end(s->trace, &line);
    /* ... the store's own work ... */
    return_line(s, "SpoolerLogon", S_OK_, &line);
    mapi_trace_end(s->trace, &line);
    return S_OK_;
}

/* IMsgStore::GetOutgoingQueue: the queue is empty at the start. */
static HRESULT_ get_outgoing_queue(store *s) {
    mapi_trace_line line;
    call_line(s, "GetOutgoingQueue", &line);
    mapi_trace_end(s->trace, &line);
    return_line(s, "GetOutgoingQueue", S_OK_, &line);
    mapi_trace_open_array(&line, "rows");
    mapi_trace_close_nested(&line);
    mapi_trace_end(s->trace, &line);
    return S_OK_;
}

/* The outgoing queue table's notification, raised inside the client's IMessage::SubmitMessage:
 * one recipient of type SMTP, reports requested as the message's properties say. */
static void queue_row_added(store *s, entry_id message) {
    mapi_trace_line line;
    mapi_trace_begin(&line, "queue", "RowAdded");
    mapi_trace_add_id(&line, "from", "S", s->index);
    mapi_trace_add_id(&line, "message", "M", (unsigned long)message_number(s, message));
    mapi_trace_add_flags(&line, "PR_SUBMIT_FLAGS", MAPI_TRACE_QUEUE_FLAGS, 0);
    mapi_trace_add_bool(&line, "PR_PREPROCESS", 0);
    mapi_trace_open_object(&line, "reports");
    mapi_trace_add_bool(&line, "delivery", 0);
    mapi_trace_add_bool(&line, "non_delivery", 1);
    mapi_trace_close_nested(&line);
    mapi_trace_open_array(&line, "recipients");
    mapi_trace_open_object(&line, NULL);
    mapi_trace_add_str(&line, "PR_ADDRTYPE", "SMTP");
    mapi_trace_add_bool(&line, "PR_RESPONSIBILITY", 0);
    mapi_trace_close_nested(&line);
    mapi_trace_close_nested(&line);
    mapi_trace_end(s->trace, &line);
}

/* IMsgStore::SetLockState */
static HRESULT_ set_lock_state(store *s, entry_id message, int locked) {
    const char *state = locked ? "MSG_LOCKED" : "MSG_UNLOCKED";
    long m = message_number(s, message);
    mapi_trace_line line;
    call_line(s, "SetLockState", &line);
    mapi_trace_add_id(&line, "message", "M", (unsigned long)m);
    mapi_trace_add_str(&line, "ulLockState", state);
    mapi_trace_end(s->trace, &line);
    return_line(s, "SetLockState", S_OK_, &line);
    mapi_trace_add_id(&line, "message", "M", (unsigned long)m);
    mapi_trace_add_str(&line, "ulLockState", state);
    mapi_trace_end(s->trace, &line);
    return S_OK_;
}

/* IMsgStore::FinishedMsg */
static HRESULT_ finished_msg(store *s, entry_id message) {
    long m = message_number(s, message);
    mapi_trace_line line;
    call_line(s, "FinishedMsg", &line);
    mapi_trace_add_id(&line, "message", "M", (unsigned long)m);
    mapi_trace_end(s->trace, &line);
    return_line(s, "FinishedMsg", S_OK_, &line);
    mapi_trace_add_id(&line, "message", "M", (unsigned long)m);
    mapi_trace_end(s->trace, &line);
    return S_OK_;
}

int main(int argc, char **argv) {
    static const unsigned char eid[] = {0x00, 0x00, 0x00, 0x00, 0x5a, 0x11, 0x00, 0x01};
    mapi_trace_header header = {1, 1, MAPI_TRACE_SCOPE_STORE, 0};
    entry_id message = {sizeof(eid), eid};
    store s;
    if (argc != 2) {
        fprintf(stderr, "usage: store_example OUTPUT.jsonl\n");
        return 2;
    }
    s.index = 0;
    s.trace = mapi_trace_open(argv[1], &header);
    if (s.trace == NULL) {
        fprintf(stderr, "store_example: cannot write %s\n", argv[1]);
        return 1;
    }
    spooler_logon(&s);
    get_outgoing_queue(&s);
    queue_row_added(&s, message);
    set_lock_state(&s, message, 1);
    finished_msg(&s, message);
    if (mapi_trace_close(s.trace) != 0) {
        fprintf(stderr, "store_example: writing %s failed\n", argv[1]);
        return 1;
    }
    return 0;
}
