//! The one error type of the use-case layer. The web layer maps each variant to a status.

use domain::DomainError;
use store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AppError {
    /// Input failed validation: `field` names the parameter or field.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// Several fields failed validation at once, each `(field, message)`, in form order.
    #[error("{}", .0.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "))]
    InvalidFields(Vec<(String, String)>),
    /// Not signed in, or the credentials are wrong. Deliberately vague.
    #[error("not signed in")]
    Unauthenticated,
    /// Signed in but not allowed; the message says what is missing.
    #[error("{0}")]
    Forbidden(String),
    /// Not allowed to change one field (a profile field without Allow Edits): `field` names
    /// it as data, so a page shows the refusal beside it.
    #[error("{field}: {reason}")]
    FieldForbidden { field: String, reason: String },
    /// Not allowed to set several fields, each `(field, reason)` as data (the SSO settings'
    /// trust fields and mapping): the API lists them as `invalid_params` of a 403, a page
    /// shows each beside its field.
    #[error("{}", .0.iter().map(|(f, r)| format!("{f}: {r}")).collect::<Vec<_>>().join("; "))]
    ForbiddenFields(Vec<(String, String)>),
    /// Absent, or outside the caller's scope (the two look the same): says what was not
    /// found, so a 404 page or problem names it.
    #[error("no such {}", .0.noun())]
    NotFound(What),
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// The edit was based on a version that is no longer current (optimistic concurrency).
    #[error("{0}")]
    Stale(String),
    /// A conditional request came without its precondition (`If-Match`).
    #[error("{0}")]
    PreconditionRequired(String),
    /// A link or token that is expired, used or unknown.
    #[error("{0}")]
    Gone(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

/// What a 404 did not find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    User,
    Group,
    Role,
    Bot,
    Session,
    Workspace,
    Token,
}

impl What {
    /// How messages name it ("no such admin role").
    pub fn noun(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Group => "group",
            Self::Role => "admin role",
            Self::Bot => "bot",
            Self::Session => "session",
            Self::Workspace => "workspace",
            Self::Token => "API token",
        }
    }
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { field: field.into(), message: message.into() }
    }

    /// `Ok` when `problems` is empty; otherwise every problem at once (one alone is
    /// [`AppError::Invalid`]).
    pub fn all_of(mut problems: Vec<(String, String)>) -> Result<(), Self> {
        match problems.len() {
            0 => Ok(()),
            1 => {
                let (field, message) = problems.remove(0);
                Err(Self::Invalid { field, message })
            }
            _ => Err(Self::InvalidFields(problems)),
        }
    }

    /// `Ok` when `refusals` is empty, else [`Self::ForbiddenFields`] naming every one.
    pub fn none_forbidden(refusals: Vec<(String, String)>) -> Result<(), Self> {
        if refusals.is_empty() { Ok(()) } else { Err(Self::ForbiddenFields(refusals)) }
    }

    /// The field refusals of an invalid-input error, `(field, message)` each; any other
    /// error is given back as it is.
    ///
    /// # Errors
    /// `self` when it is not [`AppError::Invalid`] or [`AppError::InvalidFields`].
    pub fn into_fields(self) -> Result<Vec<(String, String)>, Self> {
        match self {
            Self::Invalid { field, message } => Ok(vec![(field, message)]),
            Self::InvalidFields(all) => Ok(all),
            other => Err(other),
        }
    }

    pub fn field_forbidden(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::FieldForbidden { field: field.into(), reason: reason.into() }
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid { field, message } => Self::Invalid { field: field.into(), message },
            e @ DomainError::IllegalTransition { .. } => Self::Conflict(e.to_string()),
        }
    }
}
