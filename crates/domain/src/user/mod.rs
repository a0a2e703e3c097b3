//! A user's own values: email, name, status and Bot Builder access.

mod builder_access;
mod email;
mod name;
mod status;

pub use builder_access::BuilderAccess;
pub use email::Email;
pub use name::PersonName;
pub use status::{PasswordCheck, PasswordWay, SignInMeans, SignInRefusal, SsoSignIn, UserStatus};
