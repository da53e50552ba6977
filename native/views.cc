// node_cffi_views: ArrayBuffers over C memory that V8 does not count as memory of its own (the one helper Node-API cannot make).
//
// An ArrayBuffer made through Node-API (napi_create_external_arraybuffer, and so koffi.view) has a
// deleter, so V8 counts its whole length as external memory: a 3 GiB window onto C memory starts an
// immediate full, compacting collection ("external memory pressure"), one per window. A backing
// store whose deleter is V8's EmptyDeleter owns nothing and is counted as nothing. Built against
// V8's own API, this addon is tied to the Node.js it was built for; loading it elsewhere fails, and
// node-cffi then makes its views through koffi. (lib/backend/native.ts marks each view
// untransferable, as Node marks its buffers over external memory: only Node's JavaScript can.)
#include <node.h>
#include <v8.h>

#include <cmath>
#include <cstdint>
#include <memory>

namespace {

constexpr double kMaxAddress = 9007199254740992.0;  // 2^53: user-space addresses are below it
constexpr double kMaxLength = 4294967296.0;         // 4 GiB, as koffi.view allows

void Throw(v8::Isolate *isolate, const char *message) {
  isolate->ThrowException(v8::Exception::TypeError(v8::String::NewFromUtf8(isolate, message).ToLocalChecked()));
}

// view(address, length): an ArrayBuffer over the `length` bytes at `address`; nothing is copied,
// nothing is freed when it is collected. Throws a TypeError for an address that is not a positive
// integer below 2^53, or a length that is not an integer from 0 to 4 GiB.
void View(const v8::FunctionCallbackInfo<v8::Value> &info) {
  v8::Isolate *isolate = info.GetIsolate();
  if (info.Length() != 2 || !info[0]->IsNumber() || !info[1]->IsNumber()) {
    Throw(isolate, "view(address, length): expected two numbers");
    return;
  }
  const double address = info[0].As<v8::Number>()->Value();
  const double length = info[1].As<v8::Number>()->Value();
  if (!(address >= 1 && address < kMaxAddress) || std::floor(address) != address) {
    Throw(isolate, "view(): the address must be a positive integer below 2^53");
    return;
  }
  if (!(length >= 0 && length <= kMaxLength) || std::floor(length) != length) {
    Throw(isolate, "view(): the length must be an integer from 0 to 4 GiB");
    return;
  }
  void *data = reinterpret_cast<void *>(static_cast<uintptr_t>(address));
  std::unique_ptr<v8::BackingStore> store =
      v8::ArrayBuffer::NewBackingStore(data, static_cast<size_t>(length), v8::BackingStore::EmptyDeleter, nullptr);
  info.GetReturnValue().Set(v8::ArrayBuffer::New(isolate, std::move(store)));
}

}  // namespace

// The initializer Node.js looks for by its well-known name (node_register_module_v<ABI version>);
// it takes the context, so worker threads load the addon too.
extern "C" NODE_MODULE_EXPORT void NODE_MODULE_INITIALIZER(v8::Local<v8::Object> exports, v8::Local<v8::Value>, v8::Local<v8::Context> context) {
  v8::Isolate *isolate = context->GetIsolate();
  v8::Local<v8::FunctionTemplate> t = v8::FunctionTemplate::New(isolate, View);
  v8::Local<v8::Function> fn = t->GetFunction(context).ToLocalChecked();
  exports->Set(context, v8::String::NewFromUtf8Literal(isolate, "view"), fn).Check();
}
