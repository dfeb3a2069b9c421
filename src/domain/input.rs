//! What people type, as received: text and whole numbers that carry their
//! limits in their types. The validator checks a value against those limits
//! and the API's document states the same limits, from the same constants, so
//! the two cannot drift apart.
//!
//! Every limit applies to the value exactly as sent: a length counts every
//! character, leading and trailing spaces too, and a control character is
//! refused wherever it is. Only then are the spaces trimmed.

use serde::Deserialize;
use std::borrow::Cow;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;

/// No control character (Unicode category Cc): U+0000–U+001F and U+007F–U+009F.
const NO_CONTROLS: &str = r"[^\u0000-\u001F\u007F-\u009F]";
/// No control character but line breaks and tabs.
const PARAGRAPH_CHARACTER: &str = r"[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]";
/// Not blank: a character that is neither a space nor a control character.
const VISIBLE: &str = r"[^\s\u0000-\u001F\u007F-\u009F]";

/// One line of optional text, at most `MAX` characters; blank means none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Text<const MAX: usize>(String);

/// One line of text that must be given, at most `MAX` characters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct RequiredText<const MAX: usize>(String);

/// Writing in paragraphs that must be given, at most `MAX` characters: line
/// breaks and tabs are kept (line endings become `\n`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Paragraphs<const MAX: usize>(String);

/// A whole number from `MIN` to `MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Whole<const MIN: i64, const MAX: i64>(i64);

impl<const MAX: usize> Text<MAX> {
    /// The trimmed text, or `None` when it is absent or blank.
    pub fn checked(value: Option<&Self>) -> Result<Option<String>, String> {
        let Some(Self(raw)) = value else {
            return Ok(None);
        };
        within(raw, MAX)?;
        single_line(raw)?;
        let trimmed = raw.trim();
        Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
    }
}

impl<const MAX: usize> RequiredText<MAX> {
    /// The trimmed text; blank is refused as missing.
    pub fn checked(&self) -> Result<String, String> {
        within(&self.0, MAX)?;
        single_line(&self.0)?;
        given(self.0.trim()).map(str::to_owned)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> Paragraphs<MAX> {
    /// The trimmed text with `\n` line endings; blank is refused as missing.
    pub fn checked(&self) -> Result<String, String> {
        within(&self.0, MAX)?;
        if self
            .0
            .chars()
            .any(|c| c.is_control() && !"\n\r\t".contains(c))
        {
            return Err(
                "must not contain control characters other than line breaks and tabs".to_owned(),
            );
        }
        let text = given(self.0.trim())?;
        Ok(text.replace("\r\n", "\n").replace('\r', "\n"))
    }
}

impl<const MIN: i64, const MAX: i64> Whole<MIN, MAX> {
    /// The largest number allowed.
    pub const HIGHEST: i64 = MAX;

    /// The number, when it is in range, as the type it is kept in.
    pub fn checked<T: TryFrom<i64>>(self) -> Result<T, String> {
        Some(self.0)
            .filter(|n| (MIN..=MAX).contains(n))
            .and_then(|n| T::try_from(n).ok())
            .ok_or_else(|| format!("must be between {MIN} and {MAX}"))
    }
}

impl<const MIN: i64, const MAX: i64> std::str::FromStr for Whole<MIN, MAX> {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Self)
    }
}

fn within(raw: &str, max: usize) -> Result<(), String> {
    if raw.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    Ok(())
}

fn single_line(raw: &str) -> Result<(), String> {
    if raw.chars().any(char::is_control) {
        return Err("must not contain control characters".to_owned());
    }
    Ok(())
}

fn given(trimmed: &str) -> Result<&str, String> {
    if trimmed.is_empty() {
        return Err("is required".to_owned());
    }
    Ok(trimmed)
}

/// For each kind of text: made from a `String` or `&str`, and its schema,
/// named by kind and limit (`RequiredText60`), with the characters it may
/// hold, whether it must be given, and a description (`{max}` is the limit).
macro_rules! text_kind {
    ($($ty:ident: $character:expr, $required:expr, $description:literal;)+) => {$(
        impl<const MAX: usize> From<String> for $ty<MAX> {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl<const MAX: usize> From<&str> for $ty<MAX> {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl<const MAX: usize> utoipa::PartialSchema for $ty<MAX> {
            fn schema() -> RefOr<Schema> {
                text_schema(MAX, $character, $required, format!($description, max = MAX))
            }
        }

        impl<const MAX: usize> utoipa::ToSchema for $ty<MAX> {
            fn name() -> Cow<'static, str> {
                Cow::Owned(format!("{}{MAX}", stringify!($ty)))
            }
        }
    )+};
}

text_kind! {
    Text: NO_CONTROLS, false,
        "One line of at most {max} characters, no control characters; blank means none.";
    RequiredText: NO_CONTROLS, true,
        "One line of at most {max} characters, not blank, no control characters.";
    Paragraphs: PARAGRAPH_CHARACTER, true,
        "Text of at most {max} characters, not blank; line breaks and tabs are kept, other \
         control characters refused.";
}

impl<const MIN: i64, const MAX: i64> From<i64> for Whole<MIN, MAX> {
    fn from(value: i64) -> Self {
        Self(value)
    }
}

/// A string schema: at most `max` characters, each matching `character`,
/// and when `required`, at least one of them visible.
fn text_schema(max: usize, character: &str, required: bool, description: String) -> RefOr<Schema> {
    let pattern = if required {
        format!("^{character}*{VISIBLE}{character}*$")
    } else {
        format!("^{character}*$")
    };
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(max))
        .min_length(required.then_some(1))
        .pattern(Some(pattern))
        .description(Some(description))
        .into()
}

