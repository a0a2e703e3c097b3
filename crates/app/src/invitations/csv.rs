//! Reading invitation rows from CSV as spreadsheets write it: a header row naming `email`
//! (required) and any of `first_name`, `last_name`, `workspace`, `groups` (names separated
//! by `;`), in any order. Rows are read one at a time, so a file of any size is read in
//! constant memory.
//!
//! What spreadsheets do to CSV is handled here, once, for the page and the command line:
//! - the separator is sniffed from the header line: `,`, or `;` (Excel where the decimal
//!   mark is a comma) or a tab, whichever yields an `email` column;
//! - LF and CRLF line ends; every reported line number is the file's own (the line a row
//!   starts on, counting from 1 with the header);
//! - a UTF-8 byte-order mark is skipped; UTF-16 (Excel's "Unicode Text") is refused as a
//!   whole; a row that is not UTF-8 (Windows-1252, Latin-1) is refused as such, with its line.

use super::InviteRow;
use crate::AppError;
use serde::Deserialize;
use std::io::{BufRead, BufReader, Read};

#[derive(Deserialize)]
struct CsvRow {
    email: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    workspace: String,
    #[serde(default)]
    groups: String,
}

/// The columns a header may name.
const HEADER: &str = "email,first_name,last_name,workspace,groups";

/// Separators tried on the header line, most usual first.
const SEPARATORS: [u8; 3] = [b',', b';', b'\t'];

/// Rows of a CSV file with their line numbers; a row that cannot be read is an `Err` with
/// the reason.
///
/// Records are cut at line ends here, not by the csv crate, whose line positions run short
/// on CRLF files: a record is one line, or several while a quoted field is open (an odd
/// number of `"` so far; RFC 4180's doubled `""` keeps the count even). Each record is then
/// parsed on its own by the csv crate.
pub struct CsvRows<R: Read> {
    input: BufReader<R>,
    separator: u8,
    headers: csv::StringRecord,
    /// The file's line number of the last line read (1 is the header).
    line: u64,
    buf: Vec<u8>,
    /// The first line of the record being read.
    started: u64,
    /// Set after an error that ends the file.
    done: bool,
}

/// Starts reading `input`: skips a UTF-8 byte-order mark and finds the separator. 400
/// (field `csv`) when the file is UTF-16 or its first line is no header naming `email`.
pub fn read<R: Read>(input: R) -> Result<CsvRows<R>, AppError> {
    let refuse = |why: String| AppError::invalid("csv", why);
    let mut input = BufReader::with_capacity(64 * 1024, input);
    let start = input.fill_buf().map_err(|e| refuse(format!("cannot read the file: {e}")))?;
    if start.starts_with(&[0xFF, 0xFE]) || start.starts_with(&[0xFE, 0xFF]) {
        return Err(refuse(
            "the file is UTF-16 text (Excel's \"Unicode Text\"), not a UTF-8 CSV file; save it as \"CSV UTF-8\"".into(),
        ));
    }
    if start.starts_with(b"\xEF\xBB\xBF") {
        input.consume(3);
    }
    let mut rows = CsvRows {
        input,
        separator: b',',
        headers: csv::StringRecord::new(),
        line: 0,
        buf: Vec::new(),
        started: 1,
        done: false,
    };
    let header = match rows.next_record() {
        Ok(Some(_)) => rows.buf.clone(),
        Ok(None) => Vec::new(),
        Err(e) => return Err(refuse(e)),
    };
    let Some(separator) = SEPARATORS.iter().copied().find(|s| header_fields(&header, *s).iter().any(|h| h == "email"))
    else {
        return Err(refuse(no_header(&header)));
    };
    rows.separator = separator;
    let fields = parse(&header, separator).map_err(|e| refuse(format!("line 1: not valid CSV: {e}")))?;
    rows.headers = fields
        .iter()
        .map(|h| std::str::from_utf8(h).map(normalize))
        .collect::<Result<csv::StringRecord, _>>()
        .map_err(|_| refuse(format!("line 1: {}", not_utf8(&fields))))?;
    Ok(rows)
}

/// The fields of one record.
fn parse(record: &[u8], separator: u8) -> Result<csv::ByteRecord, csv::Error> {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(record);
    let mut fields = csv::ByteRecord::new();
    r.read_byte_record(&mut fields)?;
    Ok(fields)
}

/// `First Name` → `first_name`.
fn normalize(h: &str) -> String {
    h.trim().to_lowercase().replace(' ', "_")
}

/// The header line's column names when split at `separator`.
fn header_fields(line: &[u8], separator: u8) -> Vec<String> {
    parse(line, separator)
        .map_or_else(|_| Vec::new(), |r| r.iter().map(|f| normalize(&String::from_utf8_lossy(f))).collect())
}

/// Why `line` is no usable header, naming the separator it seems to use.
fn no_header(line: &[u8]) -> String {
    #[allow(clippy::naive_bytecount)] // one header line; not worth a crate
    let count = |s: u8| line.iter().filter(|b| **b == s).count();
    let looks = match (count(b','), count(b';'), count(b'\t')) {
        (c, s, _) if s > c => " (it looks separated by ';')",
        (c, _, t) if t > c => " (it looks separated by tabs)",
        _ => "",
    };
    format!("the first line must be a header naming the columns: {HEADER}{looks}; no column is named email")
}

/// The reason for a row that is not UTF-8: its first bad byte, and what saved it that way.
fn not_utf8(record: &csv::ByteRecord) -> String {
    let bad = record.iter().find_map(|f| std::str::from_utf8(f).err().map(|e| f[e.valid_up_to()])).unwrap_or(0);
    format!(
        "not UTF-8 text (byte 0x{bad:02X}): the file looks saved as Windows-1252 or Latin-1; \
         save it as \"CSV UTF-8\" and import it again"
    )
}

