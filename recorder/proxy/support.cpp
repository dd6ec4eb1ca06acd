// The support object handed to the provider at TransportLogon: the calls the trace format names
// (ModifyStatusRow, RegisterPreprocessor, SpoolerNotify, StatusRecips, SpoolerYield, and the
// status row update that publishes a transport's own store) are written as support lines
// before they are forwarded; every other call is forwarded unrecorded. A message proxy given
// to a support call is replaced by the spooler's own object.
#include "message.h"
#include "recorder.h"


namespace recorder {

namespace {

// The value of the property with tag `tag` among props, or nullptr.
const SPropValue *find_prop(ULONG count, const SPropValue *props, ULONG tag) {
    for (ULONG i = 0; props != nullptr && i < count; i++) {
        if (props[i].ulPropTag == tag) {
            return &props[i];
        }
    }
    return nullptr;
}

// Whether a recipient entry of StatusRecips has the property with this identifier, of any type
// but PT_ERROR.
bool has_prop(const ADRENTRY &entry, ULONG tag) {
    for (ULONG i = 0; entry.rgPropVals != nullptr && i < entry.cValues; i++) {
        if (PROP_ID(entry.rgPropVals[i].ulPropTag) == PROP_ID(tag) && PROP_TYPE(entry.rgPropVals[i].ulPropTag) != PT_ERROR) {
            return true;
        }
    }
    return false;
}

LPMESSAGE unwrap_message(LPMESSAGE message) {
    return static_cast<LPMESSAGE>(MessageProxy::unwrap(message));
}

class SupportProxy final : public Wrapper<IMAPISupport, &IID_IMAPISup> {
public:
    explicit SupportProxy(LPMAPISUP inner) : Wrapper(inner) {}

    // ModifyStatusRow (LIFE-9, STAT-2 to STAT-8, TC-1). PR_STATUS_CODE is the one passed, or the
    // row's current one when an update leaves it out (an update merges the columns it passes).
    STDMETHODIMP ModifyStatusRow(ULONG cValues, LPSPropValue lpColumnVals, ULONG ulFlags) override {
        const SPropValue *status = find_prop(cValues, lpColumnVals, PR_STATUS_CODE);
        const SPropValue *methods = find_prop(cValues, lpColumnVals, PR_RESOURCE_METHODS);
        const SPropValue *resource = find_prop(cValues, lpColumnVals, PR_RESOURCE_FLAGS);
        const SPropValue *own_store = find_prop(cValues, lpColumnVals, PR_OWN_STORE_ENTRYID);
        ULONG code;
        {
            mapi_com::Guard hold(lock_);
            if (status != nullptr) {
                status_code_ = static_cast<ULONG>(status->Value.l);
            } else if ((ulFlags & STATUSROW_UPDATE) == 0) {
                status_code_ = 0;
            }
            code = status_code_;
        }
        if (own_store != nullptr && (ulFlags & STATUSROW_UPDATE) != 0 && resource != nullptr &&
            (static_cast<ULONG>(resource->Value.l) & STATUS_OWN_STORE) != 0) {
            Line("support", "PublishOwnStore")
                .from()
                .id("PR_OWN_STORE_ENTRYID", "S", entry_number(MAPI_TRACE_STORE, &own_store->Value.bin))
                .write();
        } else {
            Line line("support", "ModifyStatusRow");
            line.from().flags("ulFlags", MAPI_TRACE_STATUS_ROW_FLAGS, ulFlags).flags("PR_STATUS_CODE", MAPI_TRACE_STATUS_CODE, code);
            if (methods != nullptr) {
                line.flags("PR_RESOURCE_METHODS", MAPI_TRACE_RESOURCE_METHODS, static_cast<ULONG>(methods->Value.l));
            }
            if (resource != nullptr) {
                line.flags("PR_RESOURCE_FLAGS", MAPI_TRACE_RESOURCE_FLAGS, static_cast<ULONG>(resource->Value.l));
            }
            line.write();
        }
        return inner_->ModifyStatusRow(cValues, lpColumnVals, ulFlags);
    }

