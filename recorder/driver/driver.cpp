// The driver of the recorder's real run (recorder/run.sh): it plays the spooler's side of one
// short session against a transport provider DLL (the recording proxy, in the run), with MAPI's
// objects faked just enough: the allocators, the support object, one outgoing message and its
// recipient table.
//
// The session follows the reference's order (spec/trace-format.md, LIFE-1 to LIFE-16):
// XPProviderInit, TransportLogon (LOGON_NO_INBOUND | LOGON_NO_OUTBOUND), AddressTypes,
// TransportNotify (BEGIN_INBOUND | BEGIN_OUTBOUND), one SubmitMessage (two SAMPLE recipients,
// a delivery report requested) and its EndMessage, TransportNotify (END_INBOUND |
// END_OUTBOUND), TransportLogoff, Shutdown.
//
// Usage: driver PROVIDER.dll [cancel]
// With `cancel`, the user cancels the message while SubmitMessage is in flight (DEF-7, DEF-8):
// SubmitMessage runs on a second thread; at the provider's first SpoolerYield the first thread
// sends TransportNotify(NOTIFY_CANCEL_MESSAGE) with the transfer's reference, and every later
// SpoolerYield returns MAPI_W_CANCEL_MESSAGE; no EndMessage follows the failed SubmitMessage.
// Prints each step; exits 0 when the session ran to its end, 1 when a step the session needs
// failed (the provider could not start, log on, take the message, or, with `cancel`, never
// yielded or did not stop), 2 on bad usage.
#include "../common/stubs.h"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

// ---- MAPI's allocators: a buffer and the buffers allocated "more" on it are freed together ----

struct Block {
    Block *more;  // the next buffer allocated with AllocateMore on the same base
    alignas(16) unsigned char data[1];
};

Block *block_of(LPVOID p) {
    return reinterpret_cast<Block *>(static_cast<unsigned char *>(p) - offsetof(Block, data));
}

SCODE WINAPI allocate_buffer(ULONG size, LPVOID *out) {
    auto *block = static_cast<Block *>(std::calloc(1, offsetof(Block, data) + size + 1));
    if (block == nullptr) {
        return MAPI_E_NOT_ENOUGH_MEMORY;
    }
    *out = block->data;
    return S_OK;
}

SCODE WINAPI allocate_more(ULONG size, LPVOID base, LPVOID *out) {
    SCODE sc = allocate_buffer(size, out);
    if (sc == S_OK) {
        Block *root = block_of(base);
        block_of(*out)->more = root->more;
        root->more = block_of(*out);
    }
    return sc;
}

ULONG WINAPI free_buffer(LPVOID p) {
    if (p == nullptr) {
        return 0;
    }
    Block *block = block_of(p);
    while (block != nullptr) {
        Block *next = block->more;
        std::free(block);
        block = next;
    }
    return 0;
}

std::string hex(ULONG value) {
    char text[16];
    std::snprintf(text, sizeof(text), "0x%08lX", value);
    return text;
}

// ---- the user's cancel, in cancel mode ----

struct CancelPlay {
    HANDLE in_flight = CreateEventW(nullptr, TRUE, FALSE, nullptr);  // the provider yielded once
    HANDLE sent = CreateEventW(nullptr, TRUE, FALSE, nullptr);       // the cancel was sent
    std::atomic<int> yields{0};
};

// ---- the support object ----

class Support final : public mapi_com::SupportStubs {
public:
    explicit Support(CancelPlay *cancel) : cancel_(cancel) {}

    STDMETHODIMP QueryInterface(REFIID riid, LPVOID *ppvObj) override { return query(riid, ppvObj, {&IID_IMAPISup}); }

