// Classes whose every method of one MAPI interface answers MAPI_E_NO_SUPPORT, generated from the
// interface's own method list in the mingw-w64 headers, so that a fake overrides only what it
// implements and its signatures cannot drift from the headers'.
#pragma once

#include "com.h"

#define MAPI_COM_NO_SUPPORT_ { return MAPI_E_NO_SUPPORT; }

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"

namespace mapi_com {

class SupportStubs : public Object<IMAPISupport> {
public:
    MAPI_IMAPISUPPORT_METHODS1(MAPI_COM_NO_SUPPORT_)
    MAPI_IMAPISUPPORT_METHODS2(MAPI_COM_NO_SUPPORT_)
    MAPI_IMAPISUPPORT_METHODS3(MAPI_COM_NO_SUPPORT_)
};

class MessageStubs : public Object<IMessage> {
public:
    MAPI_IMAPIPROP_METHODS(MAPI_COM_NO_SUPPORT_)
    MAPI_IMESSAGE_METHODS(MAPI_COM_NO_SUPPORT_)
};

class TableStubs : public Object<IMAPITable> {
public:
    MAPI_IMAPITABLE_METHODS(MAPI_COM_NO_SUPPORT_)
};

}  // namespace mapi_com

#pragma GCC diagnostic pop
