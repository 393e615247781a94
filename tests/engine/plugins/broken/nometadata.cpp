// A shared library that is not a Qt plugin at all (no Q_PLUGIN_METADATA), for tst_plugincatalog.
extern "C" int ergonNotAPlugin()
{
    return 42;
}
