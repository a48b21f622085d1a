// A tiny block-style YAML emitter that writes exactly what go-yaml's yaml.Marshal writes with the
// image factory's settings (4-space indent, no line folding), for the node shapes a schematic has.
// The schematic ID is the SHA-256 of these bytes, so every rule here is copied from go-yaml v3/v4
// (encode.go stringv, resolve.go, sorter.go, emitterc.go) rather than from the YAML spec.
// Where go-yaml v3 and v4 disagree, or a rule is too obscure to trust, the emitter writes its best
// guess and reports the value as uncertain: the caller then asks the factory instead.

export type YamlNode =
  | { kind: 'map'; entries: ReadonlyArray<readonly [string, YamlNode]> }
  | { kind: 'seq'; items: readonly YamlNode[] }
  /** A Go string: quoted, literal or plain as go-yaml decides. */
  | { kind: 'str'; value: string }
  /** A Go number, bool or nil already formatted as go-yaml formats it (always plain). */
  | { kind: 'plain'; text: string }

export interface EmitResult {
  text: string
  /** Human-readable reasons the bytes might differ from the factory's; empty when certain. */
  uncertain: string[]
}

const indentStep = 4

export function emitYaml(root: YamlNode): EmitResult {
  const writer = new Writer()
  if (root.kind === 'map' && root.entries.length > 0) writer.blockMapping(root.entries, 0)
  else if (root.kind === 'seq' && root.items.length > 0) writer.blockSequence(root.items, 0)
  else writer.value(root, 0, 0)
  writer.finish()
  return { text: writer.out, uncertain: [...new Set(writer.uncertain)] }
}

// ---- scalar resolution (resolve.go) -------------------------------------------------------------

export type ResolvedTag = 'str' | 'null' | 'bool' | 'int' | 'float' | 'timestamp' | 'merge'

const resolveMap = new Map<string, ResolvedTag>([
  ...['true', 'True', 'TRUE', 'false', 'False', 'FALSE'].map((s) => [s, 'bool'] as const),
  ...['', '~', 'null', 'Null', 'NULL'].map((s) => [s, 'null'] as const),
  ...[
    '.nan',
    '.NaN',
    '.NAN',
    '.inf',
    '.Inf',
    '.INF',
    '+.inf',
    '+.Inf',
    '+.INF',
    '-.inf',
    '-.Inf',
    '-.INF',
  ].map((s) => [s, 'float'] as const),
  ...['-0', '-0.0'].map((s) => [s, 'float'] as const),
  ['<<', 'merge'],
])

const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/
/** Go's strconv.ParseInt(s, 0, 64) syntax, after go-yaml removed the underscores. */
const goInteger = /^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/
const int64Min = -(2n ** 63n)
const int64Max = 2n ** 63n - 1n
const uint64Max = 2n ** 64n - 1n

export interface Resolution {
  tag: ResolvedTag
  /** Set when go-yaml's answer depends on details not reproduced here. */
  uncertain?: string
}

/** What go-yaml's resolve("", s) says a plain scalar with this text is. */
export function resolvePlain(s: string): Resolution {
  const first = s === '' ? '' : s[0]!
  const hint =
    s === ''
      ? 'N'
      : /[+-]/.test(first)
        ? 'S'
        : /[0-9]/.test(first)
          ? 'D'
          : /[yYnNtTfFoO~]/.test(first)
            ? 'M'
            : first === '.'
              ? '.'
              : ''
  if (hint === '') return { tag: 'str' }
  const mapped = resolveMap.get(s)
  if (mapped) return { tag: mapped }
  if (hint === '.') {
    if (s.includes('_')) return { tag: 'str', uncertain: `"${s}": Go float syntax with underscores` }
    const match = /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s)
    return { tag: match && Number.isFinite(Number(s)) ? 'float' : 'str' }
  }
  if (hint === 'D' || hint === 'S') {
    const timestamp = resolveTimestamp(s)
    if (timestamp) return timestamp
    const plain = s.replaceAll('_', '')
    const int = goInteger.exec(plain)
    if (int) {
      const value = parseGoInteger(int[1]!, int[2]!)
      if (value >= int64Min && value <= int64Max) return { tag: 'int' }
      if (value >= 0n && value <= uint64Max) {
        return int[1] === '+'
          ? { tag: 'int', uncertain: `"${s}": go-yaml v3 and v4 read a signed uint64 differently` }
          : { tag: 'int' }
      }
    }
    if (yamlStyleFloat.test(plain) && Number.isFinite(Number(plain))) return { tag: 'float' }
  }
  return { tag: 'str' }
}

/** The value of a plain scalar go-yaml reads as an integer (underscores allowed), else null. */
export function parseGoIntegerText(text: string): bigint | null {
  const int = goInteger.exec(text.replaceAll('_', ''))
  return int ? parseGoInteger(int[1]!, int[2]!) : null
}

