//! Gathering every refused field of a request before answering (PRODUCT.md §10: errors list
//! every invalid field at once). A validator notes each field's refusal and goes on to the
//! next; [`Problems::finish`] answers them all together ([`AppError::InvalidFields`], or
//! [`AppError::Invalid`] for one). Only refusals of input are gathered: any other error (a
//! store failure, a missing permission) ends the validation at once, as it did before.
//!
//! A request's body reaches a use case as an [`Input`]: the value, read as far as it could
//! be, with a stand-in (an empty or zero value) for each field that could not be read (a
//! wrong JSON type, an unknown name), and the list of those fields. The value comes out
//! only with a [`Problems`] that already holds the unreadable fields ([`Input::open`]): the
//! use case judges the rest, its complaints about the stand-ins are dropped, and its
//! `finish` refuses the request, with every field named in one answer, whenever anything
//! was unreadable. So no use case can act on a body of which a field went unread.

use crate::AppError;

/// The refusals noted so far, `(field, message)` in the order the fields were read, after
/// the fields the request's reader could not read.
#[derive(Debug, Default)]
#[must_use = "a use case answers its refusals with `finish` before acting"]
pub struct Problems {
    /// Fields the reader could not read: always refused, and what is said of their stand-ins
    /// (the field, or anything inside it) is not.
    unreadable: Vec<(String, String)>,
    refused: Vec<(String, String)>,
}

impl Problems {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `field` is an unreadable one or lies inside one (`ids[2]` inside `ids`; every
    /// field inside `body`, the whole document).
    fn unread(&self, field: &str) -> bool {
        self.unreadable.iter().any(|(u, _)| {
            u == field
                || u == "body"
                || field.strip_prefix(u.as_str()).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        })
    }

    /// Notes that `field` is refused for `message` (unless it went unread: the reader's
    /// reason stands).
    pub fn refuse(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        if !self.unread(&field) {
            self.refused.push((field, message.into()));
        }
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
                for (field, message) in e.into_fields()? {
                    self.refuse(field, message);
                }
                Ok(None)
            }
        }
    }

    /// Whether `field` is refused already, or went unread (a later check that depends on it
    /// is skipped).
    pub fn has(&self, field: &str) -> bool {
        self.unread(field) || self.refused.iter().any(|(f, _)| f == field)
    }

    /// Whether nothing was refused (and nothing went unread).
    pub fn is_empty(&self) -> bool {
        self.unreadable.is_empty() && self.refused.is_empty()
    }

    /// `Ok` when nothing was refused and nothing went unread; otherwise every refusal at once,
    /// the unreadable fields first.
    ///
    /// # Errors
    /// [`AppError::Invalid`] for one refusal, [`AppError::InvalidFields`] for several.
    pub fn finish(self) -> Result<(), AppError> {
        let mut all = self.unreadable;
        all.extend(self.refused);
        AppError::all_of(all)
    }
}

/// A request's input as its reader got it: the value (a stand-in for each field that could
/// not be read) and the unreadable fields, `(field, reason)` named as the request names
/// them (`ids[2]`, `password.min_length`).
#[derive(Debug, Clone)]
pub struct Input<T> {
    value: T,
    unreadable: Vec<(String, String)>,
}

impl<T> Input<T> {
    /// What a reader got: `value` with stand-ins for the `unreadable` fields.
    pub fn read(value: T, unreadable: Vec<(String, String)>) -> Self {
        Self { value, unreadable }
    }

    /// A value read in full (a typed form, a caller's own value).
    pub fn whole(value: T) -> Self {
        Self { value, unreadable: Vec::new() }
    }

    /// The value, and the [`Problems`] that the use case judges it into: they hold the
    /// unreadable fields already, so `finish` refuses the request while any went unread.
    pub fn open(self) -> (T, Problems) {
        (self.value, Problems { unreadable: self.unreadable, refused: Vec::new() })
    }

    /// The value when nothing went unread, for a use case with no field rules of its own to
    /// judge it by.
    ///
    /// # Errors
    /// [`AppError::Invalid`] or [`AppError::InvalidFields`] naming every unreadable field.
    pub fn complete(self) -> Result<T, AppError> {
        let (value, problems) = self.open();
        problems.finish()?;
        Ok(value)
    }

    /// The same input with `more` fields that went unread (what the request's reader refused
    /// outside the typed value: a switch that is not a boolean), named before the others.
    #[must_use]
    pub fn also_unreadable(mut self, more: Vec<(String, String)>) -> Self {
        let rest = std::mem::replace(&mut self.unreadable, more);
        self.unreadable.extend(rest);
        self
    }

    /// The same input in another shape (the HTTP body as the use case's own type).
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Input<U> {
        Input { value: f(self.value), unreadable: self.unreadable }
    }

    /// The fields that went unread.
    pub fn unreadable(&self) -> &[(String, String)] {
        &self.unreadable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(e: AppError) -> Vec<String> {
        e.into_fields().unwrap().into_iter().map(|(f, _)| f).collect()
    }

    #[test]
    fn gathers_refusals_and_passes_other_errors_on() {
        let mut p = Problems::new();
        assert_eq!(p.check(Ok::<_, AppError>(1)).unwrap(), Some(1));
        assert_eq!(p.check(Err::<u8, _>(AppError::invalid("a", "is bad"))).unwrap(), None);
        let both = AppError::InvalidFields(vec![("b".into(), "x".into()), ("c".into(), "y".into())]);
        assert_eq!(p.check(Err::<u8, _>(both)).unwrap(), None);
        assert!(matches!(p.check(Err::<u8, _>(AppError::Forbidden("no".into()))), Err(AppError::Forbidden(_))));
        assert!(p.has("c") && !p.has("d"));
        assert_eq!(names(p.finish().unwrap_err()), ["a", "b", "c"]);
        assert!(Problems::new().finish().is_ok());
    }

    #[test]
    fn unreadable_fields_are_refused_with_the_rest_and_their_stand_ins_are_not() {
        let unread = vec![("ids[1]".to_owned(), "must be a string".to_owned()), ("group".into(), "bad".into())];
        let (value, mut p) = Input::read(7, unread).open();
        assert_eq!(value, 7);
        assert!(p.has("group") && p.has("group.id") && !p.has("groups"));
        p.refuse("ids[1]", "must be a UUID");
        p.refuse("group.id", "is not a group");
        p.refuse("action", "is not an action");
        assert_eq!(p.check(Err::<u8, _>(AppError::invalid("ids[0]", "must be a UUID"))).unwrap(), None);
        assert_eq!(names(p.finish().unwrap_err()), ["ids[1]", "group", "action", "ids[0]"]);
        // Nothing judged wrong but a field unread: still refused.
        let ((), p) = Input::read((), vec![("x".to_owned(), "is not a field".to_owned())]).open();
        assert_eq!(names(p.finish().unwrap_err()), ["x"]);
        let ((), p) = Input::whole(()).open();
        assert!(p.finish().is_ok());
    }
}
