// The proxy's configuration: which provider DLL it loads, where it writes the trace, and what the
// trace's header says about the profile. See docs/recording.md, "Configuration".
#pragma once

#include <windows.h>

#include <string>

namespace recorder {

struct Config {
    std::string provider;     // the real provider DLL (UTF-8 path)
    std::string trace;        // the trace file (UTF-8 path; {pid} becomes the process ID)
    unsigned transport = 0;   // the observed transport's position in the profile: T<transport>
    unsigned transports = 0;  // the profile's transport entries (0: transport + 1)
    unsigned stores = 1;      // the profile's mail-enabled stores
};

// Reads the file next to the proxy DLL (its name with .cfg for .dll), if there is one, then the
// environment variables, which win. False, with the reason in error, when a setting is malformed
// or the provider or the trace is not named.
bool load_config(HMODULE self, Config &config, std::string &error);

}  // namespace recorder
