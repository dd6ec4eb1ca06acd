// The spooler's message, as the proxy hands it to the provider in SubmitMessage and
// StartMessage: every call is forwarded; SaveChanges is watched, because what the provider saved
// before an error is what the spooler keeps (SUB-33), and whether it saved a new inbound message
// is what StartMessage returns (RCV-5, RCV-6).
#pragma once

#include "recorder.h"


namespace recorder {

class MessageProxy final : public Wrapper<IMessage, &IID_IMAPIProp, &IID_IMessage> {
public:
    // Wraps inner (taking a reference of its own) as message number `number`.
    MessageProxy(LPMESSAGE inner, long number);

    // The proxy that object is, or nullptr when it is not one of ours.
    static MessageProxy *find(const void *object);
    // The spooler's own object behind a proxy, or object itself.
    static void *unwrap(void *object);

    long number() const { return number_; }
    // Whether a SaveChanges succeeded, and the recipients' PR_RESPONSIBILITY at the last one.
    bool saved() const;
    Responsibility saved_responsibility() const;

    STDMETHODIMP GetLastError(HRESULT hResult, ULONG ulFlags, LPMAPIERROR *lppMAPIError) override;
    STDMETHODIMP SaveChanges(ULONG ulFlags) override;
    STDMETHODIMP GetProps(LPSPropTagArray lpPropTagArray, ULONG ulFlags, ULONG *lpcValues, LPSPropValue *lppPropArray) override;
    STDMETHODIMP GetPropList(ULONG ulFlags, LPSPropTagArray *lppPropTagArray) override;
    STDMETHODIMP OpenProperty(ULONG ulPropTag, LPCIID lpiid, ULONG ulInterfaceOptions, ULONG ulFlags, LPUNKNOWN *lppUnk) override;
    STDMETHODIMP SetProps(ULONG cValues, LPSPropValue lpPropArray, LPSPropProblemArray *lppProblems) override;
    STDMETHODIMP DeleteProps(LPSPropTagArray lpPropTagArray, LPSPropProblemArray *lppProblems) override;
    STDMETHODIMP CopyTo(ULONG ciidExclude, LPCIID rgiidExclude, LPSPropTagArray lpExcludeProps, ULONG ulUIParam,
                        LPMAPIPROGRESS lpProgress, LPCIID lpInterface, LPVOID lpDestObj, ULONG ulFlags,
                        LPSPropProblemArray *lppProblems) override;
    STDMETHODIMP CopyProps(LPSPropTagArray lpIncludeProps, ULONG ulUIParam, LPMAPIPROGRESS lpProgress, LPCIID lpInterface,
                           LPVOID lpDestObj, ULONG ulFlags, LPSPropProblemArray *lppProblems) override;
    STDMETHODIMP GetNamesFromIDs(LPSPropTagArray *lppPropTags, LPGUID lpPropSetGuid, ULONG ulFlags, ULONG *lpcPropNames,
                                 LPMAPINAMEID **lpppPropNames) override;
    STDMETHODIMP GetIDsFromNames(ULONG cPropNames, LPMAPINAMEID *lppPropNames, ULONG ulFlags, LPSPropTagArray *lppPropTags) override;
    STDMETHODIMP GetAttachmentTable(ULONG ulFlags, LPMAPITABLE *lppTable) override;
    STDMETHODIMP OpenAttach(ULONG ulAttachmentNum, LPCIID lpInterface, ULONG ulFlags, LPATTACH *lppAttach) override;
    STDMETHODIMP CreateAttach(LPCIID lpInterface, ULONG ulFlags, ULONG *lpulAttachmentNum, LPATTACH *lppAttach) override;
    STDMETHODIMP DeleteAttach(ULONG ulAttachmentNum, ULONG ulUIParam, LPMAPIPROGRESS lpProgress, ULONG ulFlags) override;
    STDMETHODIMP GetRecipientTable(ULONG ulFlags, LPMAPITABLE *lppTable) override;
    STDMETHODIMP ModifyRecipients(ULONG ulFlags, LPADRLIST lpMods) override;
    STDMETHODIMP SubmitMessage(ULONG ulFlags) override;
    STDMETHODIMP SetReadFlag(ULONG ulFlags) override;

private:
    ~MessageProxy() override;

    long number_;
    mutable mapi_com::Lock lock_;
    bool saved_ = false;
    Responsibility saved_rows_;
};

}  // namespace recorder
