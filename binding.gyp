# node-gyp build of the optional native helper: one C file against Node-API version 8, no C++.
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
