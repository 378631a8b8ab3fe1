// Search-box text as MLflow filters on `name`, for the experiments and models lists.
// The server's lexer keeps escapes as written (MLflow `_strip_quotes`), so instead of
// escaping, a literal is wrapped in whichever quote it does not contain.

/** Quotes a string literal for MLflow's filter language. */
export function quoteLiteral(text: string): string {
  if (!text.includes("'")) return `'${text}'`
  if (!text.includes('"')) return `"${text}"`
  // Both quotes inside: neither can be written, so match any character in their place.
  return `'${text.replaceAll("'", '_')}'`
}

/** Returns `name ILIKE '%text%'` for a search text, or undefined for a blank one. */
export function nameContainsFilter(text: string): string | undefined {
  const needle = text.trim()
  return needle ? `name ILIKE ${quoteLiteral(`%${needle}%`)}` : undefined
}

/** Returns `name = 'X'`, e.g. to list the versions of one registered model. */
export function nameEqualsFilter(name: string): string {
  // With both quotes in the name only LIKE can carry the wildcard that stands for them.
  const op = name.includes("'") && name.includes('"') ? 'LIKE' : '='
  return `name ${op} ${quoteLiteral(name)}`
}
