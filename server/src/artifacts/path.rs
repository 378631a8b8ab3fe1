//! [`ArtifactPath`]: a checked, relative artifact path. Every path a client sends goes
//! through [`ArtifactPath::parse`] before it reaches a store, so stores never see
//! traversal, absolute paths or NUL bytes.
//!
//! The rules follow MLflow's `validate_path_is_safe` (`mlflow/utils/uri.py`): decode
//! percent-encoding until the text is stable (so `%2e%2e` and `%252e%252e` are `..`),
//! then reject `#`, `..` segments and absolute paths (POSIX, Windows drive or UNC,
//! `file:` URIs). Beyond MLflow, NUL and other control characters, backslashes (a
//! separator on Windows) and the staging folder of multipart uploads are rejected on
//! every platform.

use std::fmt;

use percent_encoding::percent_decode_str;

/// The folder, directly under a store's root, where multipart uploads stage their parts.
/// Clients can neither address nor list it.
pub const STAGING_DIR: &str = ".ferroflow-mpu";

/// Why a path was rejected. The message is MLflow's (`Invalid path`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Invalid path")]
pub struct InvalidPath;

/// A relative artifact path: `/`-separated segments, none empty, `.` or `..`. The
/// empty path is the root.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ArtifactPath {
    segments: Vec<String>,
}

impl ArtifactPath {
    /// Returns the root (empty) path.
    pub fn root() -> Self {
        ArtifactPath::default()
    }

    /// Checks a client-supplied path; see the module documentation for the rules.
    /// Empty segments and `.` are dropped (`a//./b/` is `a/b`), as `posixpath` does.
    pub fn parse(raw: &str) -> Result<Self, InvalidPath> {
        let text = decode_fully(raw)?;
        if text.contains('#') || text.contains('\\') || text.chars().any(char::is_control) {
            return Err(InvalidPath);
        }
        if text.starts_with('/') || is_windows_absolute(&text) || has_scheme(&text) {
            return Err(InvalidPath);
        }
        let mut segments = Vec::new();
        for segment in text.split('/') {
            match segment {
                "" | "." => {}
                ".." => return Err(InvalidPath),
                _ => segments.push(segment.to_string()),
            }
        }
        if segments.first().map(String::as_str) == Some(STAGING_DIR) {
            return Err(InvalidPath);
        }
        Ok(ArtifactPath { segments })
    }

    /// Returns `self` followed by `other`; both are checked, so the result is too.
    pub fn join(&self, other: &ArtifactPath) -> ArtifactPath {
        let mut segments = self.segments.clone();
        segments.extend(other.segments.iter().cloned());
        ArtifactPath { segments }
    }

    /// Returns the path's segments.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// Returns whether this is the root.
    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }

    /// Returns the last segment (the file name), if any.
    pub fn file_name(&self) -> Option<&str> {
        self.segments.last().map(String::as_str)
    }

    /// Returns the path of a multipart upload's staging folder (not a client path).
    pub(crate) fn staging(upload_id: &str) -> ArtifactPath {
        ArtifactPath {
            segments: vec![STAGING_DIR.to_string(), upload_id.to_string()],
        }
    }

    /// Returns this path with one more segment, which the caller guarantees is a plain
    /// name (used for staged part names built by the server).
    pub(crate) fn child(&self, name: String) -> ArtifactPath {
        let mut segments = self.segments.clone();
        segments.push(name);
        ArtifactPath { segments }
    }
}

impl fmt::Display for ArtifactPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.segments.join("/"))
    }
}

/// Percent-decodes until the text no longer changes, as MLflow's `_decode` does, so
/// multiply-encoded traversal is seen for what it is. Text that does not decode to
/// UTF-8 is rejected.
fn decode_fully(raw: &str) -> Result<String, InvalidPath> {
    let mut text = raw.to_string();
    // Each round removes at least one `%`, so this ends; the bound only caps the work.
    for _ in 0..16 {
        let decoded = percent_decode_str(&text)
            .decode_utf8()
            .map_err(|_| InvalidPath)?
            .into_owned();
        if decoded == text {
            return Ok(text);
        }
        text = decoded;
    }
    Err(InvalidPath)
}

/// `C:`, `c:/x` — a Windows drive, absolute or drive-relative.
fn is_windows_absolute(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

/// `file:///etc/passwd`, `s3://bucket/x`: a URI instead of a relative path.
fn has_scheme(text: &str) -> bool {
    text.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && !scheme.contains('/')
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            && text[scheme.len()..].starts_with(":/")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_paths_are_rejected() {
        let hostile = [
            "..",
            "../secret",
            "a/../../b",
            "a/..",
            "/etc/passwd",
            "//server/share",
            "%2e%2e/secret",
            "%2E%2E%2Fsecret",
            "%252e%252e%252fsecret",
            "a%2f..%2f..%2fb",
            "..%5csecret",
            "a\\..\\b",
            "a\0b",
            "a%00b",
            "a\nb",
            "C:\\Windows",
            "c:/windows",
            "file:///etc/passwd",
            "s3://other-bucket/key",
            "a#b",
            "a%23b",
            ".ferroflow-mpu/upload/1",
            "%ff%fe",
        ];
        for path in hostile {
            assert_eq!(ArtifactPath::parse(path), Err(InvalidPath), "{path:?}");
        }
    }

    #[test]
    fn ordinary_paths_are_normalised() {
        let cases = [
            ("", ""),
            ("model.pkl", "model.pkl"),
            ("a/b/c.txt", "a/b/c.txt"),
            ("a//./b/", "a/b"),
            ("./a", "a"),
            (
                "1/abc/artifacts/my%20file.txt",
                "1/abc/artifacts/my file.txt",
            ),
            ("dots..in..name", "dots..in..name"),
            ("...", "..."),
            ("a/.ferroflow-mpu/x", "a/.ferroflow-mpu/x"),
            ("time:12", "time:12"),
        ];
        for (raw, expected) in cases {
            let path = ArtifactPath::parse(raw).unwrap_or_else(|_| panic!("{raw:?} rejected"));
            assert_eq!(path.to_string(), expected, "{raw:?}");
        }
        assert!(ArtifactPath::parse("").unwrap().is_root());
    }

    #[test]
    fn join_stays_under_the_base() {
        let base = ArtifactPath::parse("1/run/artifacts").unwrap();
        let joined = base.join(&ArtifactPath::parse("sub/file.bin").unwrap());
        assert_eq!(joined.to_string(), "1/run/artifacts/sub/file.bin");
        assert_eq!(joined.file_name(), Some("file.bin"));
        assert_eq!(&joined.segments()[..3], base.segments());
    }
}
