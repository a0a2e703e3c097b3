//! Profile pictures: PNG, JPEG or WebP up to 2 MB, decoded (so a corrupt or disguised file
//! is refused) and re-encoded as a square JPEG of fixed size, which drops every byte of
//! metadata the upload carried (EXIF location, comments, colour profiles).

use crate::AppError;
use image::{ImageFormat, ImageReader, Limits, imageops::FilterType};
use std::io::Cursor;

/// The largest upload accepted.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// The request body limit for uploads: the file plus room for multipart framing, so a file
/// just over [`MAX_BYTES`] gets the clear "larger than 2 MB" answer instead of a 413.
pub const UPLOAD_LIMIT: usize = MAX_BYTES + 256 * 1024;
/// The largest width and height decoded. A small compressed file can hold a huge image;
/// its dimensions are read from the header and refused before any pixel is decoded.
pub const MAX_SIDE: u32 = 4096;
/// Width and height of every stored picture.
pub const SIZE: u32 = 256;
/// What stored pictures are.
pub const CONTENT_TYPE: &str = "image/jpeg";

const FIELD: &str = "picture";

fn format_name(f: ImageFormat) -> &'static str {
    match f {
        ImageFormat::Png => "PNG",
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::WebP => "WebP",
        _ => "another format",
    }
}

fn declared_format(content_type: &str) -> Result<Option<ImageFormat>, AppError> {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match essence.as_str() {
        "" | "application/octet-stream" => Ok(None),
        "image/png" => Ok(Some(ImageFormat::Png)),
        "image/jpeg" | "image/jpg" => Ok(Some(ImageFormat::Jpeg)),
        "image/webp" => Ok(Some(ImageFormat::WebP)),
        other => Err(AppError::invalid(FIELD, format!("must be a PNG, JPEG or WebP image, not {other}"))),
    }
}

/// Checks and re-encodes an upload. `content_type` is what the client declared (may be
/// empty); it must agree with what the bytes are.
pub fn process(bytes: &[u8], content_type: &str) -> Result<Vec<u8>, AppError> {
    if bytes.is_empty() {
        return Err(AppError::invalid(FIELD, "is empty; choose an image file"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(AppError::invalid(FIELD, "is larger than 2 MB"));
    }
    let declared = declared_format(content_type)?;
    let actual = image::guess_format(bytes)
        .ok()
        .filter(|f| matches!(f, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP))
        .ok_or_else(|| AppError::invalid(FIELD, "is not a PNG, JPEG or WebP image"))?;
    if let Some(d) = declared
        && d != actual
    {
        return Err(AppError::invalid(
            FIELD,
            format!("says it is {} but its content is {}", format_name(d), format_name(actual)),
        ));
    }
    let unreadable = |e: image::ImageError| {
        AppError::invalid(FIELD, format!("could not be read as a {} image ({e})", format_name(actual)))
    };
    let (w, h) = ImageReader::with_format(Cursor::new(bytes), actual).into_dimensions().map_err(unreadable)?;
    if w > MAX_SIDE || h > MAX_SIDE {
        return Err(AppError::invalid(FIELD, format!("is {w}×{h} pixels; at most {MAX_SIDE}×{MAX_SIDE} are accepted")));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), actual);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(80 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().map_err(unreadable)?;
    let square = img.resize_to_fill(SIZE, SIZE, FilterType::Triangle);
    // JPEG has no alpha: flatten transparent pixels onto white, not black.
    let rgba = square.to_rgba8();
    let mut rgb = image::RgbImage::new(SIZE, SIZE);
    for (dst, src) in rgb.pixels_mut().zip(rgba.pixels()) {
        let a = u16::from(src[3]);
        for c in 0..3 {
            dst[c] = ((u16::from(src[c]) * a + 255 * (255 - a)) / 255) as u8;
        }
    }
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&rgb)
        .map_err(|e| AppError::Internal(format!("re-encoding a picture failed: {e}")))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_fn(w, h, |x, y| image::Rgba([x as u8, y as u8, 90, 128]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_png_becomes_a_square_jpeg_of_fixed_size() {
        let jpeg = process(&png(300, 120), "image/png").unwrap();
        assert_eq!(image::guess_format(&jpeg).unwrap(), ImageFormat::Jpeg);
        let back = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((back.width(), back.height()), (SIZE, SIZE));
    }

    #[test]
    fn disguised_corrupt_and_oversized_files_are_refused() {
        let e = process(&png(10, 10), "image/jpeg").unwrap_err();
        assert!(e.to_string().contains("says it is JPEG but its content is PNG"), "{e}");
        assert!(process(b"<html>not an image</html>", "image/png").is_err());
        let mut cut = png(64, 64);
        cut.truncate(cut.len() / 2);
        assert!(process(&cut, "").unwrap_err().to_string().contains("could not be read"));
        assert!(process(&vec![0u8; MAX_BYTES + 1], "image/png").unwrap_err().to_string().contains("2 MB"));
        assert!(process(&png(4, 4), "image/gif").is_err());
    }

    #[test]
    fn huge_images_are_refused_from_their_header_before_decoding() {
        let e = process(&png(MAX_SIDE + 1, 1), "image/png").unwrap_err();
        assert!(e.to_string().contains("at most 4096×4096"), "{e}");
    }
}