    // RegisterPreprocessor (HOOK-1): the MAPIUID as uid<n> and the address type, or null.
    STDMETHODIMP RegisterPreprocessor(LPMAPIUID lpMuid, LPTSTR lpszAdrType, LPTSTR lpszDLLName, LPSTR lpszPreprocess,
                                      LPSTR lpszRemovePreprocessInfo, ULONG ulFlags) override {
        Line line("support", "RegisterPreprocessor");
        line.from();
        if (lpMuid != nullptr) {
            line.id("lpMuid", "uid", mapi_trace_id(recording().trace, MAPI_TRACE_UID, lpMuid->ab, sizeof(lpMuid->ab)));
        } else {
            line.null("lpMuid");
        }
        if (lpszAdrType != nullptr) {
            const void *type = lpszAdrType;
            line.str("lpszAdrType", (ulFlags & MAPI_UNICODE) != 0 ? utf8_from_wide(static_cast<const wchar_t *>(type))
                                                                  : utf8_from_ansi(static_cast<const char *>(type)));
        } else {
            line.null("lpszAdrType");
        }
        line.write();
        return inner_->RegisterPreprocessor(lpMuid, lpszAdrType, lpszDLLName, lpszPreprocess, lpszRemovePreprocessInfo, ulFlags);
    }

    // SpoolerNotify (LIFE-17, LIFE-18, DEF-2): lpvData names the message for
    // NOTIFY_SENTDEFERRED (its entry identifier, an SBinary), and is null otherwise.
    STDMETHODIMP SpoolerNotify(ULONG ulFlags, LPVOID lpvData) override {
        Line line("support", "SpoolerNotify");
        line.from().flags("ulFlags", MAPI_TRACE_SPOOLER_NOTIFY_FLAGS, ulFlags);
        if ((ulFlags & NOTIFY_SENTDEFERRED) != 0 && lpvData != nullptr) {
            line.id("lpvData", "M", entry_number(MAPI_TRACE_MESSAGE, static_cast<const SBinary *>(lpvData)));
        } else {
            line.null("lpvData");
        }
        line.write();
        return inner_->SpoolerNotify(ulFlags, lpvData);
    }

    // StatusRecips (SUB-30, DEF-10, DEF-11): each entry is the recipient row named by its
    // PR_ROWID; an entry with PR_NDR_REASON_CODE or PR_NDR_DIAG_CODE is a non-delivery report,
    // any other a delivery report.
    STDMETHODIMP StatusRecips(LPMESSAGE lpMessage, LPADRLIST lpRecipList) override {
        Line line("support", "StatusRecips");
        line.from().id("message", "M", message_number(lpMessage));
        mapi_trace_open_array(line.raw(), "reports");
        for (ULONG i = 0; lpRecipList != nullptr && i < lpRecipList->cEntries; i++) {
            const ADRENTRY &entry = lpRecipList->aEntries[i];
            const SPropValue *row = find_prop(entry.cValues, entry.rgPropVals, PR_ROWID);
            mapi_trace_open_object(line.raw(), nullptr);
            if (row != nullptr) {
                line.uint("recipient", static_cast<ULONG>(row->Value.l));
            } else {
                line.null("recipient");  // no PR_ROWID: the row cannot be named
            }
            bool ndr = has_prop(entry, PR_NDR_REASON_CODE) || has_prop(entry, PR_NDR_DIAG_CODE);
            line.str("kind", ndr ? "NDR" : "DR");
            mapi_trace_close_nested(line.raw());
        }
        mapi_trace_close_nested(line.raw());
        line.write();
        return inner_->StatusRecips(unwrap_message(lpMessage), lpRecipList);
    }

    // SpoolerYield (SUB-35, DEF-8): a `yield` line follows when it returns
    // MAPI_W_CANCEL_MESSAGE.
    STDMETHODIMP SpoolerYield(ULONG ulFlags) override {
        Line("support", "SpoolerYield").from().write();
        HRESULT hr = inner_->SpoolerYield(ulFlags);
        if (hr == MAPI_W_CANCEL_MESSAGE) {
            Line("yield", "MAPI_W_CANCEL_MESSAGE").to().write();
        }
        return hr;
    }

