//! Reading the files of page forms: the profile picture (My profile and the admin's Profile
//! tab) and the invite page's CSV file.

use crate::csrf::Upload;
use app::AppError;

/// The picture of an upload form (field `picture`): its bytes and content type. A body
/// over the limit is the picture's size error; an empty file input gives no bytes (the
/// app refuses that with its own message).
pub fn picture(up: &Upload) -> Result<(Vec<u8>, String), AppError> {
    if let Some(unread) = &up.unread {
        let why = if unread.too_large { "is larger than 2 MB" } else { "could not be read; try again" };
        return Err(AppError::invalid("picture", why));
    }
    Ok(up.file("picture").map(|f| (f.bytes.to_vec(), f.content_type.clone())).unwrap_or_default())
}
