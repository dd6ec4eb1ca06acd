// The MAPI interface identifiers this project uses, defined once per binary (mapiguid.h declares
// them everywhere else). IID_IUnknown comes from libuuid.
#define INITGUID
#define USES_IID_IMAPISup
#define USES_IID_IXPProvider
#define USES_IID_IXPLogon
#define USES_IID_IMessage
#define USES_IID_IMAPIProp
#define USES_IID_IMAPITable
#include <windows.h>
#include <initguid.h>
#include <mapiguid.h>