impl<R: Read> CsvRows<R> {
    /// Reads the next record's bytes into `buf` (line end removed); its first line's number,
    /// or `None` at the end. Blank lines are skipped.
    fn next_record(&mut self) -> Result<Option<u64>, String> {
        loop {
            self.buf.clear();
            let first = self.line + 1;
            self.started = first;
            // Whether a quoted field is open: flips at every `"` read so far.
            let mut open = false;
            loop {
                let before = self.buf.len();
                let n =
                    self.input.read_until(b'\n', &mut self.buf).map_err(|e| format!("cannot read the file: {e}"))?;
                open ^= self.buf[before..].iter().fold(false, |odd, b| odd ^ (*b == b'"'));
                if n == 0 {
                    if self.buf.is_empty() {
                        return Ok(None);
                    }
                    if open {
                        return Err("not valid CSV: a quoted field is never closed".to_owned());
                    }
                    break;
                }
                self.line += 1;
                if !open {
                    break;
                }
            }
            while self.buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                self.buf.pop();
            }
            if !self.buf.iter().all(u8::is_ascii_whitespace) {
                return Ok(Some(first));
            }
        }
    }

    fn row(&self) -> Result<InviteRow, String> {
        let fields = parse(&self.buf, self.separator).map_err(|e| format!("not valid CSV: {e}"))?;
        let text = fields
            .iter()
            .map(std::str::from_utf8)
            .collect::<Result<csv::StringRecord, _>>()
            .map_err(|_| not_utf8(&fields))?;
        let r: CsvRow = text.deserialize(Some(&self.headers)).map_err(|e| format!("cannot read the row: {e}"))?;
        Ok(InviteRow {
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            workspace: r.workspace,
            groups: r.groups.split(';').map(str::trim).filter(|g| !g.is_empty()).map(str::to_owned).collect(),
        })
    }
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = (u64, Result<InviteRow, String>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_record() {
            Ok(None) => None,
            Ok(Some(line)) => Some((line, self.row())),
            // Unreadable from here on (an I/O error, or a quote open to the end).
            Err(e) => {
                self.done = true;
                Some((self.started, Err(e)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (line, email or the reason) of every row.
    fn rows(bytes: &[u8]) -> Vec<(u64, String)> {
        read(bytes).unwrap().map(|(line, r)| (line, r.map_or_else(|e| e, |r| r.email))).collect()
    }

    #[test]
    fn line_numbers_are_the_files_own_for_lf_and_crlf() {
        let lf = b"email,first_name\nann@x.org,Ann\n\nbob@x.org,\"Bob\nBob\"\ncid@x.org,Cid\n";
        let crlf = b"email,first_name\r\nann@x.org,Ann\r\n\r\nbob@x.org,\"Bob\r\nBob\"\r\ncid@x.org,Cid\r\n";
        let want: Vec<(u64, String)> = vec![(2, "ann@x.org".into()), (4, "bob@x.org".into()), (6, "cid@x.org".into())];
        assert_eq!(rows(lf), want);
        assert_eq!(rows(crlf), want);
    }

    #[test]
    fn semicolons_and_tabs_are_sniffed_from_the_header() {
        let semi = b"email;first_name;groups\r\nann@x.org;Ann;\"Sales;Support\"\r\n";
        let row = read(&semi[..]).unwrap().next().unwrap().1.unwrap();
        assert_eq!((row.email.as_str(), row.first_name.as_str()), ("ann@x.org", "Ann"));
        assert_eq!(row.groups, ["Sales", "Support"]);
        let tab = b"Email\tFirst Name\nann@x.org\tAnn\n";
        let row = read(&tab[..]).unwrap().next().unwrap().1.unwrap();
        assert_eq!((row.email.as_str(), row.first_name.as_str()), ("ann@x.org", "Ann"));
    }

    #[test]
    fn a_header_without_email_names_the_separator_it_seems_to_use() {
        let err = read(&b"mail;first_name;last_name\nann@x.org;Ann;Lee\n"[..]).err().unwrap().to_string();
        assert!(err.starts_with("csv: ") && err.contains("looks separated by ';'"), "{err}");
        let err = read(&b"name,first\n"[..]).err().unwrap().to_string();
        assert!(err.contains("no column is named email") && !err.contains("looks"), "{err}");
    }

    #[test]
    fn windows_1252_rows_are_named_with_their_line_and_the_rest_is_read() {
        // "Zoë" and "Müller" saved by Excel as Windows-1252.
        let file = b"email,first_name\r\nann@x.org,Ann\r\nzoe@x.org,Zo\xEB\r\nmax@x.org,M\xFCller\r\nbob@x.org,Bob\r\n";
        let got = rows(file);
        assert_eq!(got[0], (2, "ann@x.org".into()));
        assert_eq!(got[1].0, 3);
        assert!(got[1].1.contains("not UTF-8 text (byte 0xEB)") && got[1].1.contains("Windows-1252"), "{got:?}");
        assert_eq!(got[2].0, 4);
        assert_eq!(got[3], (5, "bob@x.org".into()));
    }

    #[test]
    fn a_bom_is_skipped_and_utf_16_is_refused() {
        assert_eq!(rows(b"\xEF\xBB\xBFemail\r\nann@x.org\r\n"), [(2, "ann@x.org".to_owned())]);
        let err = read(&b"\xFF\xFEe\0m\0a\0i\0l\0"[..]).err().unwrap().to_string();
        assert!(err.contains("UTF-16") && err.contains("not a UTF-8 CSV file"), "{err}");
    }
}