function parseGoInteger(sign: string, digits: string): bigint {
  let magnitude: bigint
  const prefix = digits.slice(0, 2).toLowerCase()
  if (prefix === '0x' || prefix === '0b' || prefix === '0o')
    magnitude = BigInt(`0${prefix[1]}${digits.slice(2)}`)
  else if (digits.length > 1 && digits.startsWith('0')) magnitude = BigInt(`0o${digits.slice(1)}`)
  else magnitude = BigInt(digits)
  return sign === '-' ? -magnitude : magnitude
}

/** go-yaml tries time.Parse with four layouts on anything that starts with four digits and '-'. */
function resolveTimestamp(s: string): Resolution | undefined {
  if (!/^[0-9]{4}-/.test(s)) return undefined
  const date = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$/.exec(s)
  if (date) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])]
    const valid = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
    return valid ? { tag: 'timestamp' } : undefined
  }
  if (/^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[Tt ]/.test(s)) {
    return { tag: 'timestamp', uncertain: `"${s}" may be read as a timestamp` }
  }
  return undefined
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

const oldBools = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'on',
  'On',
  'ON',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'off',
  'Off',
  'OFF',
])
const base60Float = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/

/** encode.go stringv: may this string be written without quotes, as far as its meaning goes? */
function canUsePlain(s: string): Resolution & { plain: boolean } {
  const resolved = resolvePlain(s)
  const plain = resolved.tag === 'str' && !base60Float.test(s) && !oldBools.has(s) && s !== '<<'
  return { ...resolved, plain }
}

// ---- scalar analysis (emitterc.go yaml_emitter_analyze_scalar) ---------------------------------

interface ScalarAnalysis {
  multiline: boolean
  blockPlainAllowed: boolean
  singleQuotedAllowed: boolean
  blockAllowed: boolean
}

const isBreak = (c: number) => c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029
const isBlank = (c: number | undefined) => c === 0x20 || c === 0x09
/** go-yaml's is_printable works on UTF-8 bytes and rejects every 4-byte sequence. */
const isPrintable = (c: number) =>
  c === 0x0a ||
  (c >= 0x20 && c <= 0x7e) ||
  (c >= 0xa0 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff)

function analyze(value: string): ScalarAnalysis {
  const cps = [...value].map((ch) => ch.codePointAt(0)!)
  if (cps.length === 0) {
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false }
  }
  let blockIndicators = value.startsWith('---') || value.startsWith('...')
  let lineBreaks = false
  let special = false
  let tabs = false
  let leadingSpace = false
  let leadingBreak = false
  let trailingSpace = false
  let trailingBreak = false
  let breakSpace = false
  let spaceBreak = false
  let precededByWhitespace = true
  let previousSpace = false
  let previousBreak = false
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!
    const followedByWhitespace = i + 1 >= cps.length || isBlank(cps[i + 1])
    const ch = String.fromCodePoint(c)
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true
      else if ((ch === '?' || ch === ':') && followedByWhitespace) blockIndicators = true
      else if (ch === '-' && followedByWhitespace) blockIndicators = true
    } else if (ch === ':' && followedByWhitespace) blockIndicators = true
    else if (ch === '#' && precededByWhitespace) blockIndicators = true

    if (c === 0x09) tabs = true
    else if (!isPrintable(c)) special = true
    if (c === 0x20) {
      if (i === 0) leadingSpace = true
      if (i === cps.length - 1) trailingSpace = true
      if (previousBreak) breakSpace = true
      previousSpace = true
      previousBreak = false
    } else if (isBreak(c)) {
      lineBreaks = true
      if (i === 0) leadingBreak = true
      if (i === cps.length - 1) trailingBreak = true
      if (previousSpace) spaceBreak = true
      previousSpace = false
      previousBreak = true
    } else {
      previousSpace = false
      previousBreak = false
    }
    precededByWhitespace = isBlank(c) || isBreak(c) || c === 0
  }
  let blockPlainAllowed = !(leadingSpace || leadingBreak || trailingSpace || trailingBreak)
  let singleQuotedAllowed = true
  let blockAllowed = !trailingSpace
  if (breakSpace) blockPlainAllowed = singleQuotedAllowed = false
  if (spaceBreak || tabs || special) blockPlainAllowed = singleQuotedAllowed = false
  if (spaceBreak || special) blockAllowed = false
  if (lineBreaks || blockIndicators) blockPlainAllowed = false
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed }
}

type Style = 'plain' | 'single' | 'double' | 'literal'

