// Reading the proxy's configuration (config.h).
#include "config.h"

#include "recorder.h"

#include <cstdio>
#include <cwchar>
#include <vector>

namespace recorder {

namespace {

std::string trim(const std::string &text) {
    size_t begin = text.find_first_not_of(" \t\r\n");
    size_t end = text.find_last_not_of(" \t\r\n");
    return begin == std::string::npos ? std::string() : text.substr(begin, end - begin + 1);
}

bool is_absolute(const std::string &path) {
    return (path.size() >= 2 && path[1] == ':') || (!path.empty() && (path[0] == '\\' || path[0] == '/'));
}

// A count, or a transport named T<n>, or n.
bool parse_number(const std::string &text, const char *prefix, unsigned &out) {
    std::string digits = text;
    if (prefix != nullptr && digits.rfind(prefix, 0) == 0) {
        digits = digits.substr(std::char_traits<char>::length(prefix));
    }
    if (digits.empty() || digits.size() > 6 || digits.find_first_not_of("0123456789") != std::string::npos) {
        return false;
    }
    out = static_cast<unsigned>(std::stoul(digits));
    return true;
}

// One setting, from the file (folder is its folder, for relative paths) or the environment.
bool apply(Config &config, const std::string &key, const std::string &value, const std::string &folder, std::string &error) {
    auto path = [&](const std::string &p) { return folder.empty() || is_absolute(p) ? p : folder + "\\" + p; };
    if (key == "provider") {
        config.provider = path(value);
    } else if (key == "trace") {
        config.trace = path(value);
    } else if (key == "transport") {
        if (!parse_number(value, "T", config.transport)) {
            error = "transport must name a transport of the profile, like T0, not \"" + value + "\"";
            return false;
        }
    } else if (key == "transports") {
        if (!parse_number(value, nullptr, config.transports) || config.transports == 0) {
            error = "transports must be a count of at least 1, not \"" + value + "\"";
            return false;
        }
    } else if (key == "stores") {
        if (!parse_number(value, nullptr, config.stores)) {
            error = "stores must be a count, not \"" + value + "\"";
            return false;
        }
    } else {
        error = "unknown setting \"" + key + "\" (known: provider, trace, transport, transports, stores)";
        return false;
    }
    return true;
}

std::string module_path(HMODULE module) {
    std::vector<wchar_t> buffer(MAX_PATH);
    for (;;) {
        DWORD n = GetModuleFileNameW(module, buffer.data(), static_cast<DWORD>(buffer.size()));
        if (n == 0) {
            return std::string();
        }
        if (n < buffer.size()) {
            return utf8_from_wide(buffer.data());
        }
        buffer.resize(buffer.size() * 2);
    }
}

bool read_file(const std::string &path, std::string &text) {
    FILE *file = _wfopen(wide_from_utf8(path).c_str(), L"rb");
    if (file == nullptr) {
        return false;
    }
    char chunk[4096];
    size_t n;
    while ((n = std::fread(chunk, 1, sizeof(chunk), file)) > 0) {
        text.append(chunk, n);
    }
    std::fclose(file);
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) {
        text.erase(0, 3);  // a UTF-8 byte order mark, as Notepad writes it
    }
    return true;
}

bool environment(const wchar_t *name, std::string &value) {
    DWORD n = GetEnvironmentVariableW(name, nullptr, 0);
    if (n == 0) {
        return false;
    }
    std::vector<wchar_t> buffer(n);
    GetEnvironmentVariableW(name, buffer.data(), n);
    value = utf8_from_wide(buffer.data());
    return true;
}

}  // namespace

bool load_config(HMODULE self, Config &config, std::string &error) {
    std::string dll = module_path(self);
    size_t dot = dll.find_last_of('.');
    size_t slash = dll.find_last_of("\\/");
    std::string file = (dot != std::string::npos && (slash == std::string::npos || dot > slash) ? dll.substr(0, dot) : dll) + ".cfg";
    std::string folder = slash == std::string::npos ? std::string() : dll.substr(0, slash);

    std::string text;
    if (read_file(file, text)) {
        size_t start = 0;
        unsigned number = 0;
        while (start <= text.size()) {
            size_t end = text.find('\n', start);
            std::string line = trim(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
            start = end == std::string::npos ? text.size() + 1 : end + 1;
            number++;
            if (line.empty() || line[0] == '#' || line[0] == ';') {
                continue;
            }
            size_t eq = line.find('=');
            if (eq == std::string::npos) {
                error = file + " line " + std::to_string(number) + ": expected key = value";
                return false;
            }
            if (!apply(config, trim(line.substr(0, eq)), trim(line.substr(eq + 1)), folder, error)) {
                error = file + " line " + std::to_string(number) + ": " + error;
                return false;
            }
        }
    }

    static const struct {
        const wchar_t *variable;
        const char *key;
    } variables[] = {{L"MAPI_RECORDER_PROVIDER", "provider"},
                     {L"MAPI_RECORDER_TRACE", "trace"},
                     {L"MAPI_RECORDER_TRANSPORT", "transport"},
                     {L"MAPI_RECORDER_TRANSPORTS", "transports"},
                     {L"MAPI_RECORDER_STORES", "stores"}};
    for (const auto &v : variables) {
        std::string value;
        if (environment(v.variable, value) && !apply(config, v.key, trim(value), std::string(), error)) {
            error = utf8_from_wide(v.variable) + ": " + error;
            return false;
        }
    }

    if (config.transports == 0) {
        config.transports = config.transport + 1;
    }
    if (config.transport >= config.transports) {
        error = "transport T" + std::to_string(config.transport) + " is not among the profile's " +
                std::to_string(config.transports) + " transports";
        return false;
    }
    if (config.provider.empty()) {
        error = "no provider DLL named: set provider in " + file + " or MAPI_RECORDER_PROVIDER";
        return false;
    }
    if (config.trace.empty()) {
        error = "no trace file named: set trace in " + file + " or MAPI_RECORDER_TRACE";
        return false;
    }
    for (size_t at; (at = config.trace.find("{pid}")) != std::string::npos;) {
        config.trace.replace(at, 5, std::to_string(GetCurrentProcessId()));
    }
    return true;
}

}  // namespace recorder
