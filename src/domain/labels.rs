//! Closed vocabularies stored and exchanged as short snake_case labels.
//!
//! `labelled_enum!` declares an enum together with its label, its human
//! wording, parsing, serde and OpenAPI schema, so that a value read from a
//! form, a JSON body or a database column can only ever be one of the
//! declared variants.

use std::fmt;

/// Raised when a label does not name any variant of the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLabel {
    pub vocabulary: &'static str,
    pub given: String,
    pub allowed: Vec<&'static str>,
}

impl fmt::Display for UnknownLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' is not a known {}; expected one of: {}",
            self.given,
            self.vocabulary,
            self.allowed.join(", ")
        )
    }
}

impl std::error::Error for UnknownLabel {}

/// Implemented by every enum declared with [`labelled_enum!`].
pub trait Labelled: Copy + Sized + 'static {
    const VOCABULARY: &'static str;
    const ALL: &'static [Self];
    fn label(self) -> &'static str;
    fn title(self) -> &'static str;

    fn from_label(given: &str) -> Result<Self, UnknownLabel> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.label() == given)
            .ok_or_else(|| UnknownLabel {
                vocabulary: Self::VOCABULARY,
                given: given.to_owned(),
                allowed: Self::ALL.iter().map(|v| v.label()).collect(),
            })
    }
}

/// Declares a closed vocabulary: `Variant => ("label", "Human title")`.
#[macro_export]
macro_rules! labelled_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($vocabulary:literal) {
            $( $(#[$vmeta:meta])* $variant:ident => ($label:literal, $title:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $crate::domain::labels::Labelled for $name {
            const VOCABULARY: &'static str = $vocabulary;
            const ALL: &'static [Self] = &[ $( Self::$variant ),+ ];
            fn label(self) -> &'static str { match self { $( Self::$variant => $label ),+ } }
            fn title(self) -> &'static str { match self { $( Self::$variant => $title ),+ } }
        }

        impl $name {
            pub fn label(self) -> &'static str {
                <Self as $crate::domain::labels::Labelled>::label(self)
            }
            pub fn title(self) -> &'static str {
                <Self as $crate::domain::labels::Labelled>::title(self)
            }
            pub fn all() -> &'static [Self] { <Self as $crate::domain::labels::Labelled>::ALL }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::domain::labels::UnknownLabel;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <Self as $crate::domain::labels::Labelled>::from_label(s)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.label())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                raw.parse().map_err(::serde::de::Error::custom)
            }
        }

        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                ::utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(::utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($label),+]))
                    .into()
            }
        }

        impl ::utoipa::ToSchema for $name {}
    };
}

#[cfg(test)]
mod tests {
    use super::Labelled;

    crate::labelled_enum! {
        enum Colour ("colour") { Red => ("red", "Red"), DarkBlue => ("dark_blue", "Dark blue") }
    }

    #[test]
    fn labels_round_trip_through_text_and_json() {
        assert_eq!(Colour::all().len(), 2);
        assert_eq!(Colour::DarkBlue.title(), "Dark blue");
        for c in Colour::ALL {
            assert_eq!(c.label().parse::<Colour>().unwrap(), *c);
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.label()));
            assert_eq!(serde_json::from_str::<Colour>(&json).unwrap(), *c);
        }
    }

    #[test]
    fn unknown_label_names_the_allowed_ones() {
        let err = "green".parse::<Colour>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "'green' is not a known colour; expected one of: red, dark_blue"
        );
        assert!(serde_json::from_str::<Colour>("\"green\"").is_err());
    }
}
