// runProgram: a program run to its end without Node's child_process (spawn.c).
#ifndef NODE_CFFI_SPAWN_H
#define NODE_CFFI_SPAWN_H

#include <node_api.h>

napi_value run_program(napi_env env, napi_callback_info info);

#endif