/** The style go-yaml ends up writing a Go string in (stringv, then the emitter's downgrades). */
export function scalarStyle(value: string, simpleKey = false): { style: Style; uncertain: string[] } {
  const uncertain: string[] = []
  const plainCheck = canUsePlain(value)
  if (plainCheck.uncertain) uncertain.push(plainCheck.uncertain)
  if (value === '<<') uncertain.push('"<<" is quoted by go-yaml v4 but not v3')
  let style: Style
  if (value.includes('\n')) {
    // go-yaml v4 (the factory's since Nov 2025) quotes blank multi-line strings; v3 wrote a block.
    const literal = value.length >= 2 && /\S/u.test(value)
    if (!literal) uncertain.push('a multi-line string of only whitespace')
    style = literal ? 'literal' : 'double'
  } else style = plainCheck.plain ? 'plain' : 'double'

  const analysis = analyze(value)
  if (simpleKey && analysis.multiline) style = 'double'
  if (style === 'plain' && (!analysis.blockPlainAllowed || (value === '' && simpleKey))) style = 'single'
  if (style === 'single' && !analysis.singleQuotedAllowed) style = 'double'
  if (style === 'literal' && (!analysis.blockAllowed || simpleKey)) style = 'double'

  for (const ch of value) {
    const c = ch.codePointAt(0)!
    if (c > 0xffff) uncertain.push('a character outside the Basic Multilingual Plane (e.g. an emoji)')
    else if (isBreak(c) && c !== 0x0a) uncertain.push('a line break other than \\n')
  }
  if (style === 'literal' && /\n\n$/.test(value))
    uncertain.push('a block that keeps several trailing newlines')
  return { style, uncertain }
}

// ---- writer (emitterc.go state machine, reduced to block style) ---------------------------------

/** go-yaml v3 aligns every nested block to the next multiple of the indent step. */
const aligned = (indent: number) => indentStep * Math.floor((indent + indentStep) / indentStep)

class Writer {
  out = ''
  uncertain: string[] = []
  private column = 0
  private whitespace = true
  private indention = true
  private openEnded = false

  blockMapping(entries: ReadonlyArray<readonly [string, YamlNode]>, indent: number): void {
    for (const [key, value] of entries) {
      this.writeIndent(indent)
      if ([...key].length > 128) this.uncertain.push('a mapping key longer than 128 characters')
      this.scalar(key, indent, true)
      this.indicator(':', false)
      this.value(value, aligned(indent), aligned(indent))
    }
  }

  blockSequence(items: readonly YamlNode[], indent: number): void {
    for (const item of items) {
      this.writeIndent(indent)
      this.indicator('-', true, true)
      // Inside a sequence item the next level only skips the "- ".
      this.value(item, indent + 2, indent + 2)
    }
  }

  /** A value after "key:" or "-": nested blocks go at blockIndent, block scalars at scalarIndent. */
  value(node: YamlNode, blockIndent: number, scalarIndent: number): void {
    switch (node.kind) {
      case 'map':
        if (node.entries.length === 0) return this.flowEmpty('{', '}')
        return this.blockMapping(node.entries, blockIndent)
      case 'seq':
        if (node.items.length === 0) return this.flowEmpty('[', ']')
        return this.blockSequence(node.items, blockIndent)
      case 'str':
        return this.scalar(node.value, scalarIndent, false)
      case 'plain':
        return this.writePlain(node.text)
    }
  }

  finish(): void {
    // Document end: a final line break, and "..." when the last block kept its trailing newlines.
    this.writeIndent(0)
    if (this.openEnded) {
      this.indicator('...', true)
      this.writeIndent(0)
    }
  }

  private scalar(value: string, indent: number, simpleKey: boolean): void {
    const { style, uncertain } = scalarStyle(value, simpleKey)
    this.uncertain.push(...uncertain)
    if (style === 'plain') this.writePlain(value)
    else if (style === 'single') this.writeSingle(value)
    else if (style === 'double') this.writeDouble(value)
    else this.writeLiteral(value, indent)
  }

  private flowEmpty(open: string, close: string): void {
    this.indicator(open, true)
    this.indicator(close, false)
  }

