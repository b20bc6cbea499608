//! Closed sets of words stored as PostgreSQL enums — a project's stage, a demo's outcome, a
//! review's decision — declared once each with [`word_enum!`]. Pure: no IO.

/// A closed set of words: every value, its stored and wire name, its label for people.
pub trait Word: Copy + PartialEq + 'static {
    const ALL: &'static [Self];

    /// The stored and wire name.
    fn as_str(self) -> &'static str;

    /// The word shown to people.
    fn label(self) -> &'static str;

    /// The value whose name is `text` (surrounding spaces ignored).
    fn parse_word(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == text.trim())
    }

    /// "continue, pivot, stop": every name, for messages.
    fn names() -> String {
        Self::ALL
            .iter()
            .map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Declares a closed set of words stored as a PostgreSQL enum (`$pg`), with its wire name, its
/// label for people and a parser whose error lists the allowed values (naming it a `$noun`).
/// Names are snake_case, in Rust's serde and sqlx as in PostgreSQL.
macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident, $pg:literal, $noun:literal, [$($variant:ident => $wire:literal, $label:literal;)+]) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type, utoipa::ToSchema))]
        #[cfg_attr(feature = "ssr", sqlx(type_name = $pg, rename_all = "snake_case"))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stored and wire name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }

            /// The word shown to people.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }

            /// "Choose a stage (define, design, …)." — the message for a value that is not one of these.
            pub fn choices_message() -> String {
                format!("Choose a {} ({}).", $noun, <Self as $crate::vocabulary::Word>::names())
            }
        }

        impl $crate::vocabulary::Word for $name {
            const ALL: &'static [$name] = $name::ALL;

            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }

            fn label(self) -> &'static str {
                $name::label(self)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <Self as $crate::vocabulary::Word>::parse_word(s).ok_or_else(Self::choices_message)
            }
        }
    };
}

pub(crate) use word_enum;
