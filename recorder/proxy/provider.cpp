// The entry point MAPI calls (XPProviderInit) and the provider object: each call is written as a
// call line, forwarded to the real provider, and its return written as a return line.
#include "config.h"
#include "recorder.h"


namespace recorder {

namespace {

// The real provider, loaded at the first XPProviderInit of the process and kept loaded.
struct RealProvider {
    HMODULE module = nullptr;
    XPPROVIDERINIT *init = nullptr;
};

// Loads the configuration, opens the trace and loads the real provider, once per process.
// nullptr (with a complaint) when any of it fails: the proxy then refuses to start.
const RealProvider *start() {
    static mapi_com::Lock lock;
    static RealProvider real;
    static bool started = false;
    mapi_com::Guard hold(lock);
    if (started) {
        return real.init != nullptr ? &real : nullptr;
    }
    started = true;

    static const char inside_this_dll = 0;
    HMODULE self = nullptr;
    GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                       reinterpret_cast<LPCWSTR>(&inside_this_dll), &self);
    Config config;
    std::string error;
    if (!load_config(self, config, error)) {
        complain(error);
        return nullptr;
    }
    HMODULE module = LoadLibraryExW(wide_from_utf8(config.provider).c_str(), nullptr, LOAD_WITH_ALTERED_SEARCH_PATH);
    if (module == nullptr) {
        complain("cannot load the provider " + config.provider + " (error " + std::to_string(GetLastError()) + ")");
        return nullptr;
    }
    auto init = reinterpret_cast<XPPROVIDERINIT *>(reinterpret_cast<void *>(GetProcAddress(module, "XPProviderInit")));
    if (init == nullptr) {
        complain(config.provider + " exports no XPProviderInit: it is not a transport provider");
        FreeLibrary(module);
        return nullptr;
    }
    mapi_trace_header header = {config.transports, config.stores, MAPI_TRACE_SCOPE_TRANSPORT, config.transport};
    mapi_trace *trace = mapi_trace_open(config.trace.c_str(), &header);
    if (trace == nullptr) {
        complain("cannot write the trace " + config.trace);
        FreeLibrary(module);
        return nullptr;
    }
    recording().trace = trace;
    recording().transport = config.transport;
    real.module = module;
    real.init = init;
    return &real;
}

class ProviderProxy final : public Wrapper<IXPProvider, &IID_IXPProvider> {
public:
    explicit ProviderProxy(LPXPPROVIDER inner) : Wrapper(inner) {}

    // IXPProvider::Shutdown (LIFE-16).
    STDMETHODIMP Shutdown(ULONG *lpulFlags) override {
        Line("call", "Shutdown").to().write();
        HRESULT hr = inner_->Shutdown(lpulFlags);
        Line("return", "Shutdown").from().result("result", hr).write();
        return hr;
    }

    // IXPProvider::TransportLogon (LIFE-4, LIFE-5): the support object is wrapped, so that the
    // provider's support calls are recorded, and so is the logon object it returns.
    STDMETHODIMP TransportLogon(LPMAPISUP lpMAPISup, ULONG ulUIParam, LPTSTR lpszProfileName, ULONG *lpulFlags,
                                LPMAPIERROR *lppMAPIError, LPXPLOGON *lppXPLogon) override {
        Line("call", "TransportLogon").to().flags("lpulFlags", MAPI_TRACE_LOGON_FLAGS, lpulFlags != nullptr ? *lpulFlags : 0).write();
        LPMAPISUP support = nullptr;
        if (lpMAPISup != nullptr) {
            lpMAPISup->AddRef();
            support = wrap_support(lpMAPISup);
        }
        HRESULT hr = inner_->TransportLogon(support, ulUIParam, lpszProfileName, lpulFlags, lppMAPIError, lppXPLogon);
        if (support != nullptr) {
            support->Release();  // the provider holds its own reference if it keeps it
        }
        Line out("return", "TransportLogon");
        out.from().result("result", hr);
        if (hr == S_OK) {
            out.flags("lpulFlags", MAPI_TRACE_LOGON_CAPS, lpulFlags != nullptr ? *lpulFlags : 0);
        }
        out.write();
        if (hr == S_OK && lppXPLogon != nullptr && *lppXPLogon != nullptr) {
            *lppXPLogon = wrap_logon(*lppXPLogon);
        }
        return hr;
    }
};

}  // namespace

LPXPPROVIDER wrap_provider(LPXPPROVIDER inner) {
    return new ProviderProxy(inner);
}

}  // namespace recorder

using namespace recorder;

// XPProviderInit (LIFE-1): loads the real provider named in the configuration and hands it the
// same arguments, with its own module handle; returns the provider object it gives back,
// wrapped. MAPI_E_CALL_FAILED, with a complaint and no trace line, when the proxy cannot start.
extern "C" HRESULT __cdecl XPProviderInit(HINSTANCE hInstance, LPMALLOC lpMalloc, LPALLOCATEBUFFER lpAllocateBuffer,
                                          LPALLOCATEMORE lpAllocateMore, LPFREEBUFFER lpFreeBuffer, ULONG ulFlags, ULONG ulMAPIVer,
                                          ULONG *lpulProviderVer, LPXPPROVIDER *lppXPProvider) {
    (void)hInstance;  // the proxy's own; the provider gets its own module handle
    const RealProvider *real = start();
    if (real == nullptr) {
        return MAPI_E_CALL_FAILED;
    }
    recording().free_buffer = lpFreeBuffer;
    Line("call", "XPProviderInit").to().flags("ulFlags", MAPI_TRACE_XP_INIT_FLAGS, ulFlags).version("ulMAPIVer", ulMAPIVer).write();
    HRESULT hr = real->init(real->module, lpMalloc, lpAllocateBuffer, lpAllocateMore, lpFreeBuffer, ulFlags, ulMAPIVer, lpulProviderVer,
                            lppXPProvider);
    Line out("return", "XPProviderInit");
    out.from().result("result", hr);
    if (hr == S_OK) {
        out.version("lpulProviderVer", lpulProviderVer != nullptr ? *lpulProviderVer : 0);
    }
    out.write();
    if (hr == S_OK && lppXPProvider != nullptr && *lppXPProvider != nullptr) {
        *lppXPProvider = wrap_provider(*lppXPProvider);
    }
    return hr;
}