    STDMETHODIMP GetMemAllocRoutines(LPALLOCATEBUFFER *a, LPALLOCATEMORE *m, LPFREEBUFFER *f) override {
        *a = allocate_buffer;
        *m = allocate_more;
        *f = free_buffer;
        return S_OK;
    }
    STDMETHODIMP ModifyStatusRow(ULONG cValues, LPSPropValue, ULONG ulFlags) override {
        std::printf("  support: ModifyStatusRow(%lu columns, %s)\n", cValues, hex(ulFlags).c_str());
        return S_OK;
    }
    STDMETHODIMP SpoolerNotify(ULONG ulFlags, LPVOID) override {
        std::printf("  support: SpoolerNotify(%s)\n", hex(ulFlags).c_str());
        return S_OK;
    }
    // In cancel mode: the first yield waits for the cancel to be sent; the later ones say so.
    STDMETHODIMP SpoolerYield(ULONG) override {
        std::printf("  support: SpoolerYield\n");
        if (cancel_ == nullptr) {
            return S_OK;
        }
        if (++cancel_->yields == 1) {
            SetEvent(cancel_->in_flight);
            WaitForSingleObject(cancel_->sent, 10000);
            return S_OK;
        }
        return MAPI_W_CANCEL_MESSAGE;
    }
    STDMETHODIMP RegisterPreprocessor(LPMAPIUID, LPTSTR, LPTSTR, LPSTR, LPSTR, ULONG) override {
        std::printf("  support: RegisterPreprocessor\n");
        return S_OK;
    }
    // MAPI frees the list when it succeeds (SUB-30).
    STDMETHODIMP StatusRecips(LPMESSAGE, LPADRLIST lpRecipList) override {
        std::printf("  support: StatusRecips(%lu entries)\n", lpRecipList->cEntries);
        for (ULONG i = 0; i < lpRecipList->cEntries; i++) {
            free_buffer(lpRecipList->aEntries[i].rgPropVals);
        }
        free_buffer(lpRecipList);
        return S_OK;
    }

private:
    ~Support() override = default;

    CancelPlay *cancel_;
};

// ---- the outgoing message ----

struct Recipient {
    LONG row;
    std::string type;
    std::string address;
    bool responsibility;
};

// A table of recipient rows, as they were when it was opened.
class RecipientTable final : public mapi_com::TableStubs {
public:
    explicit RecipientTable(std::vector<Recipient> rows) : rows_(std::move(rows)) {}

    STDMETHODIMP QueryInterface(REFIID riid, LPVOID *ppvObj) override { return query(riid, ppvObj, {&IID_IMAPITable}); }

    STDMETHODIMP SetColumns(LPSPropTagArray lpPropTagArray, ULONG) override {
        columns_.assign(lpPropTagArray->aulPropTag, lpPropTagArray->aulPropTag + lpPropTagArray->cValues);
        return S_OK;
    }
    STDMETHODIMP GetRowCount(ULONG, ULONG *lpulCount) override {
        *lpulCount = static_cast<ULONG>(rows_.size());
        return S_OK;
    }
    STDMETHODIMP SeekRow(BOOKMARK bkOrigin, LONG lRowCount, LONG *lplRowsSought) override {
        if (bkOrigin != BOOKMARK_BEGINNING || lRowCount < 0) {
            return MAPI_E_NO_SUPPORT;
        }
        next_ = std::min(static_cast<size_t>(lRowCount), rows_.size());
        if (lplRowsSought != nullptr) {
            *lplRowsSought = static_cast<LONG>(next_);
        }
        return S_OK;
    }
    STDMETHODIMP QueryRows(LONG lRowCount, ULONG, LPSRowSet *lppRows) override {
        size_t count = lRowCount < 0 ? 0 : std::min(static_cast<size_t>(lRowCount), rows_.size() - next_);
        LPSRowSet set = nullptr;
        if (allocate_buffer(static_cast<ULONG>(CbNewSRowSet(count)), reinterpret_cast<LPVOID *>(&set)) != S_OK) {
            return MAPI_E_NOT_ENOUGH_MEMORY;
        }
        set->cRows = static_cast<ULONG>(count);
        for (size_t i = 0; i < count; i++) {
            const Recipient &r = rows_[next_ + i];
            LPSPropValue props = nullptr;
            allocate_buffer(static_cast<ULONG>(columns_.size() * sizeof(SPropValue)), reinterpret_cast<LPVOID *>(&props));
            for (size_t c = 0; c < columns_.size(); c++) {
                props[c].ulPropTag = columns_[c];
                switch (columns_[c]) {
                case PR_ROWID: props[c].Value.l = r.row; break;
                case PR_RESPONSIBILITY: props[c].Value.b = r.responsibility; break;
                case PR_ADDRTYPE_A: props[c].Value.lpszA = copy(r.type, props); break;
                case PR_EMAIL_ADDRESS_A: props[c].Value.lpszA = copy(r.address, props); break;
                default:
                    props[c].ulPropTag = PROP_TAG(PT_ERROR, PROP_ID(columns_[c]));
                    props[c].Value.err = MAPI_E_NOT_FOUND;
                }
            }
            set->aRow[i].ulAdrEntryPad = 0;
            set->aRow[i].cValues = static_cast<ULONG>(columns_.size());
            set->aRow[i].lpProps = props;
        }
        next_ += count;
        *lppRows = set;
        return S_OK;
    }

private:
    ~RecipientTable() override = default;

