// Declarations checked piece by piece into one registry, each piece all or nothing: how a header's hundreds of declarations go through the cdef parser.
import { CDefError, TypeError } from '../errors';
import { CType } from '../ctype/model';
import { Decl, Registry } from '../ctype/registry';
import { Scope, toJs } from '../ctype/declarations';
import { IntValue, literalDefine } from './constexpr';
import { BUILTIN_TYPES } from './declarator';
import { Where, keyword, lex, releaseTokens } from './lexer';
import { Parser, cdefWhere, failAt, packOf } from './parser';
import { SpelledTokens, lexSpelled } from './spelled';
import { TokenStream } from './stream';

/**
 * Declarations added piece by piece (one declaration, or a few) into one registry, each piece
 * all or nothing on its own: a piece the parser refuses is undone, and the next parses as if it
 * had never been there. add() gives what parseCdef() of the piece alone would give, the pieces
 * kept before it declared, without a parser, scope and commit of its own for each: a header's
 * hundreds of declarations are checked this way. Nothing reaches the registry before commit().
 */
export class CdefBatch {
  private readonly scope: Scope;
  private readonly parser: Parser;
  private open = false;

  constructor(registry: Registry) {
    this.scope = new Scope(registry, false, failAt(cdefWhere));
    this.parser = new Parser(new TokenStream([], cdefWhere), this.scope, 0);
  }

  /**
   * Parses `source` (with `options.pack`) into the batch: null when it parsed, and then keep() or
   * undo() must follow; otherwise the CDefError (or TypeError, for a bad pack) that parseCdef()
   * would throw, with nothing of the piece left. `spelled`, when given, is the tokens of `source`
   * (see lexSpelled), which then is not read again. `options.override`: the piece replaces what
   * the pieces kept before it declared under its names (not what the registry held before the batch).
   */
  add(source: string, options: { readonly pack?: number; readonly override?: boolean } = {}, spelled?: SpelledTokens): CDefError | TypeError | null {
    return this.piece(options.override === true, () => {
      const pack = packOf(options);
      const tokens = spelled === undefined ? lex(source, cdefWhere) : lexSpelled(source, spelled);
      try {
        this.parser.piece(new TokenStream(tokens, cdefWhere), pack);
      } finally {
        releaseTokens(tokens);
      }
    });
  }

  /**
   * add() of the line `#define NAME value`, for a value that is one integer constant, in
   * parentheses or not, negative or not (`0x10`, `(-1)`; most of a header's constants): declared as
   * the parser declares it, without reading the line. Any other value or name goes through add().
   * `reading`: literalDefine(value), when the caller has it already; `override` as add() takes it.
   */
  addDefine(name: string, value: string, reading: IntValue | null = literalDefine(value), override = false): CDefError | TypeError | null {
    const v = PLAIN_NAME.test(name) && keyword(name) === undefined && !BUILTIN_TYPES.has(name) ? reading : null;
    if (v === null) return this.add(`#define ${name} ${value}\n`, { override });
    // Where add() would put it: line 1, after '#define '.
    const pos = { line: 1, column: 9 };
    return this.piece(override, () => this.scope.declare({ kind: 'constant', name, type: v.type, value: toJs(v.value), origin: 'define', pos }));
  }

  /** Runs `declare` as a piece of its own (replacing what it declares again, with `override`): null when it declared, else its error, with nothing of the piece left. */
  private piece(override: boolean, declare: () => void): CDefError | TypeError | null {
    if (this.open) throw new Error('internal: keep() or undo() the last piece before adding another');
    this.scope.beginPiece(override);
    try {
      declare();
    } catch (e) {
      this.scope.undoPiece();
      if (e instanceof CDefError || e instanceof globalThis.TypeError) return e;
      throw e;
    }
    this.open = true;
    return null;
  }

  /** Keeps the piece add() just parsed. */
  keep(): void {
    this.scope.keepPiece();
    this.open = false;
  }

  /** Undoes the piece add() just parsed, as if it had been refused. */
  undo(): void {
    this.scope.undoPiece();
    this.open = false;
  }

  /** A declaration of the batch (its pieces kept so far) or of the registry. */
  get(name: string): Decl | undefined {
    return this.scope.get(name);
  }

  /** parseTypeName() over the batch: the tags the type name declares are kept; throws CDefError. */
  typeName(text: string): CType {
    if (this.open) throw new Error('internal: keep() or undo() the last piece before reading a type name');
    const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
    const where: Where = (line, column) => `type '${shown}': ${line > 1 ? `line ${line}, ` : ''}column ${column}: `;
    this.scope.beginPiece();
    let type: CType;
    try {
      const tokens = lex(text, where);
      try {
        type = this.parser.pieceTypeName(new TokenStream(tokens, where));
      } finally {
        releaseTokens(tokens);
      }
    } catch (e) {
      this.scope.undoPiece();
      throw e;
    }
    this.scope.keepPiece();
    return type;
  }

  /** Declares the kept pieces in the registry. */
  commit(): void {
    if (this.open) throw new Error('internal: keep() or undo() the last piece before the commit');
    this.scope.commit();
  }
}

/** A name the lexer reads as one identifier. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
