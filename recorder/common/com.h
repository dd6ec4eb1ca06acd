// Shared by the proxy, the sample providers and the driver: a reference-counted COM object base,
// a lock, and the interface identifiers (common/guids.cpp defines them).
#pragma once

#include <windows.h>
#include <mapispi.h>

#include <atomic>
#include <initializer_list>

namespace mapi_com {

// A slim reader/writer lock used exclusively (the compiler's win32 thread model has no
// std::mutex), with Guard to hold it for a scope.
class Lock {
public:
    void lock() { AcquireSRWLockExclusive(&lock_); }
    void unlock() { ReleaseSRWLockExclusive(&lock_); }

private:
    SRWLOCK lock_ = SRWLOCK_INIT;
};

class Guard {
public:
    explicit Guard(Lock &lock) : lock_(lock) { lock_.lock(); }
    ~Guard() { lock_.unlock(); }
    Guard(const Guard &) = delete;
    Guard &operator=(const Guard &) = delete;

private:
    Lock &lock_;
};

// A COM object implementing Interface: AddRef and Release count references and delete the
// object at zero; query() answers QueryInterface for IUnknown and the identifiers given.
template <class Interface>
class Object : public Interface {
public:
    STDMETHODIMP_(ULONG) AddRef() override { return ++refs_; }
    STDMETHODIMP_(ULONG) Release() override {
        ULONG left = --refs_;
        if (left == 0) {
            delete this;
        }
        return left;
    }

protected:
    Object() = default;
    virtual ~Object() = default;
    Object(const Object &) = delete;
    Object &operator=(const Object &) = delete;

    // S_OK with this object (one reference more) when riid is IUnknown or one of iids.
    HRESULT query(REFIID riid, void **ppv, std::initializer_list<const IID *> iids) {
        if (ppv == nullptr) {
            return E_INVALIDARG;
        }
        bool known = IsEqualIID(riid, IID_IUnknown);
        for (const IID *iid : iids) {
            known = known || IsEqualIID(riid, *iid);
        }
        if (!known) {
            *ppv = nullptr;
            return E_NOINTERFACE;
        }
        AddRef();
        *ppv = static_cast<Interface *>(this);
        return S_OK;
    }

private:
    std::atomic<ULONG> refs_{1};
};

}  // namespace mapi_com