    static char *copy(const std::string &text, LPVOID base) {
        char *out = nullptr;
        allocate_more(static_cast<ULONG>(text.size() + 1), base, reinterpret_cast<LPVOID *>(&out));
        std::memcpy(out, text.c_str(), text.size() + 1);
        return out;
    }

    std::vector<Recipient> rows_;
    std::vector<ULONG> columns_{PR_ROWID, PR_RESPONSIBILITY};
    size_t next_ = 0;
};

class Message final : public mapi_com::MessageStubs {
public:
    Message(std::vector<BYTE> entry_id, bool delivery_report, std::vector<Recipient> recipients)
        : entry_id_(std::move(entry_id)), delivery_report_(delivery_report), recipients_(std::move(recipients)) {}

    STDMETHODIMP QueryInterface(REFIID riid, LPVOID *ppvObj) override {
        return query(riid, ppvObj, {&IID_IMAPIProp, &IID_IMessage});
    }

    // PR_ENTRYID and PR_ORIGINATOR_DELIVERY_REPORT_REQUESTED; any other as PT_ERROR.
    STDMETHODIMP GetProps(LPSPropTagArray lpPropTagArray, ULONG, ULONG *lpcValues, LPSPropValue *lppPropArray) override {
        if (lpPropTagArray == nullptr) {
            return MAPI_E_NO_SUPPORT;
        }
        LPSPropValue props = nullptr;
        if (allocate_buffer(lpPropTagArray->cValues * sizeof(SPropValue), reinterpret_cast<LPVOID *>(&props)) != S_OK) {
            return MAPI_E_NOT_ENOUGH_MEMORY;
        }
        HRESULT hr = S_OK;
        for (ULONG i = 0; i < lpPropTagArray->cValues; i++) {
            ULONG tag = lpPropTagArray->aulPropTag[i];
            props[i].ulPropTag = tag;
            if (tag == PR_ENTRYID) {
                props[i].Value.bin.cb = static_cast<ULONG>(entry_id_.size());
                allocate_more(props[i].Value.bin.cb, props, reinterpret_cast<LPVOID *>(&props[i].Value.bin.lpb));
                std::memcpy(props[i].Value.bin.lpb, entry_id_.data(), entry_id_.size());
            } else if (tag == PR_ORIGINATOR_DELIVERY_REPORT_REQUESTED) {
                props[i].Value.b = delivery_report_;
            } else {
                props[i].ulPropTag = PROP_TAG(PT_ERROR, PROP_ID(tag));
                props[i].Value.err = MAPI_E_NOT_FOUND;
                hr = MAPI_W_ERRORS_RETURNED;
            }
        }
        *lpcValues = lpPropTagArray->cValues;
        *lppPropArray = props;
        return hr;
    }

    STDMETHODIMP SaveChanges(ULONG) override {
        std::printf("  message: SaveChanges\n");
        return S_OK;
    }

    STDMETHODIMP GetRecipientTable(ULONG, LPMAPITABLE *lppTable) override {
        *lppTable = new RecipientTable(recipients_);
        return S_OK;
    }

