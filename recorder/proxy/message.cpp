// The message proxy (message.h) and reading a message's recipients.
#include "message.h"

#include <unordered_set>

namespace recorder {

namespace {

// The message proxies alive, so that a support call given one can be handed the spooler's own
// object (MAPI would not know ours).
mapi_com::Lock live_lock;
std::unordered_set<const void *> live;

// Frees a row set the MAPI way (FreeProws): each row's properties, then the set.
void free_rows(LPSRowSet rows) {
    LPFREEBUFFER free_buffer = recording().free_buffer;
    if (rows == nullptr || free_buffer == nullptr) {
        return;
    }
    for (ULONG i = 0; i < rows->cRows; i++) {
        free_buffer(rows->aRow[i].lpProps);
    }
    free_buffer(rows);
}

}  // namespace

MessageProxy::MessageProxy(LPMESSAGE inner, long number) : Wrapper(inner), number_(number) {
    inner_->AddRef();
    mapi_com::Guard hold(live_lock);
    live.insert(static_cast<IMessage *>(this));
}

MessageProxy::~MessageProxy() {
    mapi_com::Guard hold(live_lock);
    live.erase(static_cast<IMessage *>(this));
}

MessageProxy *MessageProxy::find(const void *object) {
    mapi_com::Guard hold(live_lock);
    if (object == nullptr || live.count(object) == 0) {
        return nullptr;
    }
    return static_cast<MessageProxy *>(static_cast<IMessage *>(const_cast<void *>(object)));
}

void *MessageProxy::unwrap(void *object) {
    MessageProxy *proxy = find(object);
    return proxy != nullptr ? static_cast<void *>(proxy->inner_) : object;
}

bool MessageProxy::saved() const {
    mapi_com::Guard hold(lock_);
    return saved_;
}

Responsibility MessageProxy::saved_responsibility() const {
    mapi_com::Guard hold(lock_);
    return saved_rows_;
}

STDMETHODIMP MessageProxy::SaveChanges(ULONG ulFlags) {
    HRESULT hr = inner_->SaveChanges(ulFlags);
    if (hr == S_OK) {
        Responsibility rows;
        bool read = read_responsibility(inner_, rows);
        mapi_com::Guard hold(lock_);
        saved_ = true;
        if (read) {
            saved_rows_ = rows;
        }
    }
    return hr;
}

STDMETHODIMP MessageProxy::GetLastError(HRESULT hResult, ULONG ulFlags, LPMAPIERROR *lppMAPIError) {
    return inner_->GetLastError(hResult, ulFlags, lppMAPIError);
}

STDMETHODIMP MessageProxy::GetProps(LPSPropTagArray lpPropTagArray, ULONG ulFlags, ULONG *lpcValues, LPSPropValue *lppPropArray) {
    return inner_->GetProps(lpPropTagArray, ulFlags, lpcValues, lppPropArray);
}

STDMETHODIMP MessageProxy::GetPropList(ULONG ulFlags, LPSPropTagArray *lppPropTagArray) {
    return inner_->GetPropList(ulFlags, lppPropTagArray);
}

STDMETHODIMP MessageProxy::OpenProperty(ULONG ulPropTag, LPCIID lpiid, ULONG ulInterfaceOptions, ULONG ulFlags, LPUNKNOWN *lppUnk) {
    return inner_->OpenProperty(ulPropTag, lpiid, ulInterfaceOptions, ulFlags, lppUnk);
}

STDMETHODIMP MessageProxy::SetProps(ULONG cValues, LPSPropValue lpPropArray, LPSPropProblemArray *lppProblems) {
    return inner_->SetProps(cValues, lpPropArray, lppProblems);
}

STDMETHODIMP MessageProxy::DeleteProps(LPSPropTagArray lpPropTagArray, LPSPropProblemArray *lppProblems) {
    return inner_->DeleteProps(lpPropTagArray, lppProblems);
}

STDMETHODIMP MessageProxy::CopyTo(ULONG ciidExclude, LPCIID rgiidExclude, LPSPropTagArray lpExcludeProps, ULONG ulUIParam,
                                  LPMAPIPROGRESS lpProgress, LPCIID lpInterface, LPVOID lpDestObj, ULONG ulFlags,
                                  LPSPropProblemArray *lppProblems) {
    return inner_->CopyTo(ciidExclude, rgiidExclude, lpExcludeProps, ulUIParam, lpProgress, lpInterface, unwrap(lpDestObj), ulFlags,
                          lppProblems);
}

STDMETHODIMP MessageProxy::CopyProps(LPSPropTagArray lpIncludeProps, ULONG ulUIParam, LPMAPIPROGRESS lpProgress, LPCIID lpInterface,
                                     LPVOID lpDestObj, ULONG ulFlags, LPSPropProblemArray *lppProblems) {
    return inner_->CopyProps(lpIncludeProps, ulUIParam, lpProgress, lpInterface, unwrap(lpDestObj), ulFlags, lppProblems);
}

STDMETHODIMP MessageProxy::GetNamesFromIDs(LPSPropTagArray *lppPropTags, LPGUID lpPropSetGuid, ULONG ulFlags, ULONG *lpcPropNames,
                                           LPMAPINAMEID **lpppPropNames) {
    return inner_->GetNamesFromIDs(lppPropTags, lpPropSetGuid, ulFlags, lpcPropNames, lpppPropNames);
}

STDMETHODIMP MessageProxy::GetIDsFromNames(ULONG cPropNames, LPMAPINAMEID *lppPropNames, ULONG ulFlags, LPSPropTagArray *lppPropTags) {
    return inner_->GetIDsFromNames(cPropNames, lppPropNames, ulFlags, lppPropTags);
}

STDMETHODIMP MessageProxy::GetAttachmentTable(ULONG ulFlags, LPMAPITABLE *lppTable) {
    return inner_->GetAttachmentTable(ulFlags, lppTable);
}

STDMETHODIMP MessageProxy::OpenAttach(ULONG ulAttachmentNum, LPCIID lpInterface, ULONG ulFlags, LPATTACH *lppAttach) {
    return inner_->OpenAttach(ulAttachmentNum, lpInterface, ulFlags, lppAttach);
}

STDMETHODIMP MessageProxy::CreateAttach(LPCIID lpInterface, ULONG ulFlags, ULONG *lpulAttachmentNum, LPATTACH *lppAttach) {
    return inner_->CreateAttach(lpInterface, ulFlags, lpulAttachmentNum, lppAttach);
}

STDMETHODIMP MessageProxy::DeleteAttach(ULONG ulAttachmentNum, ULONG ulUIParam, LPMAPIPROGRESS lpProgress, ULONG ulFlags) {
    return inner_->DeleteAttach(ulAttachmentNum, ulUIParam, lpProgress, ulFlags);
}

STDMETHODIMP MessageProxy::GetRecipientTable(ULONG ulFlags, LPMAPITABLE *lppTable) {
    return inner_->GetRecipientTable(ulFlags, lppTable);
}

STDMETHODIMP MessageProxy::ModifyRecipients(ULONG ulFlags, LPADRLIST lpMods) {
    return inner_->ModifyRecipients(ulFlags, lpMods);
}

STDMETHODIMP MessageProxy::SubmitMessage(ULONG ulFlags) {
    return inner_->SubmitMessage(ulFlags);
}

STDMETHODIMP MessageProxy::SetReadFlag(ULONG ulFlags) {
    return inner_->SetReadFlag(ulFlags);
}

bool read_responsibility(LPMESSAGE message, Responsibility &rows) {
    SizedSPropTagArray(2, columns) = {2, {PR_ROWID, PR_RESPONSIBILITY}};
    LPMAPITABLE table = nullptr;
    HRESULT hr = message->GetRecipientTable(0, &table);
    if (hr == S_OK) {
        hr = table->SetColumns(reinterpret_cast<LPSPropTagArray>(&columns), 0);
    }
    ULONG position = 0;
    while (hr == S_OK) {
        LPSRowSet batch = nullptr;
        hr = table->QueryRows(64, 0, &batch);
        if (hr != S_OK || batch == nullptr || batch->cRows == 0) {
            free_rows(batch);
            break;
        }
        for (ULONG i = 0; i < batch->cRows; i++, position++) {
            const SRow &row = batch->aRow[i];
            ULONG number = position;
            bool responsibility = false;
            for (ULONG p = 0; p < row.cValues; p++) {
                if (row.lpProps[p].ulPropTag == PR_ROWID) {
                    number = static_cast<ULONG>(row.lpProps[p].Value.l);
                } else if (row.lpProps[p].ulPropTag == PR_RESPONSIBILITY) {
                    responsibility = row.lpProps[p].Value.b != 0;
                }
            }
            rows[number] = responsibility;
        }
        free_rows(batch);
    }
    if (table != nullptr) {
        table->Release();
    }
    if (hr != S_OK) {
        complain("cannot read the recipient table of a message (HRESULT " + std::to_string(static_cast<ULONG>(hr)) + ")");
        return false;
    }
    return true;
}

long message_number(LPMESSAGE message) {
    if (MessageProxy *proxy = MessageProxy::find(message)) {
        return proxy->number();
    }
    SizedSPropTagArray(1, tags) = {1, {PR_ENTRYID}};
    ULONG count = 0;
    LPSPropValue props = nullptr;
    long number = -1;
    if (message != nullptr &&
        message->GetProps(reinterpret_cast<LPSPropTagArray>(&tags), 0, &count, &props) == S_OK && count == 1 &&
        props[0].ulPropTag == PR_ENTRYID) {
        number = entry_number(MAPI_TRACE_MESSAGE, &props[0].Value.bin);
    } else {
        number = mapi_trace_id(recording().trace, MAPI_TRACE_MESSAGE, nullptr, 0);
    }
    if (props != nullptr && recording().free_buffer != nullptr) {
        recording().free_buffer(props);
    }
    return number;
}

}  // namespace recorder
