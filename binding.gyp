# node-gyp build of the optional native helper: one C file against Node-API (its experimental version, for finalizers that run inside garbage collection), no C++.
{
  "targets": [
    {
      "target_name": "node_cffi",
      "sources": ["native/node_cffi.c"],
      "cflags_c": ["-std=c11", "-O3", "-Wall", "-Wextra"],
      "xcode_settings": {"OTHER_CFLAGS": ["-std=c11", "-O3", "-Wall", "-Wextra"]}
    }
  ]
}
