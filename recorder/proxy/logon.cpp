// The logon object: every IXPLogon call the spooler makes is written as a call line, forwarded,
// and its return written with the documented out-parameters (spec/trace-format.md). The
// messages of SubmitMessage and StartMessage are handed over wrapped (message.h).
#include "message.h"
#include "recorder.h"

#include <optional>

namespace recorder {

namespace {

// The rows of `rows` whose PR_RESPONSIBILITY is `value`, among those in `among` (all if null).
std::set<ULONG> where(const Responsibility &rows, bool value, const std::set<ULONG> *among = nullptr) {
    std::set<ULONG> out;
    for (const auto &row : rows) {
        if (row.second == value && (among == nullptr || among->count(row.first) != 0)) {
            out.insert(row.first);
        }
    }
    return out;
}

class LogonProxy final : public Wrapper<IXPLogon, &IID_IXPLogon> {
public:
    explicit LogonProxy(LPXPLOGON inner) : Wrapper(inner) {}

    // IXPLogon::AddressTypes (LIFE-8, ORD-6): the address types as strings (null for a NULL
    // array: every type), the MAPIUIDs as uid0, uid1, ... (a NULL array: none).
    STDMETHODIMP AddressTypes(ULONG *lpulFlags, ULONG *lpcAdrType, LPTSTR **lpppAdrTypeArray, ULONG *lpcMAPIUID,
                              LPMAPIUID **lpppUIDArray) override {
        Line("call", "AddressTypes").to().write();
        HRESULT hr = inner_->AddressTypes(lpulFlags, lpcAdrType, lpppAdrTypeArray, lpcMAPIUID, lpppUIDArray);
        Line out("return", "AddressTypes");
        out.from().result("result", hr);
        if (hr == S_OK) {
            bool unicode = lpulFlags != nullptr && (*lpulFlags & MAPI_UNICODE) != 0;
            if (lpppAdrTypeArray == nullptr || *lpppAdrTypeArray == nullptr) {
                out.null("lpppAdrTypeArray");
            } else {
                mapi_trace_open_array(out.raw(), "lpppAdrTypeArray");
                for (ULONG i = 0; lpcAdrType != nullptr && i < *lpcAdrType; i++) {
                    const void *name = (*lpppAdrTypeArray)[i];
                    out.str(nullptr, unicode ? utf8_from_wide(static_cast<const wchar_t *>(name))
                                             : utf8_from_ansi(static_cast<const char *>(name)));
                }
                mapi_trace_close_nested(out.raw());
            }
            mapi_trace_open_array(out.raw(), "lpppUIDArray");
            for (ULONG i = 0; lpppUIDArray != nullptr && *lpppUIDArray != nullptr && lpcMAPIUID != nullptr && i < *lpcMAPIUID; i++) {
                const MAPIUID *uid = (*lpppUIDArray)[i];
                out.id(nullptr, "uid", mapi_trace_id(recording().trace, MAPI_TRACE_UID, uid->ab, sizeof(uid->ab)));
            }
            mapi_trace_close_nested(out.raw());
        }
        out.write();
        return hr;
    }

    // Not part of the trace format: forwarded, not recorded.
    STDMETHODIMP RegisterOptions(ULONG *lpulFlags, ULONG *lpcOptions, LPOPTIONDATA *lppOptions) override {
        return inner_->RegisterOptions(lpulFlags, lpcOptions, lppOptions);
    }

    // IXPLogon::TransportNotify (LIFE-10, LIFE-12, LIFE-13). NOTIFY_CANCEL_MESSAGE while a
    // transfer is in flight comes from another thread and is written as an `async` line, with
    // no return line (DEF-7, SUB-36).
    STDMETHODIMP TransportNotify(ULONG *lpulFlags, LPVOID *lppvData) override {
        ULONG flags = lpulFlags != nullptr ? *lpulFlags : 0;
        bool async = false;
        {
            mapi_com::Guard hold(lock_);
            if ((flags & NOTIFY_CANCEL_MESSAGE) != 0 && in_flight_) {
                Line out("async", "TransportNotify");
                out.to().flags("lpulFlags", MAPI_TRACE_NOTIFY_FLAGS, flags).id("message", "M", *in_flight_).write();
                async = true;
            }
        }
        if (async) {
            return inner_->TransportNotify(lpulFlags, lppvData);
        }
        Line call("call", "TransportNotify");
        call.to().flags("lpulFlags", MAPI_TRACE_NOTIFY_FLAGS, flags);
        long notified = notified_message(flags, lppvData);
        if (notified < 0) {
            call.null("lpvData");
        } else {
            call.id("lpvData", "M", notified);
        }
        call.write();
        HRESULT hr = inner_->TransportNotify(lpulFlags, lppvData);
        Line("return", "TransportNotify")
            .from()
            .result("result", hr)
            .flags("lpulFlags", MAPI_TRACE_NOTIFY_FLAGS, lpulFlags != nullptr ? *lpulFlags : 0)
            .write();
        return hr;
    }

