//! Reading an uploaded file into a table of text (server only): CSV (UTF-8 with or without a
//! byte-order mark, comma or semicolon, RFC 4180 quoting) or Excel `.xlsx` (the first sheet or a
//! chosen one). Every cell arrives as text — a formula as its formula, never its result.

use std::io::Cursor;

/// The largest file accepted, in bytes.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// The most rows accepted (the header not counted).
pub const MAX_ROWS: usize = 50_000;

/// A file's cells as text: its header row and its rows, each with its row number in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
    /// The sheets of a workbook (empty for CSV), so another can be chosen.
    pub sheets: Vec<String>,
}

/// What kind of file the bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// The format of a file by its content (an `.xlsx` is a zip archive), else its name.
pub fn format_of(name: &str, bytes: &[u8]) -> Result<Format, String> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok(Format::Xlsx);
    }
    let lower = name.to_lowercase();
    if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        return Err("This file is named .xlsx but is not an Excel workbook. Save it again from Excel as .xlsx, or as CSV.".into());
    }
    if lower.ends_with(".xls") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err("Old Excel files (.xls) are not read: save it as .xlsx or CSV.".into());
    }
    Ok(Format::Csv)
}

/// Reads `bytes` (the file called `name`); `sheet` picks a workbook's sheet by name.
pub fn read(name: &str, bytes: &[u8], sheet: Option<&str>) -> Result<Table, String> {
    if bytes.is_empty() {
        return Err("The file is empty.".into());
    }
    if bytes.len() > MAX_BYTES {
        return Err(format!(
            "The file is {:.1} MB; at most 20 MB can be imported at once. Split it into smaller files.",
            bytes.len() as f64 / 1_048_576.0
        ));
    }
    let table = match format_of(name, bytes)? {
        Format::Csv => read_csv(bytes)?,
        Format::Xlsx => read_xlsx(bytes, sheet)?,
    };
    if table.headers.iter().all(|h| h.trim().is_empty()) {
        return Err(
            "The file has no header row: its first row must name the columns (name, team, stage …).".into(),
        );
    }
    if table.rows.is_empty() {
        return Err("The file has a header row but no projects under it.".into());
    }
    Ok(table)
}

/// The field separator of a CSV file: a semicolon when its header line has more semicolons
/// than commas (as spreadsheets write CSV in much of Europe), else a comma.
pub fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    let (semicolons, commas) = header.chars().fold((0, 0), |(s, c), ch| match ch {
        ';' => (s + 1, c),
        ',' => (s, c + 1),
        _ => (s, c),
    });
    if semicolons > commas {
        b';'
    } else {
        b','
    }
}

fn read_csv(bytes: &[u8]) -> Result<Table, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(
            "This is not a CSV file (it holds binary data). Upload a CSV or an Excel .xlsx file.".into(),
        );
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "The file is not UTF-8 text (byte {} cannot be read). Save it as \"CSV UTF-8\".",
            e.valid_up_to() + 1
        )
    })?;
    // Quotes come in pairs ("" inside a quoted field is two): an odd count leaves one open, and
    // the reader would take the rest of the file as one cell.
    if text.matches('"').count() % 2 == 1 {
        let line = text
            .lines()
            .position(|l| l.matches('"').count() % 2 == 1)
            .map_or(1, |n| n + 1);
        return Err(format!(
            "The CSV cannot be read: a quote opened on line {line} is never closed. Check its quotes."
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut table = Table::default();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(index as u64 + 1);
            format!("The CSV cannot be read at line {line}: {e}. Check its quotes.")
        })?;
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        if index == 0 {
            table.headers = cells;
            continue;
        }
        push_row(&mut table, index + 1, cells)?;
    }
    Ok(table)
}

/// Adds a data row, unless it is blank; refuses past [`MAX_ROWS`].
fn push_row(table: &mut Table, number: usize, cells: Vec<String>) -> Result<(), String> {
    if cells.iter().all(|c| c.trim().is_empty()) {
        return Ok(());
    }
    if table.rows.len() == MAX_ROWS {
        return Err(format!(
            "The file has more than {MAX_ROWS} rows; at most {MAX_ROWS} can be imported at once. Split it."
        ));
    }
    table.rows.push((number, cells));
    Ok(())
}