    // MODRECIP_MODIFY: the rows named by PR_ROWID take the properties given.
    STDMETHODIMP ModifyRecipients(ULONG ulFlags, LPADRLIST lpMods) override {
        if (ulFlags != MODRECIP_MODIFY) {
            return MAPI_E_NO_SUPPORT;
        }
        for (ULONG i = 0; i < lpMods->cEntries; i++) {
            const ADRENTRY &entry = lpMods->aEntries[i];
            Recipient *target = nullptr;
            for (ULONG p = 0; p < entry.cValues; p++) {
                if (entry.rgPropVals[p].ulPropTag == PR_ROWID) {
                    for (Recipient &r : recipients_) {
                        target = r.row == entry.rgPropVals[p].Value.l ? &r : target;
                    }
                }
            }
            if (target == nullptr) {
                return MAPI_E_NOT_FOUND;
            }
            for (ULONG p = 0; p < entry.cValues; p++) {
                if (entry.rgPropVals[p].ulPropTag == PR_RESPONSIBILITY) {
                    target->responsibility = entry.rgPropVals[p].Value.b != 0;
                }
            }
        }
        std::printf("  message: ModifyRecipients(%lu rows)\n", lpMods->cEntries);
        return S_OK;
    }

private:
    ~Message() override = default;

    std::vector<BYTE> entry_id_;
    bool delivery_report_;
    std::vector<Recipient> recipients_;
};

// Prints a step's result; true when it is S_OK.
bool step(const char *what, HRESULT hr, const std::string &out = std::string()) {
    std::printf("spooler <- %s => %s%s%s\n", what, hex(static_cast<ULONG>(hr)).c_str(), out.empty() ? "" : " ", out.c_str());
    return hr == S_OK;
}

int fail(const char *what) {
    std::fprintf(stderr, "driver: %s failed; the session cannot go on\n", what);
    return 1;
}

// SubmitMessage on a thread of its own, in cancel mode.
struct Submission {
    LPXPLOGON logon;
    LPMESSAGE message;
    ULONG ref = 0;  // SUB-23: pre-set to 0
    ULONG return_parm = 0;
    HRESULT result = E_FAIL;
};

DWORD WINAPI submit(LPVOID argument) {
    auto *job = static_cast<Submission *>(argument);
    job->result = job->logon->SubmitMessage(0, job->message, &job->ref, &job->return_parm);
    return 0;
}

// The message's SubmitMessage with the user's cancel while it is in flight: the cancel names the
// reference the provider wrote before yielding (SUB-27). True when the provider stopped with
// MAPI_E_USER_CANCEL.
bool submit_and_cancel(LPXPLOGON logon, LPMESSAGE message, CancelPlay &cancel) {
    Submission job{logon, message};
    std::printf("spooler -> SubmitMessage(0, M1), on a second thread\n");
    HANDLE thread = CreateThread(nullptr, 0, submit, &job, 0, nullptr);
    if (thread == nullptr || WaitForSingleObject(cancel.in_flight, 10000) != WAIT_OBJECT_0) {
        std::fprintf(stderr, "driver: the provider never yielded in SubmitMessage\n");
        return false;
    }
    ULONG flags = NOTIFY_CANCEL_MESSAGE;
    LPVOID data = &job.ref;
    std::printf("spooler -> TransportNotify(%s), the user's cancel\n", hex(flags).c_str());
    HRESULT hr = logon->TransportNotify(&flags, &data);
    step("TransportNotify", hr, hex(flags));
    SetEvent(cancel.sent);
    if (WaitForSingleObject(thread, 30000) != WAIT_OBJECT_0) {
        std::fprintf(stderr, "driver: SubmitMessage did not return after the cancel\n");
        return false;
    }
    CloseHandle(thread);
    step("SubmitMessage", job.result, "ref " + std::to_string(job.ref));
    return job.result == MAPI_E_USER_CANCEL;
}

}  // namespace

