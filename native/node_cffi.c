// The optional native helper: the raw-memory operations a direct Node-API call does clearly faster than koffi, and C destructors the garbage collector runs.
#define _POSIX_C_SOURCE 200809L /* strnlen */
/* Node-API's experimental version, for one behaviour: a finalizer runs inside the garbage collection
   that collected its object (Node 20.10 and later), not on a later turn of the event loop. Only
   `collected` below relies on it, and it calls nothing but C and napi_adjust_external_memory. The
   environment type stays napi_env (the opt-out), so that older headers compile it too. */
#define NAPI_EXPERIMENTAL
#define NODE_API_EXPERIMENTAL_BASIC_ENV_OPT_OUT
#include <node_api.h>

#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uchar.h>

#include "args.h"
#include "spawn.h"

/* True when none of the `length` bytes at `text` has its high bit set (gcc vectorises the loop at -O3). */
static bool is_ascii(const unsigned char *text, size_t length) {
  unsigned char seen = 0;
  for (size_t i = 0; i < length; i++) seen |= text[i];
  return seen < 0x80;
}

/* Decodes `length` bytes of UTF-8 into UTF-16 at `out` (room for `length` units always suffices) and returns the
   number of units. Follows the WHATWG decoder, as V8 and TextDecoder do: each maximal invalid subsequence (stray
   continuation, overlong form, surrogate, code point above U+10FFFF, sequence cut short) becomes one U+FFFD. */
static size_t decode_utf8(const unsigned char *text, size_t length, uint16_t *out) {
  size_t units = 0;
  size_t i = 0;
  while (i < length) {
    unsigned char lead = text[i++];
    if (lead < 0x80) {
      out[units++] = lead;
      continue;
    }
    int needed;
    uint32_t point;
    unsigned char lower = 0x80;
    unsigned char upper = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      needed = 1;
      point = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      needed = 2;
      point = lead & 0x0F;
      if (lead == 0xE0) lower = 0xA0; /* no overlong forms */
      if (lead == 0xED) upper = 0x9F; /* no surrogates */
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      needed = 3;
      point = lead & 0x07;
      if (lead == 0xF0) lower = 0x90; /* no overlong forms */
      if (lead == 0xF4) upper = 0x8F; /* nothing above U+10FFFF */
    } else {
      out[units++] = 0xFFFD;
      continue;
    }
    /* A byte outside [lower, upper] ends the invalid sequence and is read again as a lead byte. */
    for (; needed > 0 && i < length && text[i] >= lower && text[i] <= upper; needed--, i++) {
      point = (point << 6) | (text[i] & 0x3F);
      lower = 0x80;
      upper = 0xBF;
    }
    if (needed > 0) {
      out[units++] = 0xFFFD;
    } else if (point < 0x10000) {
      out[units++] = (uint16_t)point;
    } else {
      out[units++] = (uint16_t)(0xD800 + ((point - 0x10000) >> 10));
      out[units++] = (uint16_t)(0xDC00 + ((point - 0x10000) & 0x3FF));
    }
  }
  return units;
}

/* Makes a JavaScript string of `length` bytes of UTF-8. V8's own UTF-8 path (napi_create_string_utf8) is several
   times slower on non-ASCII text than decoding here and handing V8 UTF-16; ASCII goes in as Latin-1, a plain copy. */
static napi_status create_string(napi_env env, const char *text, size_t length, napi_value *result) {
  const unsigned char *bytes = (const unsigned char *)text;
  if (is_ascii(bytes, length)) return napi_create_string_latin1(env, text, length, result);
  uint16_t small[512];
  uint16_t *units = length <= sizeof small / sizeof small[0] ? small : malloc(length * sizeof *units);
  if (units == NULL) return napi_generic_failure;
  size_t count = decode_utf8(bytes, length, units);
  napi_status status = napi_create_string_utf16(env, (const char16_t *)units, count, result);
  if (units != small) free(units);
  return status;
}

/* cstring(address, maxlen): the UTF-8 text at address up to its NUL, read through at most maxlen bytes (-1: no bound). */
static napi_value cstring(napi_env env, napi_callback_info info) {
  napi_value args[2];
  napi_value result;
  double address;
  double maxlen;
  if (!get_args(env, info, 2, args, "cstring") ||
      !get_integer(env, args[0], 1, "cstring", "address", "a positive integer below 2^53 (a non-NULL address)", &address) ||
      !get_integer(env, args[1], -1, "cstring", "maxlen", "-1 (no bound) or a non-negative integer", &maxlen))
    return NULL;
  const char *text = (const char *)(uintptr_t)address;
  size_t length = maxlen < 0 ? strlen(text) : strnlen(text, (size_t)maxlen);
  if (create_string(env, text, length, &result) != napi_ok) {
    char message[128];
    snprintf(message, sizeof message, "cstring: the text of %zu bytes does not fit in a JavaScript string", length);
    napi_throw_range_error(env, NULL, message);
    return NULL;
  }
  return result;
}