fn read_xlsx(bytes: &[u8], sheet: Option<&str>) -> Result<Table, String> {
    use calamine::{Data, Reader, Xlsx};
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        format!("The workbook cannot be read ({e}). Save it again from Excel as .xlsx, or as CSV.")
    })?;
    let sheets = workbook.sheet_names();
    let name = match sheet.filter(|s| !s.trim().is_empty()) {
        Some(wanted) => sheets
            .iter()
            .find(|s| s.as_str() == wanted)
            .cloned()
            .ok_or_else(|| {
                format!(
                    "The workbook has no sheet called \"{wanted}\" (it has {}).",
                    sheets.join(", ")
                )
            })?,
        None => sheets.first().cloned().ok_or("The workbook has no sheets.")?,
    };
    let values = workbook
        .worksheet_range(&name)
        .map_err(|e| format!("The sheet \"{name}\" cannot be read ({e})."))?;
    // A cell with a formula is imported as its formula's text, never as what Excel computed.
    let formulas = workbook.worksheet_formula(&name).ok();
    let formula_at = |row: u32, col: u32| -> Option<String> {
        let formulas = formulas.as_ref()?;
        let text = formulas.get_value((row, col))?;
        (!text.is_empty()).then(|| format!("={text}"))
    };
    let (first_row, first_col) = values.start().unwrap_or((0, 0));
    let mut table = Table {
        sheets: sheets.clone(),
        ..Table::default()
    };
    for (offset, row) in values.rows().enumerate() {
        let row_index = first_row + offset as u32;
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                if let Some(formula) = formula_at(row_index, first_col + c as u32) {
                    return formula;
                }
                match cell {
                    Data::Empty => String::new(),
                    Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                    Data::Int(i) => i.to_string(),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
                    Data::Float(f) => f.to_string(),
                    Data::Bool(b) => b.to_string(),
                    Data::DateTime(d) => d
                        .as_datetime()
                        .map(|t| {
                            if t.time() == chrono::NaiveTime::MIN {
                                t.date().to_string()
                            } else {
                                t.to_string()
                            }
                        })
                        .unwrap_or_else(|| d.to_string()),
                    Data::Error(e) => format!("#{e:?}"),
                }
            })
            .collect();
        if offset == 0 {
            table.headers = cells;
            continue;
        }
        push_row(&mut table, row_index as usize + 1, cells)?;
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_reads_with_or_without_a_byte_order_mark_and_with_quotes() {
        let plain = read("p.csv", b"name,team\n\"Churn, v2\",\"Ops \"\"A\"\"\"\n", None).expect("read");
        assert_eq!(plain.headers, vec!["name", "team"]);
        assert_eq!(
            plain.rows,
            vec![(2, vec!["Churn, v2".to_owned(), "Ops \"A\"".to_owned()])]
        );
        let bom = read("p.csv", b"\xEF\xBB\xBFname,team\nChurn,Ops\n", None).expect("read");
        assert_eq!(bom.headers[0], "name", "the mark is not part of the first header");
    }

    #[test]
    fn a_semicolon_file_is_read_as_such_and_blank_rows_are_skipped_keeping_row_numbers() {
        let table = read(
            "p.csv",
            "name;team\r\nChurn;Ops, EMEA\r\n;\r\nFraud;Risk\r\n".as_bytes(),
            None,
        )
        .expect("read");
        assert_eq!(
            table.rows,
            vec![
                (2, vec!["Churn".to_owned(), "Ops, EMEA".to_owned()]),
                (4, vec!["Fraud".to_owned(), "Risk".to_owned()])
            ]
        );
    }

    #[test]
    fn a_formula_in_a_csv_stays_text() {
        let table = read("p.csv", b"name,team\n=1+1,=HYPERLINK(\"x\")\n", None).expect("read");
        assert_eq!(table.rows[0].1, vec!["=1+1", "=HYPERLINK(\"x\")"]);
    }

    const WORKBOOK: &[u8] = include_bytes!("fixtures/inventory.xlsx");

    #[test]
    fn a_workbook_reads_its_first_sheet_or_a_chosen_one_dates_as_days_and_formulas_as_text() {
        let table = read("inventory.xlsx", WORKBOOK, None).expect("read");
        assert_eq!(table.sheets, vec!["Inventory", "Archive"]);
        assert_eq!(
            table.headers,
            vec![
                "Project name",
                "Team",
                "Risk tier",
                "Stage",
                "Started on",
                "Budget"
            ]
        );
        assert_eq!(
            table.rows,
            vec![
                (
                    2,
                    vec![
                        "Churn model",
                        "Retention",
                        "Medium",
                        "Design",
                        "2026-03-02",
                        "1200"
                    ]
                ),
                (
                    3,
                    vec!["Fraud scoring", "Risk", "high", "define", "2025-11-20", "=F2*2"]
                ),
                (5, vec!["Claims triage", "Claims", "low", "build", "", ""]),
            ]
            .into_iter()
            .map(|(n, cells)| (n, cells.into_iter().map(String::from).collect::<Vec<_>>()))
            .collect::<Vec<_>>()
        );
        let archive = read("inventory.xlsx", WORKBOOK, Some("Archive")).expect("read");
        assert_eq!(archive.rows[0].1[0], "Old forecast");
        assert!(read("inventory.xlsx", WORKBOOK, Some("Nope"))
            .expect_err("no such sheet")
            .contains("no sheet called \"Nope\" (it has Inventory, Archive)"));
    }

    #[test]
    fn empty_binary_malformed_and_oversized_files_get_one_clear_message() {
        assert_eq!(read("p.csv", b"", None).expect_err("empty"), "The file is empty.");
        assert!(read("p.csv", b"name\n", None)
            .expect_err("no rows")
            .contains("no projects under it"));
        assert!(read("p.csv", b"name\x00\x01\x02", None)
            .expect_err("binary")
            .contains("binary data"));
        assert!(read("p.csv", b"name\n\xff\xfe", None)
            .expect_err("latin")
            .contains("not UTF-8"));
        assert!(read("p.csv", b"name,team\n\"open,quote\n", None)
            .expect_err("quote")
            .contains("cannot be read"));
        assert!(read("p.xlsx", b"name,team\n", None)
            .expect_err("not a workbook")
            .contains("not an Excel workbook"));
        assert!(read("p.xlsx", b"PK\x03\x04garbage", None)
            .expect_err("broken zip")
            .contains("cannot be read"));
        let big = vec![b'a'; MAX_BYTES + 1];
        assert!(read("p.csv", &big, None)
            .expect_err("big")
            .contains("at most 20 MB"));
        let mut many = String::from("name\n");
        for n in 0..=MAX_ROWS {
            many.push_str(&format!("P{n}\n"));
        }
        assert!(read("p.csv", many.as_bytes(), None)
            .expect_err("many")
            .contains("more than 50000 rows"));
    }
}
