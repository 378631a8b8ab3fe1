//! Groups tokens into the shapes MLflow accepts, before any key is interpreted: a filter
//! is comparisons joined by `AND`, an order-by clause is a key with an optional
//! `ASC`/`DESC`. This mirrors what MLflow gets from `sqlparse` (`Comparison` tokens and
//! `AND` keywords in `SearchUtils._process_statement`, the `IS [NOT] NULL` comparisons
//! that `_join_in_comparison_tokens` builds, one `Identifier` in
//! `_validate_order_by_and_generate_token`); `runs.rs` and `experiments.rs` then check
//! keys, comparators and values against MLflow's tables.

use super::ast::NullTest;
use super::lexer::{tokenize, Token, TokenKind};
use super::SearchError;

/// A comparison as written: `identifier comparator value` or `identifier IS [NOT] NULL`.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct RawComparison<'a> {
    /// The key as written, e.g. ``metrics.`my key` ``.
    pub identifier: &'a str,
    /// What the key is tested for.
    pub test: RawTest<'a>,
}

/// The part of a comparison after its key.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum RawTest<'a> {
    /// A comparator and a value.
    Compare {
        /// The comparator in upper case (`=`, `LIKE`, `NOT IN`, ...). MLflow upper-cases
        /// comparators before checking them, so `like` is accepted.
        comparator: String,
        /// The value.
        value: RawValue<'a>,
    },
    /// `IS NULL` or `IS NOT NULL`, which take no value. Which keys accept them is for
    /// `runs.rs` and `experiments.rs` to say.
    Null(NullTest),
}

