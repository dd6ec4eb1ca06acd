// The recording proxy transport provider: what its parts share. See docs/recording.md.
#pragma once

#include "../common/com.h"
#include "mapi_trace.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace recorder {

// The process's recording: the trace file, the transport it observes, and MAPI's allocators
// (from XPProviderInit), which free what MAPI objects hand out.
struct Recording {
    mapi_trace *trace = nullptr;
    unsigned transport = 0;
    LPFREEBUFFER free_buffer = nullptr;
};

Recording &recording();

// Reports a problem of the recorder itself: to the debugger (OutputDebugString) and to
// standard error. The recorder never hides a line it could not write.
void complain(const std::string &what);

// One trace line: built by the chained calls, written by write(), dropped if never written.
class Line {
public:
    Line(const char *kind, const char *name);
    ~Line();
    Line(const Line &) = delete;
    Line &operator=(const Line &) = delete;

    Line &to();    // "to": the observed transport
    Line &from();  // "from": the observed transport
    Line &str(const char *key, const std::string &utf8);
    Line &null(const char *key);
    Line &boolean(const char *key, bool value);
    Line &uint(const char *key, uint64_t value);
    Line &flags(const char *key, mapi_trace_flag_word word, ULONG value);
    Line &result(const char *key, HRESULT hr);
    Line &version(const char *key, ULONG version);
    Line &id(const char *key, const char *prefix, long number);
    Line &rows(const char *key, const std::set<ULONG> &rows);
    mapi_trace_line *raw() { return &line_; }
    void write();

private:
    const char *name_;
    mapi_trace_line line_;
    bool done_ = false;
};

// Text conversions: MAPI hands out ANSI (the process's code page) or UTF-16 strings; the trace
// is UTF-8.
std::string utf8_from_ansi(const char *text);
std::string utf8_from_wide(const wchar_t *text);
std::wstring wide_from_utf8(const std::string &text);

// The number of the object an SBinary entry identifier names (M, S), mapped by the trace.
long entry_number(mapi_trace_kind kind, const SBinary *entry);

// Recipient row number (PR_ROWID, or the position in the table where a row has none) to
// PR_RESPONSIBILITY (FALSE where a row has none).
using Responsibility = std::map<ULONG, bool>;

// Reads the recipient table of message; false (with a complaint) when it cannot be read.
bool read_responsibility(LPMESSAGE message, Responsibility &rows);

// The message number of a message: a wrapped message's own, else by its PR_ENTRYID, else a new
// number (a message without an entry identifier yet).
long message_number(LPMESSAGE message);

// A wrapper around one of MAPI's or the provider's objects: it holds one reference of inner,
// answers QueryInterface for IUnknown and Iids with itself, and hands any other interface
// identifier to inner (that interface is then not recorded).
template <class Interface, const IID *... Iids>
class Wrapper : public mapi_com::Object<Interface> {
public:
    STDMETHODIMP QueryInterface(REFIID riid, LPVOID *ppvObj) override {
        HRESULT hr = this->query(riid, ppvObj, {Iids...});
        return hr == S_OK ? hr : inner_->QueryInterface(riid, ppvObj);
    }

protected:
    explicit Wrapper(Interface *inner) : inner_(inner) {}
    ~Wrapper() override { inner_->Release(); }

    Interface *inner_;
};

// The wrappers; each takes over one reference of inner.
LPXPPROVIDER wrap_provider(LPXPPROVIDER inner);
LPXPLOGON wrap_logon(LPXPLOGON inner);
LPMAPISUP wrap_support(LPMAPISUP inner);

}  // namespace recorder
