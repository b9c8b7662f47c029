/**
 * Readers of the names in Node's text forms of a certificate (`X509Certificate.subjectAltName`
 * and `.subject`). Node 20 has no structured accessors for them.
 * @internal
 */

/** One subject alternative name: `type` as Node prints it (`DNS`, `URI`, `IP Address`, `email`, ...). */
export interface SubjectAltName {
  readonly type: string;
  readonly value: string;
}

/**
 * Splits `X509Certificate.subjectAltName` (`DNS:a.example, URI:spiffe://td/x`) into its names.
 * Node writes a value that contains `,`, `"`, `\`, `'` or control characters as a JSON string
 * (`URI:"urn:a\u002cb"`), so a raw value never contains a comma and a quoted one is decoded with
 * JSON rules.
 *
 * @returns the names, or `undefined` when the text does not have that shape
 */
export function parseSubjectAltNames(text: string | undefined): SubjectAltName[] | undefined {
  if (text === undefined || text === '') return [];
  const names: SubjectAltName[] = [];
  let at = 0;
  while (at < text.length) {
    const colon = text.indexOf(':', at);
    if (colon === -1) return undefined;
    const type = text.slice(at, colon);
    let value: string;
    let end: number;
    if (text[colon + 1] === '"') {
      end = closingQuote(text, colon + 2);
      if (end === -1) return undefined;
      end += 1;
      try {
        value = JSON.parse(text.slice(colon + 1, end)) as string;
      } catch {
        return undefined;
      }
    } else {
      end = text.indexOf(',', colon + 1);
      if (end === -1) end = text.length;
      value = text.slice(colon + 1, end);
    }
    names.push({ type, value });
    if (end === text.length) break;
    if (text.slice(end, end + 2) !== ', ') return undefined;
    at = end + 2;
  }
  return names;
}

/** Index of the quote that closes a JSON string whose content starts at `from`, or -1. */
function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/**
 * The common names (`CN`) of `X509Certificate.subject`, unescaped. Node prints one attribute per
 * line (`C=US\nO=Acme\nCN=billing`), several attributes of one RDN joined by ` + `, and escapes
 * special characters RFC 4514 style (`\,` `\+` `\"`, `\0A` for control characters).
 *
 * @returns the common names, in order, or `undefined` when an escape is malformed
 */
export function commonNames(subject: string | undefined): string[] | undefined {
  if (subject === undefined || subject === '') return [];
  const names: string[] = [];
  for (const line of subject.split('\n')) {
    const attributes = splitUnescaped(line, ' + ');
    for (const attribute of attributes) {
      const equals = attribute.indexOf('=');
      if (equals === -1) return undefined;
      if (attribute.slice(0, equals) !== 'CN') continue;
      const value = unescapeValue(attribute.slice(equals + 1));
      if (value === undefined) return undefined;
      names.push(value);
    }
  }
  return names;
}

/** Splits on `separator` where its first character is not escaped with a backslash. */
function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
    } else if (text.startsWith(separator, i)) {
      parts.push(text.slice(start, i));
      start = i + separator.length;
      i = start - 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Undoes RFC 4514 §2.4 escaping: `\` before a special character, or `\HH` for a byte. */
function unescapeValue(value: string): string | undefined {
  if (!value.includes('\\')) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const char = String.fromCodePoint(value.codePointAt(i) as number);
    if (char !== '\\') {
      bytes.push(...Buffer.from(char, 'utf8'));
      i += char.length - 1;
      continue;
    }
    const next = value.slice(i + 1, i + 3);
    if (/^[0-9A-Fa-f]{2}$/.test(next)) {
      bytes.push(Number.parseInt(next, 16));
      i += 2;
    } else if (i + 1 < value.length) {
      const escaped = String.fromCodePoint(value.codePointAt(i + 1) as number);
      bytes.push(...Buffer.from(escaped, 'utf8'));
      i += escaped.length;
    } else {
      return undefined;
    }
  }
  const decoded = Buffer.from(bytes).toString('utf8');
  return decoded.includes('\uFFFD') ? undefined : decoded;
}
