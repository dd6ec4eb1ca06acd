// A small transport provider for the recorder's real run (recorder/run.sh): it handles the
// address type SAMPLE, creates its status row at logon, keeps the row's ENABLED and ACTIVE bits
// as the documentation asks, and in SubmitMessage takes every SAMPLE recipient offered to it:
// an address containing "nobody" fails and gets a non-delivery report, the others are delivered
// and get a delivery report when the message asks for one. It yields before each recipient; when
// a yield says the user cancelled the message (MAPI_W_CANCEL_MESSAGE), it stops, keeps the
// recipients already served (saved, SUB-33) and returns MAPI_E_USER_CANCEL (DEF-8). Like MRXP, it
// takes TransportNotify(NOTIFY_CANCEL_MESSAGE) as a row update only.
//
// Built twice: sample_xp.dll keeps the contract; with SAMPLE_BREACH defined, sample_xp_breach.dll
// breaks one rule: its EndMessage answers END_RESEND_NOW | END_DONT_RESEND, two flags of which
// the documentation allows one at most (SUB-34). Nothing else differs.
#include "../common/com.h"

#include <cstring>
#include <string>
#include <vector>

namespace {

// MAPI's allocators, from XPProviderInit: StatusRecips lists must be allocated with them.
LPALLOCATEBUFFER allocate_buffer = nullptr;
LPFREEBUFFER free_buffer = nullptr;

char sample_type[] = "SAMPLE";
LPTSTR address_types[] = {sample_type};

// A recipient row as SubmitMessage reads it.
struct Recipient {
    LONG row;
    std::string type;
    std::string address;
};

SPropValue long_prop(ULONG tag, LONG value) {
    SPropValue prop{};
    prop.ulPropTag = tag;
    prop.Value.l = value;
    return prop;
}

class SampleLogon final : public mapi_com::Object<IXPLogon> {
public:
    explicit SampleLogon(LPMAPISUP support) : support_(support) { support_->AddRef(); }

    // The status row, created during the logon (LIFE-9).
    HRESULT create_row() {
        SPropValue columns[2] = {long_prop(PR_STATUS_CODE, static_cast<LONG>(status_)), {}};
        columns[1].ulPropTag = PR_DISPLAY_NAME_A;
        columns[1].Value.lpszA = const_cast<char *>("Sample transport");
        return support_->ModifyStatusRow(2, columns, 0);
    }

    STDMETHODIMP QueryInterface(REFIID riid, LPVOID *ppvObj) override { return query(riid, ppvObj, {&IID_IXPLogon}); }

    STDMETHODIMP AddressTypes(ULONG *lpulFlags, ULONG *lpcAdrType, LPTSTR **lpppAdrTypeArray, ULONG *lpcMAPIUID,
                              LPMAPIUID **lpppUIDArray) override {
        *lpulFlags = 0;
        *lpcAdrType = 1;
        *lpppAdrTypeArray = address_types;
        *lpcMAPIUID = 0;
        *lpppUIDArray = nullptr;
        return S_OK;
    }

    STDMETHODIMP RegisterOptions(ULONG *lpulFlags, ULONG *lpcOptions, LPOPTIONDATA *lppOptions) override {
        *lpulFlags = 0;
        *lpcOptions = 0;
        *lppOptions = nullptr;
        return S_OK;
    }

    // The row's ENABLED bits follow BEGIN and END; the flags go back unchanged (LIFE-13, STAT-5).
    STDMETHODIMP TransportNotify(ULONG *lpulFlags, LPVOID *) override {
        ULONG flags = *lpulFlags;
        if (flags & NOTIFY_BEGIN_INBOUND) status_ |= STATUS_INBOUND_ENABLED;
        if (flags & NOTIFY_END_INBOUND) status_ &= ~static_cast<ULONG>(STATUS_INBOUND_ENABLED);
        if (flags & NOTIFY_BEGIN_OUTBOUND) status_ |= STATUS_OUTBOUND_ENABLED;
        if (flags & NOTIFY_END_OUTBOUND) status_ &= ~static_cast<ULONG>(STATUS_OUTBOUND_ENABLED);
        return update_row();
    }