/// A comparison's right-hand side.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum RawValue<'a> {
    /// A number literal.
    Number {
        /// The literal as written.
        text: &'a str,
        /// Whether it has neither a fraction nor an exponent.
        integer: bool,
    },
    /// A `'...'` literal, quotes included.
    SingleQuoted(&'a str),
    /// A bare or double-quoted name (sqlparse's `Identifier`), e.g. `"abc"` or `abc`.
    Identifier(&'a str),
    /// The bare keyword `NULL`, as written (any case). sqlparse makes it a `Keyword`, not
    /// an `Identifier`, so MLflow refuses it as a value with "Expected a quoted string
    /// value ..." rather than its unquoted-string message.
    Null(&'a str),
    /// A parenthesized list, as written, and what it holds.
    List {
        /// The list as written, parentheses included.
        text: &'a str,
        /// The items, or why they are not a list of strings.
        items: ListItems<'a>,
    },
}

impl<'a> RawValue<'a> {
    /// Returns the value as written, as MLflow quotes it in errors.
    pub fn text(&self) -> &'a str {
        match self {
            RawValue::Number { text, .. }
            | RawValue::SingleQuoted(text)
            | RawValue::Identifier(text)
            | RawValue::Null(text)
            | RawValue::List { text, .. } => text,
        }
    }
}

/// What a parenthesized list holds.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum ListItems<'a> {
    /// `'a', 'b'`: the strings between their quotes.
    Strings(Vec<&'a str>),
    /// `()`
    Empty,
    /// Not a comma-separated list of single-quoted strings, e.g. `('a' 'b')`, `(1)`.
    IllFormed,
    /// A comma-separated list with a non-string item, e.g. `('a', 1)`.
    NonString,
}

/// Returns the strings of a list value, or MLflow's complaint about the list
/// (`SearchUtils._check_valid_identifier_list`).
pub(super) fn list_strings(text: &str, items: &ListItems<'_>) -> Result<Vec<String>, SearchError> {
    let message = match items {
        ListItems::Strings(strings) => {
            return Ok(strings.iter().map(|s| (*s).to_owned()).collect())
        }
        ListItems::Empty => "While parsing a list in the query, expected a non-empty list of \
                             string values, but got empty list"
            .to_owned(),
        ListItems::IllFormed => "While parsing a list in the query, expected a non-empty list \
                                 of string values, but got ill-formed list."
            .to_owned(),
        ListItems::NonString => format!(
            "While parsing a list in the query, expected string value, punctuation, or \
             whitespace, but got different type in list: {text}"
        ),
    };
    Err(SearchError(message))
}

/// How an invalid clause is quoted in "Invalid clause(s) in filter string": the run
/// search quotes each (`'OR'`), the experiment search does not.
#[derive(Clone, Copy, Debug)]
pub(super) enum ClauseQuoting {
    /// `'OR', 'x'`
    Quoted,
    /// `OR, x`
    Bare,
}

enum Item<'a> {
    And,
    Comparison(RawComparison<'a>, &'a str),
    Invalid(&'a str),
}

/// Splits a filter into its comparisons. An empty or blank filter has none.
pub(super) fn parse_filter(
    filter: &str,
    quoting: ClauseQuoting,
) -> Result<Vec<RawComparison<'_>>, SearchError> {
    let tokens = tokenize(filter)?;
    let paren_ends = paren_ends(&tokens);
    let mut items = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        if token.is_keyword("AND") {
            items.push(Item::And);
            i += 1;
        } else if token.kind == TokenKind::Semicolon && i + 1 < tokens.len() {
            // sqlparse splits at `;` into several statements.
            return Err(SearchError(format!(
                "Search filter contained multiple expression '{filter}'. \
                 Provide AND-ed expression list."
            )));
        } else if let Some((comparison, next)) = comparison_at(filter, &tokens, &paren_ends, i) {
            items.push(Item::Comparison(
                comparison,
                &filter[token.start..tokens[next - 1].end],
            ));
            i = next;
        } else {
            let next = group_end(&tokens, &paren_ends, i);
            items.push(Item::Invalid(&filter[token.start..tokens[next - 1].end]));
            i = next;
        }
    }

    // Comparisons must alternate with single ANDs. MLflow's sqlparse-based check lets a
    // stray AND through (`a = 1 AND`); we reject it as the malformed input it is.
    let mut invalid = Vec::new();
    let mut comparisons = Vec::new();
    let mut expect_comparison = true;
    let mut trailing_and = false;
    for item in items {
        match item {
            Item::And if expect_comparison => invalid.push("AND"),
            Item::And => {
                expect_comparison = true;
                trailing_and = true;
            }
            Item::Comparison(comparison, text) => {
                if !expect_comparison {
                    invalid.push(text);
                }
                comparisons.push(comparison);
                expect_comparison = false;
                trailing_and = false;
            }
            Item::Invalid(text) => {
                // Already reported; do not also blame its neighbours.
                invalid.push(text);
                expect_comparison = true;
                trailing_and = false;
            }
        }
    }
    if trailing_and {
        invalid.push("AND");
    }
    if !invalid.is_empty() {
        let list: Vec<String> = invalid
            .iter()
            .map(|text| match quoting {
                ClauseQuoting::Quoted => format!("'{text}'"),
                ClauseQuoting::Bare => (*text).to_owned(),
            })
            .collect();
        return Err(SearchError(format!(
            "Invalid clause(s) in filter string: {}",
            list.join(", ")
        )));
    }
    Ok(comparisons)
}