    // IXPLogon::Idle (LIFE-11).
    STDMETHODIMP Idle(ULONG ulFlags) override {
        Line("call", "Idle").to().write();
        HRESULT hr = inner_->Idle(ulFlags);
        Line("return", "Idle").from().result("result", hr).write();
        return hr;
    }

    // IXPLogon::TransportLogoff (LIFE-14).
    STDMETHODIMP TransportLogoff(ULONG ulFlags) override {
        Line("call", "TransportLogoff").to().write();
        HRESULT hr = inner_->TransportLogoff(ulFlags);
        Line("return", "TransportLogoff").from().result("result", hr).write();
        return hr;
    }

    // IXPLogon::SubmitMessage (SUB-23 to SUB-33): `offered` is the rows whose PR_RESPONSIBILITY
    // is FALSE when the call is made; on S_OK, `accepted` is those of them that are TRUE when it
    // returns; on an error, `saved` is those of them that were TRUE at the provider's last
    // successful SaveChanges.
    STDMETHODIMP SubmitMessage(ULONG ulFlags, LPMESSAGE lpMessage, ULONG *lpulMsgRef, ULONG *lpulReturnParm) override {
        long message = message_number(lpMessage);
        Responsibility before;
        bool known = lpMessage != nullptr && read_responsibility(lpMessage, before);
        std::set<ULONG> offered = where(before, false);
        Line call("call", "SubmitMessage");
        call.to().flags("ulFlags", MAPI_TRACE_SUBMIT_FLAGS, ulFlags).id("message", "M", message);
        if (known) {
            call.rows("offered", offered);
        }
        call.write();

        MessageProxy *proxy = lpMessage != nullptr ? new MessageProxy(lpMessage, message) : nullptr;
        begin_transfer(message);
        HRESULT hr = inner_->SubmitMessage(ulFlags, proxy != nullptr ? proxy : lpMessage, lpulMsgRef, lpulReturnParm);

        Line out("return", "SubmitMessage");
        out.from().result("result", hr).id("message", "M", message);
        if (hr == S_OK) {
            ULONG ref = lpulMsgRef != nullptr ? *lpulMsgRef : 0;
            out.uint("lpulMsgRef", ref);
            Responsibility after;
            if (known && read_responsibility(lpMessage, after)) {
                out.rows("accepted", where(after, true, &offered));
            }
            mapi_com::Guard hold(lock_);
            refs_[ref] = message;
        } else {
            out.uint("lpulReturnParm", lpulReturnParm != nullptr ? *lpulReturnParm : 0);
            if (known && proxy != nullptr) {
                out.rows("saved", where(proxy->saved_responsibility(), true, &offered));
            }
        }
        end_transfer(out);
        if (proxy != nullptr) {
            proxy->Release();
        }
        return hr;
    }

    // IXPLogon::EndMessage (SUB-24, SUB-34).
    STDMETHODIMP EndMessage(ULONG ulMsgRef, ULONG *lpulFlags) override {
        Line("call", "EndMessage").to().uint("ulMsgRef", ulMsgRef).write();
        long message = -1;
        {
            mapi_com::Guard hold(lock_);
            auto found = refs_.find(ulMsgRef);
            if (found != refs_.end()) {
                message = found->second;
            }
        }
        begin_transfer(message);
        HRESULT hr = inner_->EndMessage(ulMsgRef, lpulFlags);
        Line out("return", "EndMessage");
        out.from().result("result", hr).uint("ulMsgRef", ulMsgRef);
        if (hr == S_OK) {
            out.flags("lpulFlags", MAPI_TRACE_END_FLAGS, lpulFlags != nullptr ? *lpulFlags : 0);
        }
        end_transfer(out);
        mapi_com::Guard hold(lock_);
        refs_.erase(ulMsgRef);  // the reference is dead after EndMessage (SUB-34)
        return hr;
    }

    // IXPLogon::Poll (RCV-1).
    STDMETHODIMP Poll(ULONG *lpulIncoming) override {
        Line("call", "Poll").to().write();
        HRESULT hr = inner_->Poll(lpulIncoming);
        Line("return", "Poll").from().result("result", hr).uint("lpulIncoming", lpulIncoming != nullptr ? *lpulIncoming : 0).write();
        return hr;
    }

