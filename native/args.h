// Argument checks shared by the native helper and its measured candidates: each bad argument becomes a clear TypeError.
#ifndef NODE_CFFI_ARGS_H
#define NODE_CFFI_ARGS_H

#include <node_api.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Largest integer a double holds exactly: 2^53 - 1. User-space addresses stay far below it. */
#define MAX_SAFE_INTEGER 9007199254740991.0

/* Clears an exception that a getter run while describing a value may have left pending. */
static void clear_exception(napi_env env) {
  bool pending = false;
  napi_value ignored;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) napi_get_and_clear_last_exception(env, &ignored);
}

/* Writes a number the way JavaScript prints it: NaN, Infinity, 1.5, 0.1 (shortest form that reads back). */
static void describe_number(double d, char *out, size_t size) {
  if (isnan(d)) {
    snprintf(out, size, "NaN");
  } else if (isinf(d)) {
    snprintf(out, size, "%s", d > 0 ? "Infinity" : "-Infinity");
  } else if (d == 0 && signbit(d)) {
    snprintf(out, size, "-0");
  } else {
    for (int digits = 1; digits <= 17; digits++) {
      snprintf(out, size, "%.*g", digits, d);
      if (strtod(out, NULL) == d) return;
    }
  }
}

/* Copies the string `value` into `out`, cut to a few dozen bytes with "..." when longer. */
static void copy_short_string(napi_env env, napi_value value, char *out, size_t size) {
  size_t length = 0;
  size_t copied = 0;
  napi_get_value_string_utf8(env, value, NULL, 0, &length);
  napi_get_value_string_utf8(env, value, out, size, &copied);
  if (copied < length && copied >= 3) strcpy(out + copied - 3, "...");
}

/* Writes "array of length N", "C object" for an object whose constructor is named C, or "object";
   never lets a throwing getter escape. */
static void describe_object(napi_env env, napi_value value, char *out, size_t size) {
  napi_value ctor;
  napi_value name;
  napi_valuetype type;
  char ctor_name[48] = "";
  bool is_array = false;
  uint32_t length = 0;
  if (napi_is_array(env, value, &is_array) == napi_ok && is_array && napi_get_array_length(env, value, &length) == napi_ok) {
    snprintf(out, size, "array of length %u", (unsigned)length);
    return;
  }
  if (napi_get_named_property(env, value, "constructor", &ctor) == napi_ok && napi_typeof(env, ctor, &type) == napi_ok &&
      type == napi_function && napi_get_named_property(env, ctor, "name", &name) == napi_ok &&
      napi_typeof(env, name, &type) == napi_ok && type == napi_string)
    copy_short_string(env, name, ctor_name, sizeof ctor_name);
  clear_exception(env);
  if (ctor_name[0] != '\0' && strcmp(ctor_name, "Object") != 0) snprintf(out, size, "%s object", ctor_name);
  else snprintf(out, size, "object");
}

/* A short rendering of a JavaScript value for an error message, in the spirit of errors.ts's show(). */
static void describe(napi_env env, napi_value value, char *out, size_t size) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok) {
    snprintf(out, size, "an unreadable value");
    return;
  }
  switch (type) {
    case napi_number: {
      double d = 0;
      napi_get_value_double(env, value, &d);
      describe_number(d, out, size);
      return;
    }
    case napi_bigint: {
      int64_t i = 0;
      bool lossless = false;
      napi_get_value_bigint_int64(env, value, &i, &lossless);
      if (lossless) snprintf(out, size, "%lldn", (long long)i);
      else snprintf(out, size, "a bigint");
      return;
    }
    case napi_string: {
      char text[40];
      copy_short_string(env, value, text, sizeof text);
      snprintf(out, size, "string \"%s\"", text);
      return;
    }
    case napi_boolean: {
      bool b = false;
      napi_get_value_bool(env, value, &b);
      snprintf(out, size, "%s", b ? "true" : "false");
      return;
    }
    case napi_undefined: snprintf(out, size, "undefined"); return;
    case napi_null: snprintf(out, size, "null"); return;
    case napi_symbol: snprintf(out, size, "a symbol"); return;
    case napi_function: snprintf(out, size, "a function"); return;
    case napi_external: snprintf(out, size, "an external"); return;
    case napi_object: describe_object(env, value, out, size); return;
  }
  snprintf(out, size, "an unknown value");
}

/* Throws the TypeError "<fn>: <arg> must be <expected>, got <value>[; <hint>]". */
static void throw_bad_arg(napi_env env, const char *fn, const char *arg, const char *expected, napi_value value,
                          const char *hint) {
  char got[96];
  char message[320];
  describe(env, value, got, sizeof got);
  snprintf(message, sizeof message, "%s: %s must be %s, got %s%s%s", fn, arg, expected, got, hint ? "; " : "",
           hint ? hint : "");
  napi_throw_type_error(env, NULL, message);
}

/* Reads an integer argument in [min, 2^53 - 1] into *out; on a bad one throws and returns false. */
static bool get_integer(napi_env env, napi_value value, double min, const char *fn, const char *arg,
                        const char *expected, double *out) {
  double d;
  if (napi_get_value_double(env, value, &d) != napi_ok || !(d >= min && d <= MAX_SAFE_INTEGER) || d != floor(d)) {
    napi_valuetype type = napi_undefined;
    napi_typeof(env, value, &type);
    throw_bad_arg(env, fn, arg, expected, value, type == napi_bigint ? "convert it with Number()" : NULL);
    return false;
  }
  *out = d;
  return true;
}

/* Fetches exactly `count` arguments; on another count throws and returns false. */
static bool get_args(napi_env env, napi_callback_info info, size_t count, napi_value *args, const char *fn) {
  size_t given = count;
  if (napi_get_cb_info(env, info, &given, args, NULL, NULL) != napi_ok) {
    napi_throw_error(env, NULL, "node_cffi: cannot read the arguments of a call");
    return false;
  }
  if (given != count) {
    char message[96];
    snprintf(message, sizeof message, "%s: expected %zu argument%s, got %zu", fn, count, count == 1 ? "" : "s", given);
    napi_throw_type_error(env, NULL, message);
    return false;
  }
  return true;
}

#endif