    STDMETHODIMP Idle(ULONG) override { return S_OK; }

    // Releases the support object last (LIFE-14).
    STDMETHODIMP TransportLogoff(ULONG) override {
        if (support_ != nullptr) {
            support_->Release();
            support_ = nullptr;
        }
        return S_OK;
    }

    STDMETHODIMP SubmitMessage(ULONG, LPMESSAGE lpMessage, ULONG *lpulMsgRef, ULONG *) override {
        *lpulMsgRef = next_ref_++;  // before anything else (SUB-27)
        status_ |= STATUS_OUTBOUND_ACTIVE;
        update_row();
        HRESULT hr = send(lpMessage);
        status_ &= ~static_cast<ULONG>(STATUS_OUTBOUND_ACTIVE);
        update_row();
        return hr;
    }

    STDMETHODIMP EndMessage(ULONG, ULONG *lpulFlags) override {
#ifdef SAMPLE_BREACH
        *lpulFlags = END_RESEND_NOW | END_DONT_RESEND;  // the breach: two of the three flags (SUB-34)
#else
        *lpulFlags = 0;  // sent
#endif
        return S_OK;
    }

    STDMETHODIMP Poll(ULONG *lpulIncoming) override {
        *lpulIncoming = 0;
        return S_OK;
    }

    STDMETHODIMP StartMessage(ULONG, LPMESSAGE, ULONG *) override { return MAPI_E_NO_SUPPORT; }
    STDMETHODIMP OpenStatusEntry(LPCIID, ULONG, ULONG *, LPMAPISTATUS *) override { return MAPI_E_NO_SUPPORT; }
    STDMETHODIMP ValidateState(ULONG, ULONG) override { return S_OK; }
    STDMETHODIMP FlushQueues(ULONG, ULONG, LPENTRYID, ULONG) override { return S_OK; }

private:
    ~SampleLogon() override { TransportLogoff(0); }

    HRESULT update_row() {
        SPropValue code = long_prop(PR_STATUS_CODE, static_cast<LONG>(status_));
        return support_->ModifyStatusRow(1, &code, STATUSROW_UPDATE);
    }

    // Reads the recipients, delivers to every SAMPLE one whose PR_RESPONSIBILITY is FALSE,
    // marks them TRUE (SUB-28) and reports them (SUB-30); after a cancelled yield, only those
    // already served, saved before the error.
    HRESULT send(LPMESSAGE message) {
        std::vector<Recipient> mine;
        HRESULT hr = read_recipients(message, mine);
        if (hr != S_OK) {
            return hr;
        }
        bool wants_dr = delivery_report_requested(message);
        std::vector<Recipient> served;
        std::vector<std::pair<LONG, bool>> reports;  // row, delivered
        bool cancelled = false;
        for (const Recipient &r : mine) {
            if (support_->SpoolerYield(0) == MAPI_W_CANCEL_MESSAGE) {  // a long transfer yields (SUB-35)
                cancelled = true;
                break;
            }
            bool delivered = r.address.find("nobody") == std::string::npos;
            if (!delivered || wants_dr) {
                reports.emplace_back(r.row, delivered);
            }
            served.push_back(r);
        }
        if (served.empty()) {
            return cancelled ? MAPI_E_USER_CANCEL : MAPI_E_NOT_ME;
        }
        hr = take_responsibility(message, served);
        if (hr == S_OK && !reports.empty()) {
            hr = report(message, reports);
        }
        if (hr == S_OK && cancelled) {
            hr = message->SaveChanges(KEEP_OPEN_READWRITE);  // the served rows stay TRUE (SUB-33)
            return hr == S_OK ? MAPI_E_USER_CANCEL : hr;
        }
        return hr;
    }

