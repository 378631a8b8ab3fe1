//! Checks a comparison's value against what its key accepts, with MLflow's messages
//! (`SearchUtils._get_value` and `_strip_quotes` in mlflow `mlflow/utils/search_utils.py`),
//! and renders Python reprs that MLflow's messages embed.

use super::ast::{Number, StringPredicate};
use super::parser::RawValue;
use super::SearchError;

/// The value of a string comparison: one string, or a checked list.
pub(super) enum StringValue {
    /// A quoted string, quotes removed.
    Scalar(String),
    /// A non-empty list of strings.
    List(Vec<String>),
}

/// Returns a numeric value, or `None` when the value is not a number literal.
pub(super) fn number(value: &RawValue<'_>) -> Option<Number> {
    match value {
        RawValue::Number { text, integer } => Number::parse(text, *integer),
        _ => None,
    }
}

/// Returns the string of a `'...'` or `"..."` value. A bare name is refused with
/// MLflow's message; `None` means the value is no string at all (a number, a list or
/// `NULL`).
pub(super) fn quoted_string(value: &RawValue<'_>) -> Option<Result<String, SearchError>> {
    match value {
        RawValue::SingleQuoted(text) | RawValue::Identifier(text) => Some(strip_quotes(text)),
        RawValue::Number { .. } | RawValue::List { .. } | RawValue::Null(_) => None,
    }
}

fn strip_quotes(text: &str) -> Result<String, SearchError> {
    let quoted = |q: char| text.len() >= 2 && text.starts_with(q) && text.ends_with(q);
    if quoted('\'') || quoted('"') {
        Ok(text[1..text.len() - 1].to_owned())
    } else {
        Err(SearchError(format!(
            "Parameter value is either not quoted or unidentified quote types used for \
             string value {text}. Use either single or double quotes."
        )))
    }
}

/// Builds the predicate for an upper-cased `comparator`, or `None` when the comparator
/// does not apply (the caller reports it with the message of its key type).
pub(super) fn string_predicate(comparator: &str, value: StringValue) -> Option<StringPredicate> {
    use super::ast::StringOp;
    match (comparator, value) {
        ("IN", StringValue::List(list)) => Some(StringPredicate::In(list)),
        ("NOT IN", StringValue::List(list)) => Some(StringPredicate::NotIn(list)),
        (comparator, StringValue::Scalar(value)) => {
            StringOp::parse(comparator).map(|op| StringPredicate::Compare(op, value))
        }
        (_, StringValue::List(_)) => None,
    }
}

/// Renders a set of strings as Python prints it, sorted so messages are stable (MLflow's
/// own order follows Python's string hashing).
pub(super) fn python_set(items: &[&str]) -> String {
    let mut sorted = items.to_vec();
    sorted.sort_unstable();
    let inner: Vec<String> = sorted.iter().map(|s| python_str(s)).collect();
    format!("{{{}}}", inner.join(", "))
}

/// Renders a list of strings as Python prints it.
pub(super) fn python_list<S: AsRef<str>>(items: &[S]) -> String {
    let inner: Vec<String> = items.iter().map(|s| python_str(s.as_ref())).collect();
    format!("[{}]", inner.join(", "))
}

/// Renders a string as Python's `repr` does (close enough for error text: quotes and
/// backslashes are escaped, other characters kept).
fn python_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_python_reprs() {
        assert_eq!(python_set(&["b", "a"]), "{'a', 'b'}");
        assert_eq!(python_list(&["it's", "a"]), "[\"it's\", 'a']");
        assert_eq!(python_list(&["a'\"b"]), "['a\\'\"b']");
        assert_eq!(python_list::<&str>(&[]), "[]");
    }
}
