// What the C compiler said about a verify() unit, told to the user: diagnostics in the glue restated as the cdef declarations they are about, warnings one by one.
import * as path from 'path';
import { declarator, END_TOKEN, GLUE_FILE, GLUE_FILE_CXX, Glue, Owner } from './glue';
import { CompilerWarning } from './warning';

/** One diagnostic as the compiler wrote it: its head line, the lines before and after it, and its notes. */
export interface Diagnostic {
  /** The file it names ('source.c', 'cc1', '/usr/bin/ld'), null for none. */
  readonly file: string | null;
  /** 0 when the compiler gives none. */
  readonly line: number;
  readonly column: number;
  readonly severity: 'error' | 'warning' | 'note';
  /** The message after 'error: ' (with its '[-Wflag]', as written). */
  readonly message: string;
  /** Context lines the compiler wrote before it ("source.c: In function 'f':", "In file included from ..."). */
  readonly context: readonly string[];
  /** The head line itself. */
  readonly head: string;
  /** What follows the head: source quotes, carets, fix-it hints. */
  readonly body: readonly string[];
  readonly notes: Diagnostic[];
}

const HEAD = /^(.+?):(\d+):(?:(\d+):)? (fatal error|error|warning|note): (.*)$/;
const UNLOCATED = /^([^\s:][^:]*): (fatal error|error|warning|note): (.*)$/;
const CONTEXT = /^(?:In file included from |\s+from |.+?: (?:In function|In member function|At top level|In instantiation|In static member function))/;
const SUMMARY = /^(?:\d+ (?:warnings?|errors?)(?: and \d+ (?:warnings?|errors?))? generated\.|cc1: some warnings being treated as errors|compilation terminated\.)$/;
/** clang's count, which no longer adds up once the glue's repeated diagnostics are told once. */
const COUNT = /^\d+ (?:warnings?|errors?)(?: and \d+ (?:warnings?|errors?))? generated\.$/;

/** The compiler's output as diagnostics, with the summary lines ('2 warnings generated.') apart. */
export function parseDiagnostics(output: string): { diagnostics: Diagnostic[]; summary: string[] } {
  const diagnostics: Diagnostic[] = [];
  const summary: string[] = [];
  let context: string[] = [];
  let body: string[] | null = null;
  let parent: Diagnostic | null = null;
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    if (SUMMARY.test(line)) {
      summary.push(line);
      body = null;
      continue;
    }
    const m = HEAD.exec(line);
    if (!m && CONTEXT.test(line)) {
      context.push(line);
      body = null;
      continue;
    }
    const u = m ? null : UNLOCATED.exec(line);
    if (!m && !u) {
      (body ?? summary).push(line);
      continue;
    }
    const kind = m ? m[4] : u![2];
    const d: Diagnostic = {
      file: m ? m[1] : u![1],
      line: m ? Number(m[2]) : 0,
      column: m && m[3] ? Number(m[3]) : 0,
      severity: kind === 'fatal error' ? 'error' : (kind as Diagnostic['severity']),
      message: m ? m[5] : u![3],
      context,
      head: line,
      body: (body = []),
      notes: [],
    };
    context = [];
    if (d.severity === 'note' && parent) parent.notes.push(d);
    else {
      diagnostics.push(d);
      parent = d;
    }
  }
  return { diagnostics, summary };
}

/**
 * The warnings verify() treats as errors (gcc 14 and clang 16 do, and the glue's checks rely on
 * them): an undeclared function called, an int/pointer conversion, and in the glue incompatible
 * pointer types and, for a global's accessor, a dropped const.
 */
function isPolicyError(d: Diagnostic, glue: Glue): boolean {
  if (/implicit declaration of function|call to undeclared function|makes (?:pointer from integer|integer from pointer)/.test(d.message)) return true;
  if (!isGlue(d.file)) return false;
  const owner = glue.owners.get(d.line);
  if (owner?.role === 'accessor' && /discards qualifiers|discards ['\u2018]const['\u2019]/.test(d.message)) return true;
  return /incompatible pointer type|incompatible function pointer types/.test(d.message);
}

/** The lines of a diagnostic as written, notes included. */
function written(d: Diagnostic, withContext = true): string[] {
  return [...(withContext ? d.context : []), d.head, ...d.body, ...d.notes.flatMap((n) => written(n))];
}

