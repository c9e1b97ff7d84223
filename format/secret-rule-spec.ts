// The shape of one ported secret-detection rule (see secret-rules.ts, generated).
export interface SecretRuleSpec {
  id: string;
  /** JavaScript regex source; a leading `(?i)` means "compile with the i flag" (and is stripped). */
  src: string;
  /** Lower-case words one of which must occur in the text for the rule to run. */
  keywords: string[];
  /** The capture group holding the secret; default: the first group that matched, else the whole match. */
  group?: number;
  /** Minimum Shannon entropy (bits per character) of the secret. */
  entropy?: number;
  /** Sources of regexes that, matching the secret, mark it as not a secret. */
  allow?: string[];
  /** The same, matched against the whole match. */
  allowMatch?: string[];
  /** Lower-case words that, contained in the secret, mark it as not a secret. */
  stop?: string[];
}