impl<const MIN: i64, const MAX: i64> utoipa::PartialSchema for Whole<MIN, MAX> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(MIN as f64))
            .maximum(Some(MAX as f64))
            .into()
    }
}

impl<const MIN: i64, const MAX: i64> utoipa::ToSchema for Whole<MIN, MAX> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("Whole{MIN}To{MAX}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_after_its_limits_are_checked() {
        assert_eq!(
            RequiredText::<10>::from("  Ana ").checked(),
            Ok("Ana".to_owned())
        );
        assert_eq!(
            RequiredText::<10>::from("   ").checked(),
            Err("is required".to_owned())
        );
        assert_eq!(
            RequiredText::<5>::from("abcdef").checked(),
            Err("must be at most 5 characters".to_owned())
        );
        assert_eq!(
            RequiredText::<5>::from(" abcd ").checked(),
            Err("must be at most 5 characters".to_owned()),
            "the spaces count, as the schema's maxLength counts them"
        );
        assert!(RequiredText::<5>::from("a\u{0}b").checked().is_err());
        assert!(RequiredText::<5>::from("ab\n").checked().is_err());
        assert_eq!(Text::<5>::checked(Some(&" ".into())), Ok(None));
        assert_eq!(Text::<5>::checked(None), Ok(None));
        assert_eq!(
            Text::<5>::checked(Some(&" a ".into())),
            Ok(Some("a".to_owned()))
        );
        assert_eq!(
            Paragraphs::<9>::from(" a\r\nb\tc\r").checked(),
            Ok("a\nb\tc".to_owned())
        );
        assert!(Paragraphs::<9>::from("a\u{7}b").checked().is_err());
        assert_eq!(
            Paragraphs::<9>::from("\n").checked(),
            Err("is required".to_owned())
        );
    }

    #[test]
    fn whole_numbers_keep_to_their_range() {
        assert_eq!(Whole::<1, 365>::from(1).checked(), Ok(1_i64));
        assert_eq!(Whole::<1, 365>::from(365).checked(), Ok(365_u16));
        assert_eq!(
            Whole::<1, 365>::from(0).checked::<i64>(),
            Err("must be between 1 and 365".to_owned())
        );
    }

    /// The schema's pattern accepts exactly what the validator accepts, for
    /// the characters where the two could part: spaces, controls, line breaks.
    #[test]
    fn the_schema_states_the_validators_rules() {
        let pattern = |schema: RefOr<Schema>| match schema {
            RefOr::T(Schema::Object(o)) => {
                regex::Regex::new(&o.pattern.unwrap_or_default()).unwrap()
            }
            _ => unreachable!("a text schema is an object schema"),
        };
        let required = pattern(<RequiredText<20> as utoipa::PartialSchema>::schema());
        let optional = pattern(<Text<20> as utoipa::PartialSchema>::schema());
        let paragraphs = pattern(<Paragraphs<20> as utoipa::PartialSchema>::schema());
        let samples = [
            "Ana",
            " Ana ",
            "",
            "   ",
            "\u{a0}",
            "a\u{0}",
            "a\nb",
            "\n",
            "a\tb",
            "a\r\nb",
            "\u{85}",
            "a\u{7f}",
            "a\u{9f}",
            "é ü",
            "\u{2003}x",
        ];
        for sample in samples {
            assert_eq!(
                required.is_match(sample),
                RequiredText::<20>::from(sample).checked().is_ok(),
                "required text {sample:?}"
            );
            assert_eq!(
                optional.is_match(sample),
                Text::<20>::checked(Some(&sample.into())).is_ok(),
                "optional text {sample:?}"
            );
            assert_eq!(
                paragraphs.is_match(sample),
                Paragraphs::<20>::from(sample).checked().is_ok(),
                "paragraphs {sample:?}"
            );
        }
    }
}