/// Returns the index just past the dotted name starting at `i`, if one does: name parts
/// joined by adjacent dots, ending with a part.
fn name_end(tokens: &[Token<'_>], i: usize) -> Option<usize> {
    if !tokens.get(i)?.is_name_part() {
        return None;
    }
    let mut end = i + 1;
    while tokens.get(end).is_some_and(|t| t.kind == TokenKind::Dot) {
        if !tokens.get(end + 1).is_some_and(|t| t.is_name_part()) {
            return None;
        }
        end += 2;
    }
    Some(end)
}

/// For each `(`, the index just past its matching `)`, if it closes. One pass, so a
/// filter of many unbalanced parentheses costs linear time.
fn paren_ends(tokens: &[Token<'_>]) -> Vec<Option<usize>> {
    let mut ends = vec![None; tokens.len()];
    let mut open = Vec::new();
    for (j, token) in tokens.iter().enumerate() {
        match token.kind {
            TokenKind::LParen => open.push(j),
            TokenKind::RParen => {
                if let Some(start) = open.pop() {
                    ends[start] = Some(j + 1);
                }
            }
            _ => {}
        }
    }
    ends
}

/// Returns the end of the token group reported as one invalid clause: `NOT NULL`
/// (one keyword to sqlparse, so MLflow reports `'NOT NULL'`), a dotted name, a
/// parenthesized group, or one token.
fn group_end(tokens: &[Token<'_>], paren_ends: &[Option<usize>], i: usize) -> usize {
    if tokens[i].is_keyword("NOT") && tokens.get(i + 1).is_some_and(|t| t.is_keyword("NULL")) {
        return i + 2;
    }
    name_end(tokens, i).or(paren_ends[i]).unwrap_or(i + 1)
}

/// Reads `IS NULL` or `IS NOT NULL` at `i`, in any case; returns the test with the index
/// past it.
///
/// `IS NOT NULL` needs exactly one space between `NOT` and `NULL`, as in MLflow: sqlparse
/// lexes `NOT\s+NULL` as one keyword and `_join_in_comparison_tokens` accepts it only
/// when its text upper-cases to `"NOT NULL"`, so `IS NOT  NULL` is an invalid clause
/// there. Between the other words any whitespace goes.
fn null_test_at(input: &str, tokens: &[Token<'_>], i: usize) -> Option<(NullTest, usize)> {
    if !tokens.get(i)?.is_keyword("IS") {
        return None;
    }
    let next = tokens.get(i + 1)?;
    if next.is_keyword("NULL") {
        return Some((NullTest::IsNull, i + 2));
    }
    let null = tokens.get(i + 2)?;
    (next.is_keyword("NOT") && null.is_keyword("NULL") && &input[next.end..null.start] == " ")
        .then_some((NullTest::IsNotNull, i + 3))
}

/// Reads the comparator at `i`: an operator run, `[NOT] LIKE|ILIKE|RLIKE`, `IN` or
/// `NOT IN`. Returns it upper-cased with the index past it.
fn comparator_at(tokens: &[Token<'_>], i: usize) -> Option<(String, usize)> {
    let token = tokens.get(i)?;
    if token.kind == TokenKind::Operator {
        return Some((token.text.to_owned(), i + 1));
    }
    let is_like = |t: &Token<'_>| ["LIKE", "ILIKE", "RLIKE"].iter().any(|k| t.is_keyword(k));
    if is_like(token) || token.is_keyword("IN") {
        return Some((token.text.to_ascii_uppercase(), i + 1));
    }
    if token.is_keyword("NOT") {
        let next = tokens.get(i + 1)?;
        if is_like(next) || next.is_keyword("IN") {
            return Some((format!("NOT {}", next.text.to_ascii_uppercase()), i + 2));
        }
    }
    None
}

fn comparison_at<'a>(
    input: &'a str,
    tokens: &[Token<'a>],
    paren_ends: &[Option<usize>],
    i: usize,
) -> Option<(RawComparison<'a>, usize)> {
    let ident_end = name_end(tokens, i)?;
    // sqlparse lexes a lone `IS`, `NOT` or `NULL` as a keyword, never as a key, so
    // `NOT IS NULL` is three invalid clauses there, not a test of an attribute `NOT`.
    if ident_end == i + 1
        && ["IS", "NOT", "NULL"]
            .iter()
            .any(|k| tokens[i].is_keyword(k))
    {
        return None;
    }
    let identifier = &input[tokens[i].start..tokens[ident_end - 1].end];
    if let Some((test, end)) = null_test_at(input, tokens, ident_end) {
        let test = RawTest::Null(test);
        return Some((RawComparison { identifier, test }, end));
    }
    let (comparator, value_start) = comparator_at(tokens, ident_end)?;
    let first = tokens.get(value_start)?;
    let (value, end) = match first.kind {
        TokenKind::Number { integer } => (
            RawValue::Number {
                text: first.text,
                integer,
            },
            value_start + 1,
        ),
        TokenKind::SingleQuoted => (RawValue::SingleQuoted(first.text), value_start + 1),
        TokenKind::LParen => {
            let end = paren_ends[value_start]?;
            let text = &input[first.start..tokens[end - 1].end];
            let items = list_items(&tokens[value_start + 1..end - 1]);
            (RawValue::List { text, items }, end)
        }
        _ if first.is_keyword("AND") || first.is_keyword("OR") => return None,
        _ => {
            let end = name_end(tokens, value_start)?;
            let text = &input[first.start..tokens[end - 1].end];
            if end == value_start + 1 && first.is_keyword("NULL") {
                (RawValue::Null(text), end)
            } else {
                (RawValue::Identifier(text), end)
            }
        }
    };
    // `IN` takes a list and a list goes with `IN`; otherwise sqlparse would not have
    // grouped the tokens into one comparison.
    let is_in = comparator == "IN" || comparator == "NOT IN";
    if is_in != matches!(value, RawValue::List { .. }) {
        return None;
    }
    let test = RawTest::Compare { comparator, value };
    Some((RawComparison { identifier, test }, end))
}

fn list_items<'a>(inner: &[Token<'a>]) -> ListItems<'a> {
    if inner.is_empty() {
        return ListItems::Empty;
    }
    if let [single] = inner {
        return if single.kind == TokenKind::SingleQuoted {
            ListItems::Strings(vec![single.unquoted()])
        } else {
            ListItems::IllFormed
        };
    }
    if !inner.iter().any(|t| t.kind == TokenKind::Comma) {
        return ListItems::IllFormed;
    }
    if inner
        .iter()
        .any(|t| !matches!(t.kind, TokenKind::Comma | TokenKind::SingleQuoted))
    {
        return ListItems::NonString;
    }
    // Strings and commas only: demand `'a', 'b'` with an optional trailing comma.
    let mut strings = Vec::new();
    for (k, token) in inner.iter().enumerate() {
        let want_string = k % 2 == 0;
        match (want_string, token.kind) {
            (true, TokenKind::SingleQuoted) => strings.push(token.unquoted()),
            (false, TokenKind::Comma) => {}
            _ => return ListItems::IllFormed,
        }
    }
    ListItems::Strings(strings)
}

/// One order-by clause as written: the key with quotes removed (as MLflow's `shlex`
/// split leaves it, e.g. `metrics.my key`) and the direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct RawOrderBy {
    /// The key, e.g. `metrics.acc`.
    pub identifier: String,
    /// `true` unless `DESC` was given.
    pub ascending: bool,
}

/// Parses one order-by clause: a dotted key, optionally followed by `ASC` or `DESC`
/// (`SearchUtils._parse_order_by_string`).
pub(super) fn parse_order_by(clause: &str) -> Result<RawOrderBy, SearchError> {
    let unparsable = || {
        SearchError(format!(
            "Invalid order_by clause '{clause}'. Could not be parsed."
        ))
    };
    let tokens = tokenize(clause).map_err(|_| unparsable())?;
    let end = name_end(&tokens, 0).ok_or_else(unparsable)?;
    let identifier = tokens[..end]
        .iter()
        .map(|t| {
            if t.kind == TokenKind::Dot {
                "."
            } else {
                t.unquoted()
            }
        })
        .collect::<String>();
    let ascending = match &tokens[end..] {
        [] => true,
        [direction] if direction.kind == TokenKind::Word => {
            match direction.text.to_ascii_lowercase().as_str() {
                "asc" => true,
                "desc" => false,
                _ => {
                    return Err(SearchError(format!(
                        "Invalid ordering key in order_by clause '{clause}'."
                    )))
                }
            }
        }
        _ => return Err(unparsable()),
    };
    Ok(RawOrderBy {
        identifier,
        ascending,
    })
}

/// Splits a key as MLflow does (`identifier.split(".", 1)`): the entity type before the
/// first dot, or `None` when there is no dot.
pub(super) fn split_identifier(identifier: &str) -> (Option<&str>, &str) {
    match identifier.split_once('.') {
        Some((entity, key)) => (Some(entity), key),
        None => (None, identifier),
    }
}

/// Removes one pair of surrounding `'` or `"`, then one pair of backquotes, from a key
/// (`SearchUtils._trim_backticks(SearchUtils._strip_quotes(key))`).
pub(super) fn unquote_key(key: &str) -> &str {
    let key = strip_pair(key, '\'')
        .or_else(|| strip_pair(key, '"'))
        .unwrap_or(key);
    strip_pair(key, '`').unwrap_or(key)
}

/// Removes surrounding backquotes (`SearchUtils._trim_backticks`).
pub(super) fn trim_backticks(text: &str) -> &str {
    strip_pair(text, '`').unwrap_or(text)
}

fn strip_pair(text: &str, quote: char) -> Option<&str> {
    (text.len() >= 2 && text.starts_with(quote) && text.ends_with(quote))
        .then(|| &text[1..text.len() - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(filter: &str) -> RawComparison<'_> {
        let mut all = parse_filter(filter, ClauseQuoting::Quoted).expect(filter);
        assert_eq!(all.len(), 1, "{filter}");
        all.remove(0)
    }

    /// The comparator and value of the one comparison in `filter`.
    fn compare(filter: &str) -> (String, RawValue<'_>) {
        match one(filter).test {
            RawTest::Compare { comparator, value } => (comparator, value),
            RawTest::Null(test) => panic!("{filter}: a null test, {test:?}"),
        }
    }

    #[test]
    fn groups_comparisons() {
        let c = one("metrics.`my key` NOT IN ('a', 'b',)");
        assert_eq!(c.identifier, "metrics.`my key`");
        assert_eq!(
            c.test,
            RawTest::Compare {
                comparator: "NOT IN".to_owned(),
                value: RawValue::List {
                    text: "('a', 'b',)",
                    items: ListItems::Strings(vec!["a", "b"])
                }
            }
        );
        assert_eq!(compare("tags.x not like 'a%'").0, "NOT LIKE");
        assert_eq!(compare("x == 1").0, "==");
        assert_eq!(compare("x = abc.d").1, RawValue::Identifier("abc.d"));
        assert_eq!(compare("x = null").1, RawValue::Null("null"));
        assert_eq!(compare("x = NULL.a").1, RawValue::Identifier("NULL.a"));
        assert_eq!(compare("x = \"NULL\"").1, RawValue::Identifier("\"NULL\""));
    }

    #[test]
    fn groups_null_tests() {
        let null = |filter| match one(filter) {
            RawComparison {
                identifier,
                test: RawTest::Null(test),
            } => (identifier, test),
            other => panic!("{filter}: not a null test: {other:?}"),
        };
        use NullTest::*;
        assert_eq!(null("params.lr IS NULL"), ("params.lr", IsNull));
        assert_eq!(null("params.lr is\tnull"), ("params.lr", IsNull));
        assert_eq!(null("tags.`a b` Is Not Null"), ("tags.`a b`", IsNotNull));
        assert_eq!(null("tags.a.b IS\nNOT NULL"), ("tags.a.b", IsNotNull));
        assert_eq!(null("x IS NULL"), ("x", IsNull));
        let all = parse_filter(
            "a IS NULL AND b = 'x' AND c IS NOT NULL",
            ClauseQuoting::Bare,
        )
        .expect("three comparisons");
        assert_eq!(all.len(), 3);
        assert_eq!(all[2].test, RawTest::Null(IsNotNull));
    }

    #[test]
    fn classifies_lists() {
        let items = |filter| match compare(filter).1 {
            RawValue::List { items, .. } => items,
            other => panic!("not a list: {other:?}"),
        };
        assert_eq!(items("run_id IN ()"), ListItems::Empty);
        assert_eq!(items("run_id IN ('a' 'b')"), ListItems::IllFormed);
        assert_eq!(items("run_id IN (1)"), ListItems::IllFormed);
        assert_eq!(items("run_id IN ('a',,'b')"), ListItems::IllFormed);
        assert_eq!(items("run_id IN ('a', 1)"), ListItems::NonString);
        assert_eq!(items("run_id IN (\"a\", \"b\")"), ListItems::NonString);
    }

    #[test]
    fn reports_invalid_clauses_in_order() {
        let err = |filter| {
            parse_filter(filter, ClauseQuoting::Quoted)
                .expect_err(filter)
                .0
        };
        assert_eq!(
            err("metrics.a > 1 OR metrics.b < 2"),
            "Invalid clause(s) in filter string: 'OR'"
        );
        assert_eq!(
            err("metrics.a >"),
            "Invalid clause(s) in filter string: 'metrics.a', '>'"
        );
        assert_eq!(
            err("(metrics.a > 1)"),
            "Invalid clause(s) in filter string: '(metrics.a > 1)'"
        );
        assert_eq!(
            err("metrics.a > 1 metrics.b < 2"),
            "Invalid clause(s) in filter string: 'metrics.b < 2'"
        );
        assert_eq!(
            err("AND metrics.a > 1"),
            "Invalid clause(s) in filter string: 'AND'"
        );
        assert_eq!(
            err("metrics.a > 1 AND"),
            "Invalid clause(s) in filter string: 'AND'"
        );
        assert_eq!(
            err("metrics.a > 1; metrics.b < 2"),
            "Search filter contained multiple expression 'metrics.a > 1; metrics.b < 2'. \
             Provide AND-ed expression list."
        );
        // `IS` forms that are no comparison, listed as sqlparse tokenizes them.
        assert_eq!(
            err("a IS 'x'"),
            "Invalid clause(s) in filter string: 'a', 'IS', ''x''"
        );
        assert_eq!(
            err("a IS NOT  NULL"),
            "Invalid clause(s) in filter string: 'a', 'IS', 'NOT  NULL'"
        );
        assert_eq!(
            parse_filter("a NOT NULL", ClauseQuoting::Bare)
                .expect_err("NOT NULL")
                .0,
            "Invalid clause(s) in filter string: a, NOT NULL"
        );
    }

    #[test]
    fn parses_order_by_clauses() {
        let ok = |clause| parse_order_by(clause).expect(clause);
        assert_eq!(ok("metrics.`my key` desc").identifier, "metrics.my key");
        assert!(!ok("metrics.`my key` desc").ascending);
        assert!(ok("start_time ASC").ascending);
        assert!(ok("tags.\"a.b\"").ascending);
        let err = |clause| parse_order_by(clause).expect_err(clause).0;
        assert_eq!(
            err("start_time up"),
            "Invalid ordering key in order_by clause 'start_time up'."
        );
        for bad in ["", "a b c", "metrics.", "'x'", "a DESC;"] {
            assert_eq!(
                err(bad),
                format!("Invalid order_by clause '{bad}'. Could not be parsed.")
            );
        }
    }

    #[test]
    fn unquotes_keys_like_mlflow() {
        assert_eq!(unquote_key("`my key`"), "my key");
        assert_eq!(unquote_key("\"my key\""), "my key");
        assert_eq!(unquote_key("'`x`'"), "x");
        assert_eq!(unquote_key("`"), "`");
        assert_eq!(
            split_identifier("tags.mlflow.runName"),
            (Some("tags"), "mlflow.runName")
        );
    }
}