/* The bytes of one element of a TypedArray of this type. */
static size_t element_size(napi_typedarray_type type) {
  switch (type) {
    case napi_int16_array: case napi_uint16_array: return 2;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
    case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: return 8;
    default: return 1;
  }
}

/* The data pointer and byte length of an ArrayBuffer, TypedArray or DataView (a view's pointer already
   includes its byteOffset); *detached tells whether the memory behind it is gone. Returns false when
   `value` is none of the three. */
static bool buffer_data(napi_env env, napi_value value, void **data, size_t *length, bool *detached) {
  napi_value buffer = value;
  bool is = false;
  if (napi_get_arraybuffer_info(env, value, data, length) == napi_ok) {
    /* the buffer itself */
  } else if (napi_is_typedarray(env, value, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t count = 0;
    napi_get_typedarray_info(env, value, &type, &count, data, &buffer, NULL);
    *length = count * element_size(type);
  } else if (napi_is_dataview(env, value, &is) == napi_ok && is) {
    napi_get_dataview_info(env, value, length, data, &buffer, NULL);
  } else {
    return false;
  }
  /* Only a NULL pointer can mean a detached buffer, so the common case costs no further call. */
  *detached = false;
  if (*data == NULL) napi_is_detached_arraybuffer(env, buffer, detached);
  return true;
}

/* The one argument of `name` (an ArrayBuffer, TypedArray or DataView): its data and byte length, or false
   with a JavaScript error thrown; a detached buffer is refused, saying it has no `what`. */
static bool buffer_arg(napi_env env, napi_callback_info info, const char *name, const char *what, void **data, size_t *length) {
  napi_value arg;
  bool detached = false;
  if (!get_args(env, info, 1, &arg, name)) return false;
  if (!buffer_data(env, arg, data, length, &detached)) {
    throw_bad_arg(env, name, "buffer", "an ArrayBuffer, a TypedArray or a DataView", arg, NULL);
    return false;
  }
  if (detached) {
    char message[160];
    snprintf(message, sizeof message, "%s: buffer is detached (its memory was transferred away); it has no %s", name, what);
    napi_throw_type_error(env, NULL, message);
    return false;
  }
  return true;
}

/* address(buffer): the address of the first byte of an ArrayBuffer, or of a view's window into its buffer. */
static napi_value address(napi_env env, napi_callback_info info) {
  napi_value result;
  void *data = NULL;
  size_t length = 0;
  if (!buffer_arg(env, info, "address", "address", &data, &length)) return NULL;
  napi_create_double(env, (double)(uintptr_t)data, &result);
  return result;
}

/* A 64-bit MurmurHash3-style mix of one word (its finaliser, fmix64). */
static uint64_t mix64(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

/* checksum(buffer): 16 hexadecimal digits of a 64-bit checksum of the bytes of an ArrayBuffer or a view
   (MurmurHash3 x64's body, one lane, the length folded in): it tells a damaged file from a whole one. */
static napi_value checksum(napi_env env, napi_callback_info info) {
  napi_value result;
  void *data = NULL;
  size_t length = 0;
  if (!buffer_arg(env, info, "checksum", "bytes", &data, &length)) return NULL;
  const unsigned char *bytes = data;
  const uint64_t c1 = 0x87c37b91114253d5ULL, c2 = 0x4cf5ad432745937fULL;
  uint64_t h = 0x6e6f64652d636666ULL ^ (uint64_t)length;
  size_t i = 0;
  for (; i + 8 <= length; i += 8) {
    uint64_t k;
    memcpy(&k, bytes + i, 8); /* the machine's byte order: the checksum is only compared on the machine that wrote it */
    k *= c1;
    k = (k << 31) | (k >> 33);
    k *= c2;
    h ^= k;
    h = (h << 27) | (h >> 37);
    h = h * 5 + 0x52dce729;
  }
  uint64_t tail = 0;
  for (size_t j = 0; i + j < length; j++) tail |= (uint64_t)bytes[i + j] << (8 * j);
  tail *= c1;
  tail = (tail << 31) | (tail >> 33);
  tail *= c2;
  h ^= tail ^ (uint64_t)length;
  h = mix64(h);
  char text[17];
  snprintf(text, sizeof text, "%016llx", (unsigned long long)h);
  if (napi_create_string_latin1(env, text, 16, &result) != napi_ok) return NULL;
  return result;
}

/* ---------------------------------------------------------------------------------------------
   sha256(buffer): the SHA-256 of the bytes, through the OpenSSL that Node itself links and exports,
   so that a process hashing a cache key does not load node:crypto (about 2.5 ms of its start).
   Referred to weakly, with OpenSSL's own prototypes (stable since 1.0): where Node does not export
   them, sha256 is not exported and node-cffi hashes with node:crypto. */

typedef struct evp_md_st EVP_MD;
typedef struct engine_st ENGINE;
extern const EVP_MD *EVP_sha256(void);
extern int EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size, const EVP_MD *type, ENGINE *impl);
#pragma weak EVP_sha256
#pragma weak EVP_Digest

static bool have_sha256(void) {
  return EVP_sha256 != NULL && EVP_Digest != NULL && EVP_sha256() != NULL;
}

static napi_value sha256(napi_env env, napi_callback_info info) {
  napi_value result;
  void *data = NULL;
  size_t length = 0;
  if (!buffer_arg(env, info, "sha256", "bytes", &data, &length)) return NULL;
  unsigned char md[32];
  unsigned int size = 0;
  static const unsigned char nothing[1];
  if (EVP_Digest(length ? data : nothing, length, md, &size, EVP_sha256(), NULL) != 1 || size != sizeof md) {
    napi_throw_error(env, NULL, "sha256: OpenSSL's EVP_Digest failed");
    return NULL;
  }
  static const char hex[] = "0123456789abcdef";
  char text[64];
  for (unsigned i = 0; i < 32; i++) {
    text[2 * i] = hex[md[i] >> 4];
    text[2 * i + 1] = hex[md[i] & 15];
  }
  if (napi_create_string_latin1(env, text, 64, &result) != napi_ok) return NULL;
  return result;
}

/* errno(): the calling thread's errno, the same variable koffi.errno() reads, at half its cost. */
static napi_value get_errno(napi_env env, napi_callback_info info) {
  napi_value result;
  int value = errno; /* read first: nothing below may change it before */
  if (!get_args(env, info, 0, NULL, "errno")) return NULL;
  if (napi_create_int32(env, value, &result) != napi_ok) return NULL;
  return result;
}

/* adjustExternalMemory(delta): tells V8 of memory outside its heap that JavaScript objects keep alive
   (or no longer keep), so that it collects them sooner; returns the new total. */
static napi_value adjust_external_memory(napi_env env, napi_callback_info info) {
  napi_value arg;
  napi_value result;
  double delta;
  int64_t total = 0;
  if (!get_args(env, info, 1, &arg, "adjustExternalMemory") ||
      !get_integer(env, arg, -MAX_SAFE_INTEGER, "adjustExternalMemory", "delta", "an integer of bytes", &delta))
    return NULL;
  napi_adjust_external_memory(env, (int64_t)delta, &total);
  napi_create_double(env, (double)total, &result);
  return result;
}

/* The .async calls begun and not settled, in every thread of the process: the addon is loaded once
   per process however many Node environments (worker threads) load it, so the main thread, ending,
   sees the workers' calls too. */
static _Atomic long async_calls_in_flight;

/* asyncCalls(delta): adds delta (1: an .async call begun, -1: one settled, 0: none) to the process's
   count, and returns the count. */
static napi_value async_calls(napi_env env, napi_callback_info info) {
  napi_value arg;
  napi_value result;
  double delta;
  if (!get_args(env, info, 1, &arg, "asyncCalls") ||
      !get_integer(env, arg, -1, "asyncCalls", "delta", "1, -1 or 0", &delta))
    return NULL;
  if (delta > 1) {
    throw_bad_arg(env, "asyncCalls", "delta", "1, -1 or 0", arg, NULL);
    return NULL;
  }
  long count = atomic_fetch_add(&async_calls_in_flight, (long)delta) + (long)delta;
  napi_create_double(env, (double)count, &result);
  return result;
}

/* ---------------------------------------------------------------------------------------------
   ffi.gc(p, destructor, size) with a C destructor: the garbage collector that collects the cdata
   calls the destructor itself, at once, even while JavaScript runs a synchronous loop. */

/* Defined by Node 20.10 and later, with finalizers run inside the garbage collection; referred to
   weakly, so that the addon still loads where it is missing (gcFree is then not exported). */
#pragma weak node_api_post_finalizer

typedef void (*destructor_fn)(void *);

/* One cdata's destructor: the C function, its argument, the bytes reported to V8, and what keeps
   the function's library loaded until the record is done. */
typedef struct gc_record {
  destructor_fn destructor; /* NULL once run at the environment's teardown */
  void *pointer;
  int64_t size;
  napi_ref keep;
  struct gc_record *prev, *next; /* in the instance's list of records not yet done */
} gc_record;

/* Per environment: the JavaScript function told of each record done (with its `keep`), the records
   whose destructor has not run yet, and whether the teardown hook is set. */
typedef struct {
  napi_ref notify;
  gc_record pending; /* the list's head: pending.next is the first record, &pending ends it */
  bool hooked;
} gc_instance;

static void unlink_record(gc_record *r) {
  if (r->next == NULL) return;
  r->prev->next = r->next;
  r->next->prev = r->prev;
  r->prev = r->next = NULL;
}

/* At the environment's teardown, before koffi's (this hook is set at the first gcFree, after koffi
   was loaded, and Node runs cleanup hooks last set first): runs the destructors still pending while
   their libraries are loaded. Without it they would run when Node finalises this helper's objects,
   after koffi has unloaded the libraries they are in (when koffi was loaded after this helper). */
static void run_pending(void *arg) {
  gc_instance *instance = arg;
  while (instance->pending.next != &instance->pending) {
    gc_record *r = instance->pending.next;
    unlink_record(r);
    destructor_fn destructor = r->destructor;
    r->destructor = NULL;
    if (destructor != NULL) destructor(r->pointer);
  }
}

/* After the collection, on the JavaScript thread: tells JavaScript the record is done, lets `keep` go. */
static void record_done(napi_env env, void *data, void *hint) {
  gc_record *r = data;
  gc_instance *instance = hint;
  napi_value keep = NULL;
  napi_value notify = NULL;
  napi_value undefined;
  if (instance->notify != NULL && napi_get_reference_value(env, instance->notify, &notify) == napi_ok && notify != NULL &&
      napi_get_reference_value(env, r->keep, &keep) == napi_ok && keep != NULL && napi_get_undefined(env, &undefined) == napi_ok)
    napi_call_function(env, undefined, notify, 1, &keep, NULL);
  napi_delete_reference(env, r->keep);
  free(r);
}

/* Inside the garbage collection that collected the cdata: the destructor runs now. */
static void collected(napi_env env, void *data, void *hint) {
  gc_record *r = data;
  int64_t total;
  unlink_record(r);
  if (r->destructor != NULL) r->destructor(r->pointer);
  napi_adjust_external_memory(env, -r->size, &total);
  if (node_api_post_finalizer(env, record_done, r, hint) != napi_ok) {
    /* The record and its reference stay: `keep` then keeps its library loaded for good, which is safe. */
  }
}

/* gcFree(cdata, destructor, pointer, size, keep): when `cdata` is collected, calls the C function at
   address `destructor` with `pointer`; reports `size` bytes to V8 meanwhile; keeps `keep` alive. */
static napi_value gc_free(napi_env env, napi_callback_info info) {
  napi_value args[5];
  double destructor;
  double pointer;
  double size;
  gc_instance *instance = NULL;
  int64_t total;
  if (!get_args(env, info, 5, args, "gcFree") ||
      !get_integer(env, args[1], 1, "gcFree", "destructor", "a positive integer below 2^53 (a function's address)", &destructor) ||
      !get_integer(env, args[2], 0, "gcFree", "pointer", "a non-negative integer below 2^53 (an address)", &pointer) ||
      !get_integer(env, args[3], 0, "gcFree", "size", "a non-negative integer of bytes", &size))
    return NULL;
  if (napi_get_instance_data(env, (void **)&instance) != napi_ok || instance == NULL) {
    napi_throw_error(env, NULL, "gcFree: the helper's state for this thread is missing");
    return NULL;
  }
  gc_record *r = malloc(sizeof *r);
  if (r == NULL) {
    napi_throw_range_error(env, NULL, "gcFree: out of memory");
    return NULL;
  }
  r->destructor = (destructor_fn)(uintptr_t)destructor;
  r->pointer = (void *)(uintptr_t)pointer;
  r->size = (int64_t)size;
  if (napi_create_reference(env, args[4], 1, &r->keep) != napi_ok) {
    free(r);
    napi_throw_type_error(env, NULL, "gcFree: keep must be an object");
    return NULL;
  }
  if (napi_wrap(env, args[0], r, collected, instance, NULL) != napi_ok) {
    napi_delete_reference(env, r->keep);
    free(r);
    throw_bad_arg(env, "gcFree", "cdata", "an object without a destructor yet", args[0], NULL);
    return NULL;
  }
  napi_adjust_external_memory(env, r->size, &total);
  if (!instance->hooked && napi_add_env_cleanup_hook(env, run_pending, instance) == napi_ok) instance->hooked = true;
  r->prev = r->next = NULL;
  if (instance->hooked) { /* listed only where the hook will empty the list before the instance goes */
    r->prev = instance->pending.prev;
    r->next = &instance->pending;
    instance->pending.prev->next = r;
    instance->pending.prev = r;
  }
  return NULL;
}

/* gcCancel(cdata): forgets the destructor gcFree gave `cdata` without running it; false when it had none. */
static napi_value gc_cancel(napi_env env, napi_callback_info info) {
  napi_value arg;
  napi_value result;
  void *data = NULL;
  int64_t total;
  if (!get_args(env, info, 1, &arg, "gcCancel")) return NULL;
  bool had = napi_remove_wrap(env, arg, &data) == napi_ok && data != NULL;
  if (had) {
    gc_record *r = data;
    unlink_record(r);
    napi_adjust_external_memory(env, -r->size, &total);
    napi_delete_reference(env, r->keep);
    free(r);
  }
  napi_get_boolean(env, had, &result);
  return result;
}

/* gcNotify(fn): the function told, on the JavaScript thread, of each record done (with its `keep`). */
static napi_value gc_notify(napi_env env, napi_callback_info info) {
  napi_value arg;
  napi_valuetype type;
  gc_instance *instance = NULL;
  if (!get_args(env, info, 1, &arg, "gcNotify")) return NULL;
  if (napi_typeof(env, arg, &type) != napi_ok || type != napi_function) {
    throw_bad_arg(env, "gcNotify", "fn", "a function", arg, NULL);
    return NULL;
  }
  if (napi_get_instance_data(env, (void **)&instance) != napi_ok || instance == NULL) return NULL;
  if (instance->notify != NULL) napi_delete_reference(env, instance->notify);
  napi_create_reference(env, arg, 1, &instance->notify);
  return NULL;
}

static void free_instance(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data); /* its reference goes with the environment */
}

