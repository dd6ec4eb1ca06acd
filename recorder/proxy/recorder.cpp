// What the proxy's parts share: the recording, complaints, trace lines and text conversions.
#define MAPI_TRACE_IMPLEMENTATION
#include "recorder.h"

#include <cstdio>
#include <vector>

namespace recorder {

Recording &recording() {
    static Recording instance;
    return instance;
}

void complain(const std::string &what) {
    std::string text = "mapi_recorder: " + what + "\n";
    OutputDebugStringA(text.c_str());
    std::fputs(text.c_str(), stderr);
    std::fflush(stderr);
}

Line::Line(const char *kind, const char *name) : name_(name) {
    mapi_trace_begin(&line_, kind, name);
}

Line::~Line() {
    if (!done_) {
        mapi_trace_discard(&line_);
    }
}

Line &Line::to() {
    mapi_trace_add_id(&line_, "to", "T", recording().transport);
    return *this;
}

Line &Line::from() {
    mapi_trace_add_id(&line_, "from", "T", recording().transport);
    return *this;
}

Line &Line::str(const char *key, const std::string &utf8) {
    mapi_trace_add_str(&line_, key, utf8.c_str());
    return *this;
}

Line &Line::null(const char *key) {
    mapi_trace_add_null(&line_, key);
    return *this;
}

Line &Line::boolean(const char *key, bool value) {
    mapi_trace_add_bool(&line_, key, value ? 1 : 0);
    return *this;
}

Line &Line::uint(const char *key, uint64_t value) {
    mapi_trace_add_uint(&line_, key, value);
    return *this;
}

Line &Line::flags(const char *key, mapi_trace_flag_word word, ULONG value) {
    mapi_trace_add_flags(&line_, key, word, value);
    return *this;
}

Line &Line::result(const char *key, HRESULT hr) {
    mapi_trace_add_result(&line_, key, static_cast<uint32_t>(hr));
    return *this;
}

Line &Line::version(const char *key, ULONG version) {
    mapi_trace_add_version(&line_, key, version);
    return *this;
}

Line &Line::id(const char *key, const char *prefix, long number) {
    if (number < 0) {
        line_.failed = 1;  // the trace ran out of memory numbering it
        return *this;
    }
    mapi_trace_add_id(&line_, key, prefix, static_cast<unsigned long>(number));
    return *this;
}

Line &Line::rows(const char *key, const std::set<ULONG> &rows) {
    std::vector<uint32_t> sorted(rows.begin(), rows.end());
    mapi_trace_add_rows(&line_, key, sorted.data(), sorted.size());
    return *this;
}

void Line::write() {
    done_ = true;
    if (mapi_trace_end(recording().trace, &line_) != 0) {
        complain(std::string("a trace line (") + name_ + ") could not be written: the trace is incomplete from here");
    }
}

std::string utf8_from_wide(const wchar_t *text) {
    if (text == nullptr) {
        return std::string();
    }
    int n = WideCharToMultiByte(CP_UTF8, 0, text, -1, nullptr, 0, nullptr, nullptr);
    if (n <= 1) {
        return std::string();
    }
    std::string out(static_cast<size_t>(n), '\0');
    WideCharToMultiByte(CP_UTF8, 0, text, -1, &out[0], n, nullptr, nullptr);
    out.resize(static_cast<size_t>(n - 1));
    return out;
}

std::string utf8_from_ansi(const char *text) {
    if (text == nullptr) {
        return std::string();
    }
    int n = MultiByteToWideChar(CP_ACP, 0, text, -1, nullptr, 0);
    if (n <= 1) {
        return std::string();
    }
    std::wstring wide(static_cast<size_t>(n), L'\0');
    MultiByteToWideChar(CP_ACP, 0, text, -1, &wide[0], n);
    return utf8_from_wide(wide.c_str());
}

std::wstring wide_from_utf8(const std::string &text) {
    int n = MultiByteToWideChar(CP_UTF8, 0, text.c_str(), -1, nullptr, 0);
    if (n <= 1) {
        return std::wstring();
    }
    std::wstring out(static_cast<size_t>(n), L'\0');
    MultiByteToWideChar(CP_UTF8, 0, text.c_str(), -1, &out[0], n);
    out.resize(static_cast<size_t>(n - 1));
    return out;
}

long entry_number(mapi_trace_kind kind, const SBinary *entry) {
    if (entry == nullptr || entry->cb == 0 || entry->lpb == nullptr) {
        return mapi_trace_id(recording().trace, kind, nullptr, 0);
    }
    return mapi_trace_id(recording().trace, kind, entry->lpb, entry->cb);
}

}  // namespace recorder