    HRESULT read_recipients(LPMESSAGE message, std::vector<Recipient> &mine) {
        SizedSPropTagArray(4, columns) = {4, {PR_ROWID, PR_ADDRTYPE_A, PR_EMAIL_ADDRESS_A, PR_RESPONSIBILITY}};
        LPMAPITABLE table = nullptr;
        HRESULT hr = message->GetRecipientTable(0, &table);
        if (hr != S_OK) {
            return hr;
        }
        hr = table->SetColumns(reinterpret_cast<LPSPropTagArray>(&columns), 0);
        LPSRowSet rows = nullptr;
        if (hr == S_OK) {
            hr = table->QueryRows(1000, 0, &rows);
        }
        for (ULONG i = 0; hr == S_OK && i < rows->cRows; i++) {
            const SPropValue *p = rows->aRow[i].lpProps;
            bool types = p[1].ulPropTag == PR_ADDRTYPE_A && std::strcmp(p[1].Value.lpszA, sample_type) == 0;
            bool taken = p[3].ulPropTag == PR_RESPONSIBILITY && p[3].Value.b;
            if (p[0].ulPropTag == PR_ROWID && types && !taken) {
                mine.push_back({p[0].Value.l, p[1].Value.lpszA, p[2].ulPropTag == PR_EMAIL_ADDRESS_A ? p[2].Value.lpszA : ""});
            }
        }
        if (rows != nullptr) {
            for (ULONG i = 0; i < rows->cRows; i++) {
                free_buffer(rows->aRow[i].lpProps);
            }
            free_buffer(rows);
        }
        table->Release();
        return hr;
    }

    static bool delivery_report_requested(LPMESSAGE message) {
        SizedSPropTagArray(1, tags) = {1, {PR_ORIGINATOR_DELIVERY_REPORT_REQUESTED}};
        ULONG count = 0;
        LPSPropValue props = nullptr;
        bool requested = false;
        if (SUCCEEDED(message->GetProps(reinterpret_cast<LPSPropTagArray>(&tags), 0, &count, &props)) && count == 1) {
            requested = props[0].ulPropTag == PR_ORIGINATOR_DELIVERY_REPORT_REQUESTED && props[0].Value.b;
        }
        if (props != nullptr) {
            free_buffer(props);
        }
        return requested;
    }

    // ModifyRecipients with PR_RESPONSIBILITY TRUE on each row taken (the whole row, as
    // MODRECIP_MODIFY replaces a row's properties).
    static HRESULT take_responsibility(LPMESSAGE message, const std::vector<Recipient> &mine) {
        std::vector<BYTE> list(CbNewADRLIST(mine.size()));
        auto *mods = reinterpret_cast<LPADRLIST>(list.data());
        std::vector<SPropValue> props(mine.size() * 4);
        mods->cEntries = static_cast<ULONG>(mine.size());
        for (size_t i = 0; i < mine.size(); i++) {
            SPropValue *p = &props[i * 4];
            p[0] = long_prop(PR_ROWID, mine[i].row);
            p[1].ulPropTag = PR_ADDRTYPE_A;
            p[1].Value.lpszA = const_cast<char *>(mine[i].type.c_str());
            p[2].ulPropTag = PR_EMAIL_ADDRESS_A;
            p[2].Value.lpszA = const_cast<char *>(mine[i].address.c_str());
            p[3].ulPropTag = PR_RESPONSIBILITY;
            p[3].Value.b = TRUE;
            mods->aEntries[i].ulReserved1 = 0;
            mods->aEntries[i].cValues = 4;
            mods->aEntries[i].rgPropVals = p;
        }
        return message->ModifyRecipients(MODRECIP_MODIFY, mods);
    }

