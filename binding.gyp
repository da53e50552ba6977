# node-gyp build of the optional native helpers: node_cffi, two C files against Node-API (its experimental version, for finalizers that run inside garbage collection); node_cffi_views, one C++ file against V8's API for what Node-API cannot do.
{
  "targets": [
    {
      "target_name": "node_cffi",
      "sources": ["native/node_cffi.c", "native/spawn.c"],
      "cflags_c": ["-std=c11", "-O3", "-Wall", "-Wextra"],
      "xcode_settings": {"OTHER_CFLAGS": ["-std=c11", "-O3", "-Wall", "-Wextra"]}
    },
    {
      "target_name": "node_cffi_views",
      "sources": ["native/views.cc"],
      "cflags_cc": ["-O2", "-Wall", "-Wextra"],
      "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["-O2", "-Wall", "-Wextra"]}
    }
  ]
}