    // IXPLogon::StartMessage (RCV-4 to RCV-6): `saved` says whether the provider's
    // SaveChanges on the new message succeeded.
    STDMETHODIMP StartMessage(ULONG ulFlags, LPMESSAGE lpMessage, ULONG *lpulMsgRef) override {
        long message = message_number(lpMessage);
        Line("call", "StartMessage").to().id("message", "M", message).write();
        MessageProxy *proxy = lpMessage != nullptr ? new MessageProxy(lpMessage, message) : nullptr;
        begin_transfer(message);
        HRESULT hr = inner_->StartMessage(ulFlags, proxy != nullptr ? proxy : lpMessage, lpulMsgRef);
        Line out("return", "StartMessage");
        out.from().result("result", hr).id("message", "M", message);
        if (hr == S_OK) {
            out.boolean("saved", proxy != nullptr && proxy->saved());
        }
        end_transfer(out);
        if (proxy != nullptr) {
            proxy->Release();
        }
        return hr;
    }

    // IXPLogon::OpenStatusEntry (STAT-10).
    STDMETHODIMP OpenStatusEntry(LPCIID lpInterface, ULONG ulFlags, ULONG *lpulObjType, LPMAPISTATUS *lppEntry) override {
        Line("call", "OpenStatusEntry").to().write();
        HRESULT hr = inner_->OpenStatusEntry(lpInterface, ulFlags, lpulObjType, lppEntry);
        Line("return", "OpenStatusEntry").from().result("result", hr).write();
        return hr;
    }

    // IXPLogon::ValidateState (STAT-11).
    STDMETHODIMP ValidateState(ULONG ulUIParam, ULONG ulFlags) override {
        Line("call", "ValidateState").to().flags("ulFlags", MAPI_TRACE_VALIDATE_FLAGS, ulFlags).write();
        HRESULT hr = inner_->ValidateState(ulUIParam, ulFlags);
        Line("return", "ValidateState").from().result("result", hr).write();
        return hr;
    }

    // IXPLogon::FlushQueues (STAT-19).
    STDMETHODIMP FlushQueues(ULONG ulUIParam, ULONG cbTargetTransport, LPENTRYID lpTargetTransport, ULONG ulFlags) override {
        Line("call", "FlushQueues").to().flags("ulFlags", MAPI_TRACE_FLUSH_FLAGS, ulFlags).write();
        HRESULT hr = inner_->FlushQueues(ulUIParam, cbTargetTransport, lpTargetTransport, ulFlags);
        Line("return", "FlushQueues").from().result("result", hr).write();
        return hr;
    }

private:

    // The message a TransportNotify names in lppvData: the entry identifier of a deferred
    // message (NOTIFY_ABORT_DEFERRED, DEF-5; an SBinary, as SpoolerNotify's) or the reference
    // of a transfer (NOTIFY_CANCEL_MESSAGE, DEF-7); -1 for none.
    long notified_message(ULONG flags, LPVOID *lppvData) {
        if (lppvData == nullptr || *lppvData == nullptr) {
            return -1;
        }
        if ((flags & NOTIFY_ABORT_DEFERRED) != 0) {
            return entry_number(MAPI_TRACE_MESSAGE, static_cast<const SBinary *>(*lppvData));
        }
        if ((flags & NOTIFY_CANCEL_MESSAGE) != 0) {
            mapi_com::Guard hold(lock_);
            auto found = refs_.find(*static_cast<const ULONG *>(*lppvData));
            return found != refs_.end() ? found->second : -1;
        }
        return -1;
    }

    // A transfer of `message` (SubmitMessage, EndMessage, StartMessage) is in flight.
    void begin_transfer(long message) {
        mapi_com::Guard hold(lock_);
        in_flight_ = message;
    }

    // Writes the transfer's return line and ends it, under the lock, so that a cancel from
    // another thread is written either before the return (async) or after it.
    void end_transfer(Line &out) {
        mapi_com::Guard hold(lock_);
        out.write();
        in_flight_.reset();
    }

    mapi_com::Lock lock_;
    std::optional<long> in_flight_;  // the message of the transfer in flight
    std::map<ULONG, long> refs_;  // transfer reference -> message, until EndMessage
};

}  // namespace

LPXPLOGON wrap_logon(LPXPLOGON inner) {
    return new LogonProxy(inner);
}

}  // namespace recorder