/** What verify() tells about the compiler's output. */
export interface Told {
  /** One sentence per culprit in the glue ("sub(): the cdef declares 'sub' but source.c does not define it; …"). */
  readonly headlines: readonly string[];
  /** The output as the user reads it: positions in the source or the cdef, none in the glue. */
  readonly text: string;
  /** Every warning, one per diagnostic (notes with it). */
  readonly warnings: readonly CompilerWarning[];
  /** Whether any diagnostic is an error (after `promote`: a compile that succeeded may still fail verify()). */
  readonly failed: boolean;
}

const isGlue = (file: string | null): boolean => file !== null && (path.basename(file) === GLUE_FILE || path.basename(file) === GLUE_FILE_CXX);
const mentionsGlue = (line: string): boolean => line.includes(GLUE_FILE) || line.includes(GLUE_FILE_CXX);
const quoted = (text: string, re: RegExp): string | null => re.exec(text)?.[1] ?? null;

const IMPLICIT = /(?:implicit declaration of function|call to undeclared function) ['\u2018`]([\w$]+)['\u2019`]/;
const UNDECLARED = /(?:['\u2018`]([\w$]+)['\u2019`] undeclared|use of undeclared identifier ['\u2018`]([\w$]+)['\u2019`])/;
const NO_MEMBER = /has no member named ['\u2018`]([\w$]+)['\u2019`]|no member named ['\u2018`]([\w$]+)['\u2019`] in |field not found: ([\w$]+)/;
const INCOMPLETE = /incomplete type|incomplete definition of type|undefined type|declared inside parameter list/;
const CONFLICTING = /(?:conflicting types for|incompatible types for redefinition of) ['\u2018`]([\w$]+)['\u2019`]/;
const OPTION = /\s*\[(-W[\w=+-]+(?:,-W[\w=+-]+)*)\]\s*$/;

const INCLUDED_FROM = /^(In file included from |\s+from )(.+?):(\d+)([:,])$/;

/**
 * `context` with each "from node-cffi-glue.c:6" of an #include before the source told as the
 * header it includes: what verify() puts before every source, as CFFI does.
 */
function inclusions(context: readonly string[], glue: Glue): readonly string[] {
  return context.map((l) => {
    const m = INCLUDED_FROM.exec(l);
    const header = m && isGlue(m[2]) ? glue.prelude[Number(m[3]) - 2] : undefined;
    return header === undefined ? l : `${m![1]}<${header}>, which verify() includes before ${glue.sourceName} (as CFFI does)${m![4]}`;
  });
}

/**
 * Restates the compiler's output for the user: a diagnostic in the user's files stays as the
 * compiler wrote it; one in the glue becomes a diagnostic at the cdef declaration it is about
 * (`cdef:3:5: error: sub(): the cdef declares 'sub' but source.c does not define it`), keeping the
 * compiler's notes that point into the user's files. An error on the line just after the source
 * means the source ends inside a block or a declaration: it is reported at the source's last
 * line, and what the glue then drew is left out. After an error in the source or its headers,
 * what the glue draws is a consequence: told, never put first.
 */
export function tellDiagnostics(output: string, glue: Glue, options: { promote?: boolean } = {}): Told {
  const { diagnostics: parsed, summary } = parseDiagnostics(output);
  // A compiler that only warns where gcc and clang stop (tcc): its warnings of that kind are errors.
  const diagnostics = options.promote ? parsed.map((d) => (d.severity === 'warning' && isPolicyError(d, glue) ? { ...d, severity: 'error' as const, head: d.head.replace(': warning: ', ': error: ') } : d)) : parsed;
  const headlines: string[] = [];
  const text: string[] = [];
  const warnings: CompilerWarning[] = [];
  let cut = false;
  /**
   * An error in the source or a header it includes came first: what the glue then draws follows
   * from it (a header that failed leaves the compiler inside a declaration), so none of it is
   * put first, nor said to be the source's end.
   */
  let sourceErred = false;
  const seen = new Set<string>();
  const headline = (s: string): void => {
    if (!headlines.includes(s)) headlines.push(s);
  };
  const beforeEnd = new RegExp(` before ['\u2018]${END_TOKEN}['\u2019]$`);
  const endAt = (): void => {
    const { line: l, column: c } = glue.sourceEnd;
    const message = "the source ends inside a function body or a declaration (a '}' or ';' missing at its end?)";
    text.push(`${glue.sourceName}:${l}:${c}: error: ${message}`);
    headline(`${glue.sourceName}:${l}: ${message}`);
    cut = true;
  };
  for (const d of diagnostics) {
    if (!isGlue(d.file)) {
      if (cut) continue;
      // gcc places some errors about the token after the source ("expected ')' before 'static'")
      // at the source's last token: the glue's first token named there is the source's end.
      if (d.severity === 'error' && !sourceErred && d.file === glue.sourceName && d.line === glue.sourceEnd.line && beforeEnd.test(d.message)) {
        endAt();
        continue;
      }
      if (d.severity === 'error') sourceErred = true;
      // The user's own diagnostic, as written; notes about the glue (rare) are left out. A header the
      // unit includes before the source (a definition there that a header of the source conflicts with) is named.
      const own: Diagnostic = {
        ...d,
        context: inclusions(d.context, glue).filter((l) => !mentionsGlue(l)),
        notes: d.notes.filter((n) => !isGlue(n.file)).map((n) => ({ ...n, context: inclusions(n.context, glue) })),
      };
      text.push(...written(own));
      if (d.severity === 'warning') warnings.push(warningOf(d, d.file, d.line, d.column, stripOption(d.message), written(own, false)));
      continue;
    }
    if (cut) continue;
    const owner = glue.owners.get(d.line);
    // The notes worth keeping point into the user's own files (not the glue, not the system's macros).
    const userNotes = d.notes.filter((n) => !isGlue(n.file) && !n.file?.startsWith('/usr/') && !/\b(?:in expansion of|expanded from) macro\b/.test(n.message));
    const context = d.context.filter((l) => !mentionsGlue(l));
    if (!owner) {
      // Not a line about a cdef declaration: the standard headers before the source, or the glue's frame.
      const part = d.line < glue.glueStart ? 'the standard headers verify() includes before the source' : 'the code verify() adds after the source';
      const head = `${glue.sourceName}: ${d.severity}: ${d.message} (in ${part})`;
      text.push(...context, head, ...userNotes.flatMap((n) => written(n)));
      if (d.severity === 'warning') warnings.push(warningOf(d, glue.sourceName, 0, 0, d.message, [head]));
      else if (d.severity === 'error' && !sourceErred) headline(head);
      continue;
    }
    // A struct the source does not define draws this warning before the errors that say so.
    if (d.severity === 'warning' && owner.role === 'field' && /declared inside parameter list|will not be visible outside/.test(d.message)) continue;
    if (owner.role === 'end') {
      if (d.severity !== 'error' || sourceErred) continue;
      text.push(...context);
      endAt();
      continue;
    }
    const said = restate(d, owner, glue, userNotes);
    if (said === null) continue;
    const at = owner.pos ? `cdef:${owner.pos.line}:${owner.pos.column}` : 'cdef';
    const head = `${at}: ${d.severity}: ${said}`;
    // A declaration the glue uses several times draws the same complaint each time: told once.
    if (seen.has(head)) continue;
    seen.add(head);
    const lines = [...context, head, ...userNotes.flatMap((n) => written(n))];
    text.push(...lines);
    if (d.severity === 'warning') {
      warnings.push(warningOf(d, 'cdef', owner.pos?.line ?? 0, owner.pos?.column ?? 0, stripOption(said), lines.slice(context.length)));
    } else if (d.severity === 'error') {
      if (!sourceErred) headline(stripOption(said));
    }
  }
  const failed = diagnostics.some((d) => d.severity === 'error');
  // A failure of which nothing could be told in the cdef's or the source's terms keeps the compiler's own words, never none.
  if (failed && text.length === 0) for (const l of output.trimEnd().split('\n')) if (!COUNT.test(l)) text.push(l);
  return { headlines, text: [...text, ...summary.filter((l) => !COUNT.test(l))].join('\n'), warnings, failed };
}

const stripOption = (message: string): string => message.replace(OPTION, '');

function warningOf(d: Diagnostic, file: string | null, line: number, column: number, message: string, lines: readonly string[]): CompilerWarning {
  // '[-Wconversion]', '[-Werror=conversion]', '[-Werror,-Wunused-variable]': the option that names it.
  const options = (OPTION.exec(d.message)?.[1] ?? '').split(',').filter((o) => o !== '' && o !== '-Werror');
  const option = options.length ? options[options.length - 1].replace(/^-Werror=/, '-W') : null;
  const where = file === null ? '' : line ? `${file}:${line}:${column ? `${column}:` : ''} ` : `${file}: `;
  const text = lines.join('\n');
  return new CompilerWarning(`${where}${message}${option ? ` [${option}]` : ''}`, file, line, column, option, text, lines.slice(1).join('\n'));
}

/** A glue diagnostic told as the cdef declaration it is about; null for one that only repeats another. */
function restate(d: Diagnostic, owner: Owner, glue: Glue, notes: readonly Diagnostic[]): string | null {
  const source = glue.sourceName;
  const m = d.message;
  const missing = `${owner.subject}: the cdef declares '${owner.name}' but ${source} does not define it`;
  const noteWhere = notes.find((n) => n.line > 0);
  const there = noteWhere ? ` (${noteWhere.file}:${noteWhere.line}: ${noteWhere.message})` : '';
  switch (owner.role) {
    case 'wrapper':
    case 'variadic':
    case 'prototype': {
      const name = quoted(m, IMPLICIT) ?? (UNDECLARED.exec(m)?.slice(1).find(Boolean) ?? null);
      if (name === owner.name) return `${missing}; define it there, or include the header that declares it`;
      const decl = owner.decl!;
      const proto = declarator(decl.type, decl.name);
      if (owner.role === 'prototype' && quoted(m, CONFLICTING) === owner.name) {
        // The declaration it conflicts with may be a system header's (stdlib.h's atof), whose notes
        // `notes` leaves out: clang's error then has no other words for it.
        const note = notes.find((n) => n.line > 0) ?? d.notes.find((n) => n.line > 0 && !isGlue(n.file));
        // Against the glue's own implicit declaration (the source lacks the function): said already.
        if (!note) return null;
        const differently = note
          ? `${note.file}:${note.line} ${/declaration/.test(note.message) ? 'declares' : 'defines'} it differently`
          : `${source} declares it differently`;
        const type = /with type ['\u2018](.*)['\u2019]\s*$/.exec(note?.message ?? '');
        const as = type ? ` (as '${type[1].replace(/\s+/g, ' ').replace(/,\s*/g, ', ')}')` : '';
        return `${owner.subject}: cdef declares '${proto}' but ${differently}${as}; make the cdef prototype match the source (the same C types, not only the same sizes), or leave strictPrototypes off to let the compiler convert`;
      }
      if (owner.role === 'variadic') {
        return `${owner.subject}: a variadic function is called directly, so its cdef prototype '${proto}' must have the source's very types: ${m}${there}`;
      }
      return `${owner.subject}: calling it as the cdef declares it ('${proto}'): ${m}${there}`;
    }
    case 'extern': {
      // The glue defines the function; the source only declares it (before calling it).
      const decl = owner.decl!;
      const storage = decl.kind === 'extern-callback' && !decl.exportedToC ? 'static ' : '';
      const proto = `${storage}${declarator(decl.type, decl.name)};`;
      const note = notes.find((n) => n.line > 0);
      const by = note ? `${note.file}:${note.line}` : source;
      if (/\bredefinition of\b/.test(m)) {
        return `${owner.subject}: ${by} defines it, but the glue defines it (its body is the JavaScript function given to ffi.defExtern()); declare it there as '${proto}' instead`;
      }
      if (/\bstatic declaration\b.*\bfollows non-static\b|\bnon-static declaration\b.*\bfollows static\b/.test(m) || quoted(m, CONFLICTING) === owner.name) {
        const plusC = storage && decl.kind === 'extern-callback' ? `; or declare it extern "${decl.language}+C" in the cdef for a function other C files call too` : '';
        return `${owner.subject}: ${by} declares it differently from the cdef; declare it there as '${proto}'${plusC}`;
      }
      return `${owner.subject}: ${m}${there}`;
    }
    case 'accessor':
    case 'reader':
    case 'probe': {
      const name = UNDECLARED.exec(m)?.slice(1).find(Boolean) ?? null;
      if (name === owner.name) return missing;
      if (owner.role === 'accessor' && /discards/.test(m) && /const/.test(m)) {
        return `${owner.subject}: ${source} makes it const; declare it const in the cdef too (a constant: read, never written)`;
      }
      if (owner.probe === 'field' || owner.probe === 'struct') return restateField(m, owner, source, there);
      return `${owner.subject}: ${m}${there}`;
    }
    case 'field':
      return restateField(m, owner, source, there);
    case 'end':
      return m;
  }
}

function restateField(m: string, owner: Owner, source: string, there: string): string {
  const struct = owner.subject.replace(/: field .*$/, '');
  const member = NO_MEMBER.exec(m)?.slice(1).find(Boolean) ?? null;
  if (member !== null && member === owner.name) {
    return `${owner.subject}: the cdef declares '${member}' but ${source}'s ${struct} has no such field`;
  }
  if (INCOMPLETE.test(m) && m.includes(struct)) return `${struct}: the cdef declares its fields but ${source} does not define it`;
  if (owner.subject !== struct) return `${owner.subject}: its type in ${source} is not the cdef's: ${m}${there}`;
  return `${owner.subject}: ${m}${there}`;
}
