// Public entry of node-cffi: the FFI class, its errors, and the types users see.
export { FFI, CompilerWarning } from './ffi';
export type { VerifyOptions, CompileOptions, CastResult, TypeScriptOptions, HeaderOptions, HeaderSkipped } from './ffi';
export type { CdefOptions } from './cparser/parser';
export type { CallbackOptions } from './cdata/callback';
export type { Lib } from './clib';
export { cc, ccInto, ccDeclarations, ffiOf, declarationsOf } from './cc';
export type { CcOptions, CcDeclarations, Skipped, CdefChunk } from './cc';
export { FFIError, CDefError, VerificationError } from './errors';
export { CData } from './cdata/base';
export type { CFunction } from './cdata/base';
export { EnumValue } from './cdata/scalar';
export type {
  CType, CTypeKind, CField, PrimitiveType, VoidType, PointerType, ArrayType, StructType, EnumType, FunctionType,
} from './ctype/model';
export { backendStatus } from './backend/koffi';
export type { BackendStatus } from './backend/koffi';
