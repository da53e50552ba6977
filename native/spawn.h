// runProgram: a program run to its end without Node's child_process (spawn.c).
#ifndef NODE_CFFI_SPAWN_H
#define NODE_CFFI_SPAWN_H

#include <node_api.h>

#include <stdbool.h>

napi_value run_program(napi_env env, napi_callback_info info);

/* False where the C library cannot start a program in another directory: then run_program is not to be offered. */
bool have_run_program(void);

#endif