    // StatusRecips: a delivery report entry has PR_DELIVER_TIME, a non-delivery report entry
    // PR_NDR_REASON_CODE, PR_NDR_DIAG_CODE and PR_REPORT_TEXT (DEF-11). MAPI frees the list
    // when the call succeeds (SUB-30).
    HRESULT report(LPMESSAGE message, const std::vector<std::pair<LONG, bool>> &reports) {
        LPADRLIST list = nullptr;
        if (allocate_buffer(CbNewADRLIST(reports.size()), reinterpret_cast<LPVOID *>(&list)) != S_OK) {
            return MAPI_E_NOT_ENOUGH_MEMORY;
        }
        list->cEntries = 0;
        for (const auto &entry : reports) {
            LPSPropValue p = nullptr;
            if (allocate_buffer(4 * sizeof(SPropValue), reinterpret_cast<LPVOID *>(&p)) != S_OK) {
                break;
            }
            ULONG n = 0;
            p[n++] = long_prop(PR_ROWID, entry.first);
            if (entry.second) {
                p[n].ulPropTag = PR_DELIVER_TIME;
                GetSystemTimeAsFileTime(&p[n++].Value.ft);
            } else {
                p[n++] = long_prop(PR_NDR_REASON_CODE, 0);  // MAPI_REASON_TRANSFER_FAILED
                p[n++] = long_prop(PR_NDR_DIAG_CODE, 1);    // MAPI_DIAG_NO_DIAGNOSTIC
                p[n].ulPropTag = PR_REPORT_TEXT_A;
                p[n++].Value.lpszA = const_cast<char *>("No such mailbox");
            }
            list->aEntries[list->cEntries].ulReserved1 = 0;
            list->aEntries[list->cEntries].cValues = n;
            list->aEntries[list->cEntries].rgPropVals = p;
            list->cEntries++;
        }
        HRESULT hr = support_->StatusRecips(message, list);
        if (FAILED(hr)) {
            for (ULONG i = 0; i < list->cEntries; i++) {
                free_buffer(list->aEntries[i].rgPropVals);
            }
            free_buffer(list);
        }
        return hr == MAPI_W_ERRORS_RETURNED ? S_OK : hr;
    }

    LPMAPISUP support_;
    ULONG status_ = STATUS_AVAILABLE;
    ULONG next_ref_ = 1;
};

class SampleProvider final : public mapi_com::Object<IXPProvider> {
public:
    STDMETHODIMP QueryInterface(REFIID riid, LPVOID *ppvObj) override { return query(riid, ppvObj, {&IID_IXPProvider}); }

    STDMETHODIMP Shutdown(ULONG *) override { return S_OK; }

    STDMETHODIMP TransportLogon(LPMAPISUP lpMAPISup, ULONG, LPTSTR, ULONG *lpulFlags, LPMAPIERROR *lppMAPIError,
                                LPXPLOGON *lppXPLogon) override {
        if (lppMAPIError != nullptr) {
            *lppMAPIError = nullptr;
        }
        auto *logon = new SampleLogon(lpMAPISup);
        HRESULT hr = logon->create_row();
        if (hr != S_OK) {
            logon->Release();
            return hr;
        }
        *lpulFlags = 0;  // no Idle, no Poll
        *lppXPLogon = logon;
        return S_OK;
    }

private:
    ~SampleProvider() override = default;
};

}  // namespace

// XPProviderInit (LIFE-1, VER-1): one provider object per call.
extern "C" HRESULT __cdecl XPProviderInit(HINSTANCE, LPMALLOC, LPALLOCATEBUFFER lpAllocateBuffer, LPALLOCATEMORE,
                                          LPFREEBUFFER lpFreeBuffer, ULONG, ULONG ulMAPIVer, ULONG *lpulProviderVer,
                                          LPXPPROVIDER *lppXPProvider) {
    if (ulMAPIVer < CURRENT_SPI_VERSION) {
        return MAPI_E_VERSION;
    }
    allocate_buffer = lpAllocateBuffer;
    free_buffer = lpFreeBuffer;
    *lpulProviderVer = CURRENT_SPI_VERSION;
    *lppXPProvider = new SampleProvider();
    return S_OK;
}
