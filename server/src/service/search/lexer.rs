//! Splits a filter or order-by string into tokens, following the parts of `sqlparse`'s
//! lexer that MLflow's search grammar relies on (mlflow `mlflow/utils/search_utils.py`
//! feeds every filter through `sqlparse.parse`).
//!
//! Tokens borrow their text from the input, quotes included, because MLflow's error
//! messages quote tokens as the user wrote them ("Found 'abc'").

use super::SearchError;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TokenKind {
    /// A bare word: letters, digits, `_` (and `$`, `#` after the first character).
    /// Keywords (`AND`, `IN`, `LIKE`, ...) are words too; the parser decides by position.
    Word,
    /// A number literal; `integer` when it has neither a fraction nor an exponent.
    Number { integer: bool },
    /// A `'...'` string literal (sqlparse's `String.Single`).
    SingleQuoted,
    /// A `"..."` symbol: a quoted key, or a string value (MLflow accepts both).
    DoubleQuoted,
    /// A `` `...` `` quoted name.
    Backquoted,
    /// `.` joining the parts of a dotted identifier such as `metrics.acc`.
    Dot,
    /// `,`
    Comma,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `;`, which sqlparse treats as the end of a statement.
    Semicolon,
    /// A run of `<`, `>`, `=`, `!`, `~` (sqlparse's `Operator.Comparison`).
    Operator,
    /// Any other single character (`+`, `-`, `*`, `@`, ...).
    Other,
}

/// One token and where it sits in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Token<'a> {
    /// What the token is.
    pub kind: TokenKind,
    /// The token's text as written, quotes included.
    pub text: &'a str,
    /// Byte offset of the token's first character.
    pub start: usize,
    /// Byte offset just past the token.
    pub end: usize,
}

impl<'a> Token<'a> {
    /// Returns whether this is the bare word `keyword`, compared case-insensitively as
    /// SQL keywords are.
    pub fn is_keyword(&self, keyword: &str) -> bool {
        self.kind == TokenKind::Word && self.text.eq_ignore_ascii_case(keyword)
    }

    /// Returns whether the token can be one part of a dotted identifier.
    pub fn is_name_part(&self) -> bool {
        matches!(
            self.kind,
            TokenKind::Word | TokenKind::DoubleQuoted | TokenKind::Backquoted
        )
    }

    /// Returns the text between the quotes of a quoted token, unchanged: MLflow strips
    /// the outer quotes and leaves escapes such as `''` as written
    /// (`SearchUtils._strip_quotes`).
    pub fn unquoted(&self) -> &'a str {
        match self.kind {
            TokenKind::SingleQuoted | TokenKind::DoubleQuoted | TokenKind::Backquoted => {
                &self.text[1..self.text.len() - 1]
            }
            _ => self.text,
        }
    }
}

fn is_word_start(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_word_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || c == '#'
}

fn is_operator_char(c: char) -> bool {
    matches!(c, '<' | '>' | '=' | '!' | '~')
}

/// Splits `input` into tokens, dropping whitespace.
///
/// Fails only on an unterminated quoted string or name.
pub(super) fn tokenize(input: &str) -> Result<Vec<Token<'_>>, SearchError> {
    let bytes = input.as_bytes();
    let mut tokens: Vec<Token<'_>> = Vec::new();
    let mut pos = 0;
    while let Some(c) = input[pos..].chars().next() {
        let start = pos;
        if c.is_whitespace() {
            pos += c.len_utf8();
            continue;
        }
        // A part right after a `.` that follows a name is a name even when it starts
        // with a digit (`metrics.1st`), as in sqlparse's dotted-name rule.
        let after_dot =
            matches!(tokens.last(), Some(t) if t.kind == TokenKind::Dot && t.end == start);
        let follows_name = matches!(tokens.last(), Some(t) if t.is_name_part() && t.end == start);
        let (kind, end) = match c {
            '\'' | '"' | '`' => (quoted_kind(c), scan_quoted(input, start, c)?),
            '.' if follows_name => (TokenKind::Dot, start + 1),
            ',' => (TokenKind::Comma, start + 1),
            '(' => (TokenKind::LParen, start + 1),
            ')' => (TokenKind::RParen, start + 1),
            ';' => (TokenKind::Semicolon, start + 1),
            c if is_operator_char(c) => {
                let len = input[start..]
                    .chars()
                    .take_while(|&c| is_operator_char(c))
                    .count();
                (TokenKind::Operator, start + len)
            }
            c if after_dot && is_word_start(c) => (TokenKind::Word, scan_word(input, start)),
            c if c.is_ascii_digit() || c == '-' || c == '.' => match scan_number(bytes, start) {
                Some((end, integer)) => match input[end..].chars().next() {
                    // `1abc` is a word, not a number followed by a word.
                    Some(next) if is_word_continue(next) && c.is_ascii_digit() => {
                        (TokenKind::Word, scan_word(input, start))
                    }
                    _ => (TokenKind::Number { integer }, end),
                },
                None => (TokenKind::Other, start + 1),
            },
            c if is_word_start(c) => (TokenKind::Word, scan_word(input, start)),
            c => (TokenKind::Other, start + c.len_utf8()),
        };
        tokens.push(Token {
            kind,
            text: &input[start..end],
            start,
            end,
        });
        pos = end;
    }
    Ok(tokens)
}