int main(int argc, char **argv) {
    bool cancelling = argc == 3 && std::strcmp(argv[2], "cancel") == 0;
    if (argc != 2 && !cancelling) {
        std::fprintf(stderr, "usage: driver PROVIDER.dll [cancel]\n");
        return 2;
    }
    CancelPlay cancel;
    HMODULE module = LoadLibraryA(argv[1]);
    if (module == nullptr) {
        std::fprintf(stderr, "driver: cannot load %s (error %lu)\n", argv[1], GetLastError());
        return 1;
    }
    auto init = reinterpret_cast<XPPROVIDERINIT *>(reinterpret_cast<void *>(GetProcAddress(module, "XPProviderInit")));
    if (init == nullptr) {
        std::fprintf(stderr, "driver: %s exports no XPProviderInit\n", argv[1]);
        return 1;
    }

    ULONG version = 0;
    LPXPPROVIDER provider = nullptr;
    std::printf("spooler -> XPProviderInit(0, %s)\n", hex(CURRENT_SPI_VERSION).c_str());
    HRESULT hr = init(module, nullptr, allocate_buffer, allocate_more, free_buffer, 0, CURRENT_SPI_VERSION, &version, &provider);
    if (!step("XPProviderInit", hr, hex(version))) {
        return fail("XPProviderInit");
    }

    auto *support = new Support(cancelling ? &cancel : nullptr);
    ULONG logon_flags = LOGON_NO_INBOUND | LOGON_NO_OUTBOUND;
    LPMAPIERROR error = nullptr;
    LPXPLOGON logon = nullptr;
    char profile[] = "recorder-run";
    std::printf("spooler -> TransportLogon(%s)\n", hex(logon_flags).c_str());
    hr = provider->TransportLogon(support, 0, profile, &logon_flags, &error, &logon);
    if (!step("TransportLogon", hr, hex(logon_flags))) {
        return fail("TransportLogon");
    }

    ULONG type_flags = 0, type_count = 0, uid_count = 0;
    LPTSTR *types = nullptr;
    LPMAPIUID *uids = nullptr;
    std::printf("spooler -> AddressTypes\n");
    hr = logon->AddressTypes(&type_flags, &type_count, &types, &uid_count, &uids);
    if (!step("AddressTypes", hr, std::to_string(type_count) + " types, " + std::to_string(uid_count) + " UIDs")) {
        return fail("AddressTypes");
    }

    ULONG notify = NOTIFY_BEGIN_INBOUND | NOTIFY_BEGIN_OUTBOUND;
    LPVOID data = nullptr;
    std::printf("spooler -> TransportNotify(%s)\n", hex(notify).c_str());
    hr = logon->TransportNotify(&notify, &data);
    step("TransportNotify", hr, hex(notify));

    // SUB-22: the spooler shows FALSE on the rows it offers this transport.
    auto *message = new Message({0x00, 0x00, 0x00, 0x00, 0x5a, 0x11, 0x00, 0x01}, true,
                                {{0, "SAMPLE", "alice@example.org", false}, {1, "SAMPLE", "nobody@example.org", false}});
    if (cancelling) {
        if (!submit_and_cancel(logon, message, cancel)) {
            return fail("the cancelled SubmitMessage");
        }
    } else {
        ULONG ref = 0, return_parm = 0;  // SUB-23: the reference is pre-set to 0
        std::printf("spooler -> SubmitMessage(0, M1)\n");
        hr = logon->SubmitMessage(0, message, &ref, &return_parm);
        if (!step("SubmitMessage", hr, "ref " + std::to_string(ref))) {
            return fail("SubmitMessage");
        }
        ULONG end_flags = 0;
        std::printf("spooler -> EndMessage(%lu)\n", ref);
        hr = logon->EndMessage(ref, &end_flags);
        step("EndMessage", hr, hex(end_flags));
    }
    message->Release();

    notify = NOTIFY_END_INBOUND | NOTIFY_END_OUTBOUND;
    std::printf("spooler -> TransportNotify(%s)\n", hex(notify).c_str());
    hr = logon->TransportNotify(&notify, &data);
    step("TransportNotify", hr, hex(notify));

    std::printf("spooler -> TransportLogoff\n");
    step("TransportLogoff", logon->TransportLogoff(0));
    logon->Release();
    support->Release();

    ULONG shutdown_flags = 0;
    std::printf("spooler -> Shutdown\n");
    step("Shutdown", provider->Shutdown(&shutdown_flags));
    provider->Release();
    std::printf("the session ran to its end\n");
    return 0;
}