  private writeIndent(indent: number): void {
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace))
      this.putBreak()
    while (this.column < indent) this.put(' ')
    this.whitespace = true
  }

  private indicator(text: string, needWhitespace: boolean, isIndention = false): void {
    if (needWhitespace && !this.whitespace) this.put(' ')
    this.put(text)
    this.whitespace = false
    this.indention = this.indention && isIndention
    this.openEnded = false
  }

  private put(text: string): void {
    this.out += text
    this.column += [...text].length
  }

  private putBreak(): void {
    this.out += '\n'
    this.column = 0
    this.indention = true
  }

  private writePlain(value: string): void {
    if (value.length > 0 && !this.whitespace) this.put(' ')
    this.put(value)
    if (value.length > 0) this.whitespace = false
    this.indention = false
  }

  private writeSingle(value: string): void {
    this.indicator("'", true)
    this.put(value.replaceAll("'", "''"))
    this.indicator("'", false)
    this.indention = false
  }

  private writeDouble(value: string): void {
    this.indicator('"', true)
    let text = ''
    for (const ch of value) {
      const c = ch.codePointAt(0)!
      if (!isPrintable(c) || c === 0xfeff || isBreak(c) || ch === '"' || ch === '\\') text += escape(c)
      else text += ch
    }
    this.put(text)
    this.indicator('"', false)
    this.indention = false
  }

  private writeLiteral(value: string, indent: number): void {
    this.indicator('|', true)
    const first = value.codePointAt(0)!
    if (first === 0x20 || isBreak(first)) this.indicator(String(indentStep), false)
    this.openEnded = false
    const chomp = chompIndicator(value)
    if (chomp) this.indicator(chomp, false)
    if (chomp === '+') this.openEnded = true
    this.putBreak()
    this.whitespace = true
    let breaks = true
    for (const ch of value) {
      if (ch === '\n') {
        this.putBreak()
        breaks = true
      } else {
        if (breaks) this.writeIndent(indent)
        this.put(ch)
        this.indention = false
        breaks = false
      }
    }
  }
}

function chompIndicator(value: string): '-' | '+' | '' {
  if (!value.endsWith('\n')) return '-'
  if (value.length === 1 || value.endsWith('\n\n')) return '+'
  return ''
}

const namedEscapes: Record<number, string> = {
  0x00: '0',
  0x07: 'a',
  0x08: 'b',
  0x09: 't',
  0x0a: 'n',
  0x0b: 'v',
  0x0c: 'f',
  0x0d: 'r',
  0x1b: 'e',
  0x22: '"',
  0x5c: '\\',
  0x85: 'N',
  0xa0: '_',
  0x2028: 'L',
  0x2029: 'P',
}

function escape(c: number): string {
  const named = namedEscapes[c]
  if (named !== undefined) return `\\${named}`
  const hex = c.toString(16).toUpperCase()
  if (c <= 0xff) return `\\x${hex.padStart(2, '0')}`
  if (c <= 0xffff) return `\\u${hex.padStart(4, '0')}`
  return `\\U${hex.padStart(8, '0')}`
}

// ---- map key order (sorter.go) -------------------------------------------------------------------

const isLetter = (ch: string) => /\p{L}/u.test(ch)
const isDigit = (ch: string) => /\p{Nd}/u.test(ch)

/** go-yaml's "natural" order of string map keys: digit runs compare as numbers. */
export function naturalKeyLess(a: string, b: string): boolean {
  const ar = [...a]
  const br = [...b]
  let digits = false
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) {
      digits = isDigit(ar[i]!)
      continue
    }
    const al = isLetter(ar[i]!)
    const bl = isLetter(br[i]!)
    if (al && bl) return ar[i]!.codePointAt(0)! < br[i]!.codePointAt(0)!
    if (al || bl) return digits ? al : bl
    let an = 0n
    let bn = 0n
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j--) {
        if (ar[j] !== '0') {
          an = 1n
          bn = 1n
          break
        }
      }
    }
    let ai = i
    let bi = i
    for (; ai < ar.length && isDigit(ar[ai]!); ai++) an = an * 10n + BigInt(ar[ai]!.codePointAt(0)! - 48)
    for (; bi < br.length && isDigit(br[bi]!); bi++) bn = bn * 10n + BigInt(br[bi]!.codePointAt(0)! - 48)
    if (an !== bn) return an < bn
    if (ai !== bi) return ai < bi
    return ar[i]!.codePointAt(0)! < br[i]!.codePointAt(0)!
  }
  return ar.length < br.length
}

export function sortKeysNaturally(keys: readonly string[]): string[] {
  return [...keys].sort((a, b) => (naturalKeyLess(a, b) ? -1 : naturalKeyLess(b, a) ? 1 : 0))
}

// ---- Go number formatting ------------------------------------------------------------------------

/** strconv.FormatFloat(f, 'g', -1, 64) with go-yaml's spellings of infinity and NaN. */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) return '.nan'
  if (value === Infinity) return '.inf'
  if (value === -Infinity) return '-.inf'
  if (value === 0) return Object.is(value, -0) ? '-0' : '0'
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string]
  const exponent = Number(exponentText)
  const negative = mantissa.startsWith('-')
  const digits = mantissa.replace('-', '').replace('.', '')
  let body: string
  // strconv uses %e when the exponent is < -4 or >= 6 for the shortest precision.
  if (exponent < -4 || exponent >= 6) {
    body = `${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`
  } else if (exponent < 0) {
    body = `0.${'0'.repeat(-exponent - 1)}${digits}`
  } else if (digits.length <= exponent + 1) {
    body = digits + '0'.repeat(exponent + 1 - digits.length)
  } else {
    body = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`
  }
  return negative ? `-${body}` : body
}