NAPI_MODULE_INIT() {
  napi_property_descriptor digest[] = {
    {"sha256", NULL, sha256, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (have_sha256() && napi_define_properties(env, exports, 1, digest) != napi_ok) return NULL;
  napi_property_descriptor spawn[] = {
    {"runProgram", NULL, run_program, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (have_run_program() && napi_define_properties(env, exports, 1, spawn) != napi_ok) return NULL;
  napi_property_descriptor methods[] = {
    {"cstring", NULL, cstring, NULL, NULL, NULL, napi_enumerable, NULL},
    {"address", NULL, address, NULL, NULL, NULL, napi_enumerable, NULL},
    {"errno", NULL, get_errno, NULL, NULL, NULL, napi_enumerable, NULL},
    {"adjustExternalMemory", NULL, adjust_external_memory, NULL, NULL, NULL, napi_enumerable, NULL},
    {"checksum", NULL, checksum, NULL, NULL, NULL, napi_enumerable, NULL},
    {"asyncCalls", NULL, async_calls, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gcFree", NULL, gc_free, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gcCancel", NULL, gc_cancel, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gcNotify", NULL, gc_notify, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  size_t count = sizeof methods / sizeof methods[0];
  if (node_api_post_finalizer == NULL) {
    count -= 3; /* finalizers run on a later turn of the event loop here: JavaScript's own path serves as well */
  } else {
    gc_instance *instance = calloc(1, sizeof *instance);
    if (instance != NULL) instance->pending.prev = instance->pending.next = &instance->pending;
    if (instance == NULL || napi_set_instance_data(env, instance, free_instance, NULL) != napi_ok) {
      free(instance);
      count -= 3;
    }
  }
  if (napi_define_properties(env, exports, count, methods) != napi_ok) return NULL;
  return exports;
}
