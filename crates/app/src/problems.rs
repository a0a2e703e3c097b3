//! Gathering every refused field of a request before answering (PRODUCT.md §10: errors list
//! every invalid field at once). A validator notes each field's refusal and goes on to the
//! next; [`Problems::finish`] answers them all together ([`AppError::InvalidFields`], or
//! [`AppError::Invalid`] for one). Only refusals of input are gathered: any other error (a
//! store failure, a missing permission) ends the validation at once, as it did before.

use crate::AppError;

/// The refusals noted so far, `(field, message)` in the order the fields were read.
#[derive(Debug, Default)]
pub struct Problems(Vec<(String, String)>);

impl Problems {
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes that `field` is refused for `message`.
    pub fn refuse(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }

    /// `r`'s value, or `None` with its field refusals noted. An error that is not a refusal
    /// of input is returned as is.
    ///
    /// # Errors
    /// Every [`AppError`] but [`AppError::Invalid`] and [`AppError::InvalidFields`].
    pub fn check<T, E: Into<AppError>>(&mut self, r: Result<T, E>) -> Result<Option<T>, AppError> {
        match r.map_err(Into::into) {
            Ok(v) => Ok(Some(v)),
            Err(e) => {
                self.0.extend(e.into_fields()?);
                Ok(None)
            }
        }
    }

    /// Whether `field` is refused already (a later check that depends on it is skipped).
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| f == field)
    }

    /// Whether nothing was refused.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` when nothing was refused; otherwise every refusal at once.
    ///
    /// # Errors
    /// [`AppError::Invalid`] for one refusal, [`AppError::InvalidFields`] for several.
    pub fn finish(self) -> Result<(), AppError> {
        AppError::all_of(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gathers_refusals_and_passes_other_errors_on() {
        let mut p = Problems::new();
        assert_eq!(p.check(Ok::<_, AppError>(1)).unwrap(), Some(1));
        assert_eq!(p.check(Err::<u8, _>(AppError::invalid("a", "is bad"))).unwrap(), None);
        let both = AppError::InvalidFields(vec![("b".into(), "x".into()), ("c".into(), "y".into())]);
        assert_eq!(p.check(Err::<u8, _>(both)).unwrap(), None);
        assert!(matches!(p.check(Err::<u8, _>(AppError::Forbidden("no".into()))), Err(AppError::Forbidden(_))));
        assert!(p.has("c") && !p.has("d"));
        match p.finish() {
            Err(AppError::InvalidFields(all)) => {
                assert_eq!(all.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(Problems::new().finish().is_ok());
    }
}