fn quoted_kind(quote: char) -> TokenKind {
    match quote {
        '\'' => TokenKind::SingleQuoted,
        '"' => TokenKind::DoubleQuoted,
        _ => TokenKind::Backquoted,
    }
}

/// Returns the end of the quoted token starting at `start`. A doubled quote, or (for
/// `'` and `"`) a backslash-escaped one, stays inside the token, as in sqlparse.
fn scan_quoted(input: &str, start: usize, quote: char) -> Result<usize, SearchError> {
    let bytes = input.as_bytes();
    let q = quote as u8;
    let mut i = start + 1;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\\' && quote != '`' && i + 1 < bytes.len() {
            i += 2;
        } else if b == q {
            if bytes.get(i + 1) == Some(&q) {
                i += 2;
            } else {
                return Ok(i + 1);
            }
        } else {
            i += 1;
        }
    }
    Err(SearchError(format!(
        "Invalid clause(s) in filter string: unterminated quoted text {}",
        &input[start..]
    )))
}

fn scan_word(input: &str, start: usize) -> usize {
    start
        + input[start..]
            .char_indices()
            .find(|&(_, c)| !is_word_continue(c))
            .map_or(input.len() - start, |(i, _)| i)
}

/// Scans `-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?` at `start`; returns its end and whether
/// it is an integer, or `None` when no number starts here.
fn scan_number(bytes: &[u8], start: usize) -> Option<(usize, bool)> {
    let digits = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut i = start;
    if bytes.get(i) == Some(&b'-') {
        i += 1;
    }
    let int_end = digits(i);
    let mut integer = true;
    let mut end = int_end;
    if bytes.get(end) == Some(&b'.') {
        let frac_end = digits(end + 1);
        if int_end == i && frac_end == end + 1 {
            return None; // a lone `.` or `-.`
        }
        integer = false;
        end = frac_end;
    } else if int_end == i {
        return None; // a lone `-`
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let mut j = end + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let exp_end = digits(j);
        if exp_end > j {
            integer = false;
            end = exp_end;
        }
    }
    Some((end, integer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(input: &str) -> Vec<(TokenKind, &str)> {
        tokenize(input)
            .expect("tokenizes")
            .into_iter()
            .map(|t| (t.kind, t.text))
            .collect()
    }

    #[test]
    fn splits_a_comparison() {
        use TokenKind::*;
        assert_eq!(
            kinds("metrics.acc>=0.5 AND tags.`a b` != 'x''y'"),
            vec![
                (Word, "metrics"),
                (Dot, "."),
                (Word, "acc"),
                (Operator, ">="),
                (Number { integer: false }, "0.5"),
                (Word, "AND"),
                (Word, "tags"),
                (Dot, "."),
                (Backquoted, "`a b`"),
                (Operator, "!="),
                (SingleQuoted, "'x''y'"),
            ]
        );
    }

    #[test]
    fn reads_numbers_like_sqlparse() {
        use TokenKind::*;
        assert_eq!(kinds("-1"), vec![(Number { integer: true }, "-1")]);
        assert_eq!(kinds(".5"), vec![(Number { integer: false }, ".5")]);
        assert_eq!(kinds("1e-3"), vec![(Number { integer: false }, "1e-3")]);
        assert_eq!(kinds("1abc"), vec![(Word, "1abc")]);
        assert_eq!(
            kinds("metrics.1st"),
            vec![(Word, "metrics"), (Dot, "."), (Word, "1st")]
        );
        assert_eq!(kinds("- x"), vec![(Other, "-"), (Word, "x")]);
    }

    #[test]
    fn keeps_unicode_words_whole() {
        assert_eq!(kinds("精度_1"), vec![(TokenKind::Word, "精度_1")]);
    }

    #[test]
    fn rejects_unterminated_quotes() {
        for input in ["'abc", "tags.x = \"abc", "`abc", "'it''s", "'a\\'"] {
            let err = tokenize(input).expect_err(input);
            assert!(
                err.0.starts_with("Invalid clause(s) in filter string"),
                "{err}"
            );
        }
    }
}
