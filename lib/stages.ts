// The modules require('node-cffi') does not load, each required at its first use: the cdef parser, compiling, whole headers, ahead-of-time modules, TypeScript output.
import type * as Parser from './cparser/parser';
import type * as ApiMode from './apimode';
import type * as Build from './build';
import type * as Header from './header';
import type * as HeaderLib from './headerlib';
import type * as Glue from './codegen/glue';
import type * as AotData from './aot/data';
import type * as AotLoader from './aot/loader';
import type * as TypeScript from './codegen/typescript';
import type * as DlHandle from './dlhandle';

// A program that only opens libraries and calls them never evaluates these modules (their keyword
// and token tables, the compiler's stages); the stages bundle holds most of them (scripts/bundle.js).
let parserModule: typeof Parser | undefined;
let apiModeModule: typeof ApiMode | undefined;
let buildModule: typeof Build | undefined;
let headerModule: typeof Header | undefined;
let headerLibModule: typeof HeaderLib | undefined;
let glueModule: typeof Glue | undefined;
let aotDataModule: typeof AotData | undefined;
let aotLoaderModule: typeof AotLoader | undefined;
let typeScriptModule: typeof TypeScript | undefined;
let dlHandleModule: typeof DlHandle | undefined;
export const parser = (): typeof Parser => (parserModule ??= require('./cparser/parser') as typeof Parser);
export const apiMode = (): typeof ApiMode => (apiModeModule ??= require('./apimode') as typeof ApiMode);
export const buildStage = (): typeof Build => (buildModule ??= require('./build') as typeof Build);
export const headerStage = (): typeof Header => (headerModule ??= require('./header') as typeof Header);
export const headerLib = (): typeof HeaderLib => (headerLibModule ??= require('./headerlib') as typeof HeaderLib);
export const glueStage = (): typeof Glue => (glueModule ??= require('./codegen/glue') as typeof Glue);
export const aotData = (): typeof AotData => (aotDataModule ??= require('./aot/data') as typeof AotData);
export const aotLoader = (): typeof AotLoader => (aotLoaderModule ??= require('./aot/loader') as typeof AotLoader);
export const typeScript = (): typeof TypeScript => (typeScriptModule ??= require('./codegen/typescript') as typeof TypeScript);
export const dlHandle = (): typeof DlHandle => (dlHandleModule ??= require('./dlhandle') as typeof DlHandle);
