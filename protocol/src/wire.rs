//! Serde helpers for MLflow's JSON number conventions.
//!
//! MLflow's Python client sends int64 fields as JSON numbers (its own
//! `message_to_json` rewrites them), proto3 JSON encoders (Java, Go, JS) send them
//! as strings, and GET requests carry every field as a query-string string. Doubles
//! follow the protobuf JSON mapping: `"NaN"`, `"Infinity"` and `"-Infinity"` are
//! strings. These helpers accept every form and write numbers (or those strings).

use serde::de::{self, Deserializer, Visitor};
use serde::Serializer;
use std::fmt;

struct I64Visitor;

impl Visitor<'_> for I64Visitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an int64 as a number or a string")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::custom(format!("{v} is out of range for int64")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        // JSON like `5.0` is an integer to protobuf's parser too.
        if v.fract() == 0.0 && v.abs() < 9.2e18 {
            Ok(v as i64)
        } else {
            Err(E::custom(format!("{v} is not an int64")))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        v.trim()
            .parse()
            .map_err(|_| E::custom(format!("'{v}' is not an int64")))
    }
}

struct F64Visitor;

impl Visitor<'_> for F64Visitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a double as a number or one of \"NaN\", \"Infinity\", \"-Infinity\"")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        parse_f64(v).ok_or_else(|| E::custom(format!("'{v}' is not a double")))
    }
}

/// Parses a double as protobuf JSON or a query string spells it.
pub fn parse_f64(text: &str) -> Option<f64> {
    match text.trim() {
        "NaN" | "nan" => Some(f64::NAN),
        "Infinity" | "inf" | "Inf" => Some(f64::INFINITY),
        "-Infinity" | "-inf" | "-Inf" => Some(f64::NEG_INFINITY),
        other => other.parse().ok(),
    }
}

/// `#[serde(with = "wire::int64")]` for a required (defaulted) int64 field.
pub mod int64 {
    use super::*;

    /// Reads an int64 from a number or a string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        d.deserialize_any(I64Visitor)
    }
    /// Writes an int64 as a JSON number.
    pub fn serialize<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(*v)
    }
}

/// `#[serde(with = "wire::opt_int64")]` for an optional int64 field.
pub mod opt_int64 {
    use super::*;

    struct OptVisitor;
    impl<'de> Visitor<'de> for OptVisitor {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an optional int64")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(I64Visitor).map(Some)
        }
    }

    /// Reads an optional int64 from null, a number or a string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        d.deserialize_option(OptVisitor)
    }
    /// Writes an optional int64 (callers skip `None`).
    pub fn serialize<S: Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_i64(*v),
            None => s.serialize_none(),
        }
    }
}

/// `#[serde(with = "wire::double")]` for a double that may be NaN or infinite.
pub mod double {
    use super::*;

    /// Reads a double from a number or a protobuf JSON string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        d.deserialize_any(F64Visitor)
    }
    /// Writes a double, using the protobuf JSON strings for NaN and infinities.
    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_nan() {
            s.serialize_str("NaN")
        } else if v.is_infinite() {
            s.serialize_str(if *v > 0.0 { "Infinity" } else { "-Infinity" })
        } else {
            s.serialize_f64(*v)
        }
    }
}

/// `#[serde(with = "wire::opt_double")]` for an optional double.
pub mod opt_double {
    use super::*;

    struct OptVisitor;
    impl<'de> Visitor<'de> for OptVisitor {
        type Value = Option<f64>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an optional double")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(F64Visitor).map(Some)
        }
    }

    /// Reads an optional double.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        d.deserialize_option(OptVisitor)
    }
    /// Writes an optional double (callers skip `None`).
    pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => super::double::serialize(v, s),
            None => s.serialize_none(),
        }
    }
}

/// `#[serde(with = "wire::boolean")]` for a bool that a query string carries as text.
pub mod boolean {
    use super::*;

    struct BoolVisitor;
    impl Visitor<'_> for BoolVisitor {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a boolean")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
            match v.to_ascii_lowercase().as_str() {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                _ => Err(E::custom(format!("'{v}' is not a boolean"))),
            }
        }
    }

    /// Reads a bool from `true`/`false` or their string forms.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        d.deserialize_any(BoolVisitor)
    }
    /// Writes a bool.
    pub fn serialize<S: Serializer>(v: &bool, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(*v)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, Debug)]
    struct M {
        #[serde(with = "super::int64", default)]
        i: i64,
        #[serde(with = "super::double", default)]
        d: f64,
        #[serde(
            with = "super::opt_int64",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        o: Option<i64>,
    }

    #[test]
    fn accepts_numbers_and_strings() {
        let m: M = serde_json::from_str(r#"{"i":"12","d":"NaN","o":"7"}"#).unwrap();
        assert_eq!((m.i, m.o), (12, Some(7)));
        assert!(m.d.is_nan());
        let m: M = serde_json::from_str(r#"{"i":12,"d":"-Infinity","o":null}"#).unwrap();
        assert_eq!(m.d, f64::NEG_INFINITY);
        assert_eq!(m.o, None);
        assert!(serde_json::from_str::<M>(r#"{"i":"x"}"#).is_err());
        assert!(serde_json::from_str::<M>(r#"{"i":1.5}"#).is_err());
    }

    #[test]
    fn writes_numbers_and_protobuf_strings() {
        let m = M {
            i: 3,
            d: f64::INFINITY,
            o: None,
        };
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"i":3,"d":"Infinity"}"#
        );
    }
}
