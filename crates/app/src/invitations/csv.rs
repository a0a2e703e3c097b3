//! Reading invitation rows from CSV: a header row naming `email` (required) and any of
//! `first_name`, `last_name`, `workspace`, `groups` (names separated by `;`), in any order.
//! Rows are read one at a time, so a file of any size is read in constant memory.

use super::InviteRow;
use crate::AppError;
use serde::Deserialize;
use std::io::Read;

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

/// Rows of a CSV file with their line numbers; a row that cannot be read is an `Err` with
/// the reason.
pub struct CsvRows<R: Read> {
    reader: csv::Reader<R>,
    headers: csv::StringRecord,
    record: csv::StringRecord,
}

/// Starts reading `input`; 400 when the header lacks an `email` column.
pub fn read<R: Read>(input: R) -> Result<CsvRows<R>, AppError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(input);
    let headers = reader.headers().map_err(|e| AppError::invalid("csv", format!("cannot read the header: {e}")))?;
    let headers: csv::StringRecord = headers.iter().map(|h| h.trim().to_lowercase().replace(' ', "_")).collect();
    if !headers.iter().any(|h| h == "email") {
        return Err(AppError::invalid(
            "csv",
            "the first line must be a header naming the columns: email,first_name,last_name,workspace,groups",
        ));
    }
    Ok(CsvRows { reader, headers, record: csv::StringRecord::new() })
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = (u64, Result<InviteRow, String>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let read = self.reader.read_record(&mut self.record);
            let line = self.record.position().map_or(0, csv::Position::line);
            return match read {
                Ok(false) => None,
                Err(e) => {
                    let line = e.position().map_or(line, csv::Position::line);
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        return Some((line, Err(format!("cannot read the file: {e}"))));
                    }
                    Some((line, Err(format!("not valid CSV: {e}"))))
                }
                Ok(true) if self.record.iter().all(str::is_empty) => continue,
                Ok(true) => Some((
                    line,
                    self.record
                        .deserialize::<CsvRow>(Some(&self.headers))
                        .map(|r| InviteRow {
                            email: r.email,
                            first_name: r.first_name,
                            last_name: r.last_name,
                            workspace: r.workspace,
                            groups: r
                                .groups
                                .split(';')
                                .map(str::trim)
                                .filter(|g| !g.is_empty())
                                .map(str::to_owned)
                                .collect(),
                        })
                        .map_err(|e| format!("cannot read the row: {e}")),
                )),
            };
        }
    }
}
