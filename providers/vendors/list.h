// Every vendor adapter, one line each: its type name (the config's `type:`) and its
// factory, defined in providers/vendors/<name>.cpp. Included by providers/registry.cpp
// with LOA_VENDOR defined; adding a vendor adds a line here.
LOA_VENDOR("esms", make_esms)
LOA_VENDOR("speedsms", make_speedsms)
LOA_VENDOR("twilio", make_twilio)
LOA_VENDOR("infobip", make_infobip)