    // ---- forwarded, not recorded ----

    STDMETHODIMP GetLastError(HRESULT hResult, ULONG ulFlags, LPMAPIERROR *lppMAPIError) override {
        return inner_->GetLastError(hResult, ulFlags, lppMAPIError);
    }
    STDMETHODIMP GetMemAllocRoutines(LPALLOCATEBUFFER *lpAllocateBuffer, LPALLOCATEMORE *lpAllocateMore,
                                     LPFREEBUFFER *lpFreeBuffer) override {
        return inner_->GetMemAllocRoutines(lpAllocateBuffer, lpAllocateMore, lpFreeBuffer);
    }
    STDMETHODIMP Subscribe(LPNOTIFKEY lpKey, ULONG ulEventMask, ULONG ulFlags, LPMAPIADVISESINK lpAdviseSink,
                           ULONG *lpulConnection) override {
        return inner_->Subscribe(lpKey, ulEventMask, ulFlags, lpAdviseSink, lpulConnection);
    }
    STDMETHODIMP Unsubscribe(ULONG ulConnection) override { return inner_->Unsubscribe(ulConnection); }
    STDMETHODIMP Notify(LPNOTIFKEY lpKey, ULONG cNotification, LPNOTIFICATION lpNotifications, ULONG *lpulFlags) override {
        return inner_->Notify(lpKey, cNotification, lpNotifications, lpulFlags);
    }
    STDMETHODIMP OpenProfileSection(LPMAPIUID lpUid, ULONG ulFlags, LPPROFSECT *lppProfileObj) override {
        return inner_->OpenProfileSection(lpUid, ulFlags, lppProfileObj);
    }
    STDMETHODIMP NewUID(LPMAPIUID lpMuid) override { return inner_->NewUID(lpMuid); }
    STDMETHODIMP MakeInvalid(ULONG ulFlags, LPVOID lpObject, ULONG ulRefCount, ULONG cMethods) override {
        return inner_->MakeInvalid(ulFlags, lpObject, ulRefCount, cMethods);
    }
    STDMETHODIMP CreateOneOff(LPTSTR lpszName, LPTSTR lpszAdrType, LPTSTR lpszAddress, ULONG ulFlags, ULONG *lpcbEntryID,
                              LPENTRYID *lppEntryID) override {
        return inner_->CreateOneOff(lpszName, lpszAdrType, lpszAddress, ulFlags, lpcbEntryID, lppEntryID);
    }
    STDMETHODIMP SetProviderUID(LPMAPIUID lpProviderID, ULONG ulFlags) override { return inner_->SetProviderUID(lpProviderID, ulFlags); }
    STDMETHODIMP CompareEntryIDs(ULONG cbEntry1, LPENTRYID lpEntry1, ULONG cbEntry2, LPENTRYID lpEntry2, ULONG ulCompareFlags,
                                 ULONG *lpulResult) override {
        return inner_->CompareEntryIDs(cbEntry1, lpEntry1, cbEntry2, lpEntry2, ulCompareFlags, lpulResult);
    }
    STDMETHODIMP OpenTemplateID(ULONG cbTemplateID, LPENTRYID lpTemplateID, ULONG ulTemplateFlags, LPMAPIPROP lpMAPIPropData,
                                LPCIID lpInterface, LPMAPIPROP *lppMAPIPropNew, LPMAPIPROP lpMAPIPropSibling) override {
        return inner_->OpenTemplateID(cbTemplateID, lpTemplateID, ulTemplateFlags, lpMAPIPropData, lpInterface, lppMAPIPropNew,
                                      lpMAPIPropSibling);
    }
    STDMETHODIMP OpenEntry(ULONG cbEntryID, LPENTRYID lpEntryID, LPCIID lpInterface, ULONG ulOpenFlags, ULONG *lpulObjType,
                           LPUNKNOWN *lppUnk) override {
        return inner_->OpenEntry(cbEntryID, lpEntryID, lpInterface, ulOpenFlags, lpulObjType, lppUnk);
    }
    STDMETHODIMP GetOneOffTable(ULONG ulFlags, LPMAPITABLE *lppTable) override { return inner_->GetOneOffTable(ulFlags, lppTable); }
    STDMETHODIMP Address(ULONG *lpulUIParam, LPADRPARM lpAdrParms, LPADRLIST *lppAdrList) override {
        return inner_->Address(lpulUIParam, lpAdrParms, lppAdrList);
    }
    STDMETHODIMP Details(ULONG *lpulUIParam, LPFNDISMISS lpfnDismiss, LPVOID lpvDismissContext, ULONG cbEntryID, LPENTRYID lpEntryID,
                         LPFNBUTTON lpfButtonCallback, LPVOID lpvButtonContext, LPTSTR lpszButtonText, ULONG ulFlags) override {
        return inner_->Details(lpulUIParam, lpfnDismiss, lpvDismissContext, cbEntryID, lpEntryID, lpfButtonCallback, lpvButtonContext,
                               lpszButtonText, ulFlags);
    }
    STDMETHODIMP NewEntry(ULONG ulUIParam, ULONG ulFlags, ULONG cbEIDContainer, LPENTRYID lpEIDContainer, ULONG cbEIDNewEntryTpl,
                          LPENTRYID lpEIDNewEntryTpl, ULONG *lpcbEIDNewEntry, LPENTRYID *lppEIDNewEntry) override {
        return inner_->NewEntry(ulUIParam, ulFlags, cbEIDContainer, lpEIDContainer, cbEIDNewEntryTpl, lpEIDNewEntryTpl, lpcbEIDNewEntry,
                                lppEIDNewEntry);
    }
    STDMETHODIMP DoConfigPropsheet(ULONG ulUIParam, ULONG ulFlags, LPTSTR lpszTitle, LPMAPITABLE lpDisplayTable, LPMAPIPROP lpCOnfigData,
                                   ULONG ulTopPage) override {
        return inner_->DoConfigPropsheet(ulUIParam, ulFlags, lpszTitle, lpDisplayTable, lpCOnfigData, ulTopPage);
    }
    STDMETHODIMP CopyMessages(LPCIID lpSrcInterface, LPVOID lpSrcFolder, LPENTRYLIST lpMsgList, LPCIID lpDestInterface,
                              LPVOID lpDestFolder, ULONG ulUIParam, LPMAPIPROGRESS lpProgress, ULONG ulFlags) override {
        return inner_->CopyMessages(lpSrcInterface, lpSrcFolder, lpMsgList, lpDestInterface, lpDestFolder, ulUIParam, lpProgress, ulFlags);
    }
    STDMETHODIMP CopyFolder(LPCIID lpSrcInterface, LPVOID lpSrcFolder, ULONG cbEntryID, LPENTRYID lpEntryID, LPCIID lpDestInterface,
                            LPVOID lpDestFolder, LPTSTR lszNewFolderName, ULONG ulUIParam, LPMAPIPROGRESS lpProgress,
                            ULONG ulFlags) override {
        return inner_->CopyFolder(lpSrcInterface, lpSrcFolder, cbEntryID, lpEntryID, lpDestInterface, lpDestFolder, lszNewFolderName,
                                  ulUIParam, lpProgress, ulFlags);
    }
    STDMETHODIMP DoCopyTo(LPCIID lpSrcInterface, LPVOID lpSrcObj, ULONG ciidExclude, LPCIID rgiidExclude, LPSPropTagArray lpExcludeProps,
                          ULONG ulUIParam, LPMAPIPROGRESS lpProgress, LPCIID lpDestInterface, LPVOID lpDestObj, ULONG ulFlags,
                          LPSPropProblemArray *lppProblems) override {
        return inner_->DoCopyTo(lpSrcInterface, MessageProxy::unwrap(lpSrcObj), ciidExclude, rgiidExclude, lpExcludeProps, ulUIParam,
                                lpProgress, lpDestInterface, MessageProxy::unwrap(lpDestObj), ulFlags, lppProblems);
    }
    STDMETHODIMP DoCopyProps(LPCIID lpSrcInterface, LPVOID lpSrcObj, LPSPropTagArray lpIncludeProps, ULONG ulUIParam,
                             LPMAPIPROGRESS lpProgress, LPCIID lpDestInterface, LPVOID lpDestObj, ULONG ulFlags,
                             LPSPropProblemArray *lppProblems) override {
        return inner_->DoCopyProps(lpSrcInterface, MessageProxy::unwrap(lpSrcObj), lpIncludeProps, ulUIParam, lpProgress, lpDestInterface,
                                   MessageProxy::unwrap(lpDestObj), ulFlags, lppProblems);
    }
    STDMETHODIMP DoProgressDialog(ULONG ulUIParam, ULONG ulFlags, LPMAPIPROGRESS *lppProgress) override {
        return inner_->DoProgressDialog(ulUIParam, ulFlags, lppProgress);
    }
    STDMETHODIMP ReadReceipt(ULONG ulFlags, LPMESSAGE lpReadMessage, LPMESSAGE *lppEmptyMessage) override {
        return inner_->ReadReceipt(ulFlags, unwrap_message(lpReadMessage), lppEmptyMessage);
    }
    STDMETHODIMP PrepareSubmit(LPMESSAGE lpMessage, ULONG *lpulFlags) override {
        return inner_->PrepareSubmit(unwrap_message(lpMessage), lpulFlags);
    }
    STDMETHODIMP ExpandRecips(LPMESSAGE lpMessage, ULONG *lpulFlags) override {
        return inner_->ExpandRecips(unwrap_message(lpMessage), lpulFlags);
    }
    STDMETHODIMP UpdatePAB(ULONG ulFlags, LPMESSAGE lpMessage) override { return inner_->UpdatePAB(ulFlags, unwrap_message(lpMessage)); }
    STDMETHODIMP DoSentMail(ULONG ulFlags, LPMESSAGE lpMessage) override { return inner_->DoSentMail(ulFlags, unwrap_message(lpMessage)); }
    STDMETHODIMP OpenAddressBook(LPCIID lpInterface, ULONG ulFlags, LPADRBOOK *lppAdrBook) override {
        return inner_->OpenAddressBook(lpInterface, ulFlags, lppAdrBook);
    }
    STDMETHODIMP Preprocess(ULONG ulFlags, ULONG cbEntryID, LPENTRYID lpEntryID) override {
        return inner_->Preprocess(ulFlags, cbEntryID, lpEntryID);
    }
    STDMETHODIMP CompleteMsg(ULONG ulFlags, ULONG cbEntryID, LPENTRYID lpEntryID) override {
        return inner_->CompleteMsg(ulFlags, cbEntryID, lpEntryID);
    }
    STDMETHODIMP StoreLogoffTransports(ULONG *lpulFlags) override { return inner_->StoreLogoffTransports(lpulFlags); }
    STDMETHODIMP WrapStoreEntryID(ULONG cbOrigEntry, LPENTRYID lpOrigEntry, ULONG *lpcbWrappedEntry, LPENTRYID *lppWrappedEntry) override {
        return inner_->WrapStoreEntryID(cbOrigEntry, lpOrigEntry, lpcbWrappedEntry, lppWrappedEntry);
    }
    STDMETHODIMP ModifyProfile(ULONG ulFlags) override { return inner_->ModifyProfile(ulFlags); }
    STDMETHODIMP IStorageFromStream(LPUNKNOWN lpUnkIn, LPCIID lpInterface, ULONG ulFlags, LPSTORAGE *lppStorageOut) override {
        return inner_->IStorageFromStream(lpUnkIn, lpInterface, ulFlags, lppStorageOut);
    }
    STDMETHODIMP GetSvcConfigSupportObj(ULONG ulFlags, LPMAPISUP *lppSvcSupport) override {
        return inner_->GetSvcConfigSupportObj(ulFlags, lppSvcSupport);
    }

private:
    mapi_com::Lock lock_;
    ULONG status_code_ = 0;  // the row's PR_STATUS_CODE as the provider last set it
};

}  // namespace

LPMAPISUP wrap_support(LPMAPISUP inner) {
    return new SupportProxy(inner);
}

}  // namespace recorder
