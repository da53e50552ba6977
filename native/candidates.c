// Helpers measured against koffi and left out of the addon (see bench/native.ts, which compiles this file on its own).
#define NAPI_VERSION 8
#include <node_api.h>

#include <stdint.h>
#include <string.h>

#include "args.h" /* the addon's own argument checks, so that the comparison stays fair */

#define POSITIVE "a positive integer below 2^53"
#define NON_NEGATIVE "a non-negative integer below 2^53"

/* view(address, length): an ArrayBuffer over foreign memory, never freed by it (koffi.view's job). */
static napi_value view(napi_env env, napi_callback_info info) {
  napi_value args[2];
  napi_value result;
  double address;
  double length;
  if (!get_args(env, info, 2, args, "view") || !get_integer(env, args[0], 1, "view", "address", POSITIVE, &address) ||
      !get_integer(env, args[1], 0, "view", "length", NON_NEGATIVE, &length))
    return NULL;
  if (napi_create_external_arraybuffer(env, (void *)(uintptr_t)address, (size_t)length, NULL, NULL, &result) != napi_ok) {
    napi_throw_error(env, NULL, "view: this runtime refuses ArrayBuffers over foreign memory");
    return NULL;
  }
  return result;
}

/* memmove(dst, src, n): C's memmove between two raw addresses. */
static napi_value move(napi_env env, napi_callback_info info) {
  napi_value args[3];
  double dst;
  double src;
  double n;
  if (!get_args(env, info, 3, args, "memmove") || !get_integer(env, args[0], 1, "memmove", "dst", POSITIVE, &dst) ||
      !get_integer(env, args[1], 1, "memmove", "src", POSITIVE, &src) || !get_integer(env, args[2], 0, "memmove", "n", NON_NEGATIVE, &n))
    return NULL;
  memmove((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, (size_t)n);
  return NULL;
}

/* load_i32(address): the int32 at a raw address (koffi.decode.int32's job); stands for every scalar load. */
static napi_value load_i32(napi_env env, napi_callback_info info) {
  napi_value arg;
  napi_value result;
  double address;
  int32_t value;
  if (!get_args(env, info, 1, &arg, "load_i32") || !get_integer(env, arg, 1, "load_i32", "address", POSITIVE, &address)) return NULL;
  memcpy(&value, (const void *)(uintptr_t)address, sizeof value);
  napi_create_int32(env, value, &result);
  return result;
}

/* store_i32(address, value): writes an int32 at a raw address (koffi.encode's job); stands for every scalar store. */
static napi_value store_i32(napi_env env, napi_callback_info info) {
  napi_value args[2];
  double address;
  int32_t value;
  if (!get_args(env, info, 2, args, "store_i32") || !get_integer(env, args[0], 1, "store_i32", "address", POSITIVE, &address))
    return NULL;
  if (napi_get_value_int32(env, args[1], &value) != napi_ok) {
    napi_throw_type_error(env, NULL, "store_i32: value must be a number");
    return NULL;
  }
  memcpy((void *)(uintptr_t)address, &value, sizeof value);
  return NULL;
}

/* noop(): does nothing; the floor under every call into an addon. */
static napi_value noop(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor methods[] = {
    {"view", NULL, view, NULL, NULL, NULL, napi_enumerable, NULL},
    {"memmove", NULL, move, NULL, NULL, NULL, napi_enumerable, NULL},
    {"load_i32", NULL, load_i32, NULL, NULL, NULL, napi_enumerable, NULL},
    {"store_i32", NULL, store_i32, NULL, NULL, NULL, napi_enumerable, NULL},
    {"noop", NULL, noop, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods) != napi_ok) return NULL;
  return exports;
}
