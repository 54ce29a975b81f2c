//! Reading design, catalog and plan files: text → `spec`, with `path:line:col` syntax errors.
//!
//! This module owns file I/O for inputs and the built-in designs embedded in the binary. It
//! resolves a design's `catalogs` relative to the design's directory. It does not check
//! meaning (that is `validate`) and it never writes.

use crate::diag::{Code, Diagnostic};
use crate::spec::{Catalog, Design};
use std::path::{Path, PathBuf};

/// The designs shipped in `designs/`, embedded so the binary works anywhere: (file name, text).
pub const EMBEDDED: &[(&str, &str)] = &[
    ("catalog.ron", include_str!("../designs/catalog.ron")),
    (
        "backblaze-pod-1.0.ron",
        include_str!("../designs/backblaze-pod-1.0.ron"),
    ),
    (
        "backblaze-pod-2.0.ron",
        include_str!("../designs/backblaze-pod-2.0.ron"),
    ),
    (
        "backblaze-pod-3.0.ron",
        include_str!("../designs/backblaze-pod-3.0.ron"),
    ),
    (
        "backblaze-pod-4.0.ron",
        include_str!("../designs/backblaze-pod-4.0.ron"),
    ),
    (
        "backblaze-pod-4.5.ron",
        include_str!("../designs/backblaze-pod-4.5.ron"),
    ),
    (
        "backblaze-pod-5.0.ron",
        include_str!("../designs/backblaze-pod-5.0.ron"),
    ),
    (
        "backblaze-pod-6.0.ron",
        include_str!("../designs/backblaze-pod-6.0.ron"),
    ),
    (
        "catalog-servers.ron",
        include_str!("../designs/catalog-servers.ron"),
    ),
    (
        "server-24-bay-nvme.ron",
        include_str!("../designs/server-24-bay-nvme.ron"),
    ),
    (
        "server-45-bay-sas-hba.ron",
        include_str!("../designs/server-45-bay-sas-hba.ron"),
    ),
    (
        "server-60-bay-dual-path.ron",
        include_str!("../designs/server-60-bay-dual-path.ron"),
    ),
    (
        "pod-6.0-zfs-16tb.ron",
        include_str!("../designs/pod-6.0-zfs-16tb.ron"),
    ),
];

/// A design file and the catalogs it loads, parsed but not yet checked.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Path (or built-in name) of the design file, as shown in messages.
    pub path: String,
    /// The parsed design.
    pub design: Design,
    /// Each loaded catalog with the path it came from.
    pub catalogs: Vec<(String, Catalog)>,
}

/// What a file turned out to be.
#[derive(Debug, Clone)]
pub enum Document {
    /// A design with its catalogs.
    Design(Box<Loaded>),
    /// A catalog on its own.
    Catalog(String, Catalog),
    /// A fleet plan (`Plan(...)`), named by its path; its design is loaded by `podplan plan`.
    Plan(String, Box<crate::plan::PlanSpec>),
}

/// The largest design or catalog file podplan reads: 16 MiB. A real design is tens of
/// kilobytes; the limit only stops a runaway input (`/dev/zero`, a wrong file) from filling
/// memory.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// How much of a source line a syntax error shows around the column: enough to read, never a
/// megabyte of one-line file.
const SHOWN_LINE_CHARS: usize = 100;

/// Why an input file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file system refused (missing, no permission, an I/O error).
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// A directory, FIFO, device or socket: refused before opening, so nothing blocks.
    #[error("cannot read: it is {0}, not a regular file")]
    NotAFile(&'static str),
    /// Larger than [`MAX_FILE_BYTES`].
    #[error(
        "cannot read: larger than {} MiB, far beyond any design; is it the right file?",
        MAX_FILE_BYTES >> 20
    )]
    TooLarge,
    /// Not UTF-8; the offset of the first invalid byte.
    #[error("cannot read: not UTF-8 text (invalid byte at offset {0})")]
    NotUtf8(usize),
}

/// Reads an input file: only a regular file (a FIFO or device is refused before it is opened,
/// so nothing blocks), at most [`MAX_FILE_BYTES`], as UTF-8.
pub(crate) fn read_input(path: &Path) -> Result<String, InputError> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(InputError::NotAFile(crate::output::kind_of(
            &meta.file_type(),
        )));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(InputError::TooLarge);
    }
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    // The file may grow after the check: read one byte past the limit to notice.
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, MAX_FILE_BYTES + 1),
        &mut bytes,
    )?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(InputError::TooLarge);
    }
    String::from_utf8(bytes).map_err(|e| InputError::NotUtf8(e.utf8_error().valid_up_to()))
}

/// The part of `line` shown under a syntax error, and the caret's column within it: the whole
/// line when it is short, else a window of [`SHOWN_LINE_CHARS`] around `col` (1-based, in
/// characters), with `…` where it was cut.
fn shown_line(line: &str, col: usize) -> (String, usize) {
    let n = line.chars().count();
    if n <= SHOWN_LINE_CHARS {
        return (line.to_string(), col);
    }
    let col0 = col.saturating_sub(1).min(n);
    let start = col0.saturating_sub(SHOWN_LINE_CHARS / 2);
    let end = (start + SHOWN_LINE_CHARS).min(n);
    let start = end.saturating_sub(SHOWN_LINE_CHARS);
    let mut shown: String = line.chars().skip(start).take(end - start).collect();
    let mut caret = col0 - start + 1;
    if start > 0 {
        shown.insert(0, '…');
        caret += 1;
    }
    if end < n {
        shown.push('…');
    }
    (shown, caret)
}

/// Cuts a message to at most `max` characters, marking the cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max).collect();
        s.push('…');
        s
    }
}

fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// Parses RON text into `T`, turning a syntax error into a diagnostic with line, column and
/// the offending line.
pub fn parse<T: serde::de::DeserializeOwned>(path: &str, text: &str) -> Result<T, Box<Diagnostic>> {
    ron_options().from_str::<T>(text).map_err(|e| {
        let (line, col) = (e.span.start.line, e.span.start.col);
        let source_line = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
        let (source_line, caret_col) = shown_line(source_line, col);
        let caret = format!("{}^", " ".repeat(caret_col.saturating_sub(1)));
        let mut d = Diagnostic::error(
            Code::Syntax,
            path,
            "",
            format!(
                "{}\n  | {source_line}\n  | {caret}",
                cut(&e.code.to_string(), 300)
            ),
        );
        d.line_col = Some((line, col));
        Box::new(d)
    })
}

/// Serializes a spec value back to RON text (used by tests and tools that write designs).
pub fn to_ron<T: serde::Serialize>(value: &T) -> Result<String, ron::Error> {
    let pretty = ron::ser::PrettyConfig::new().struct_names(true);
    ron_options().to_string_pretty(value, pretty)
}

/// The first word of the text after leading comments and whitespace: `Catalog`, `Plan`,
/// `Design`.
fn starts_with_word(text: &str, word: &str) -> bool {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, after)| after);
        } else {
            break;
        }
    }
    rest.strip_prefix(word)
        .is_some_and(|r| !r.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
}

/// True when the text is a sweep file (`Sweep(` after leading comments and whitespace).
pub(crate) fn is_sweep(text: &str) -> bool {
    starts_with_word(text, "Sweep")
}

/// True when the text is a fleet plan (`Plan(` after leading comments and whitespace).
pub(crate) fn is_plan(text: &str) -> bool {
    starts_with_word(text, "Plan")
}

/// Where catalog files are read from: the file system next to the design, or the embedded set.
trait Source {
    fn read(&self, name: &str) -> Result<(String, String), String>;
}

struct FileSystem<'a>(&'a Path);

impl Source for FileSystem<'_> {
    fn read(&self, name: &str) -> Result<(String, String), String> {
        let p: PathBuf = self.0.join(name);
        let shown = p.display().to_string();
        read_input(&p)
            .map(|t| (shown.clone(), t))
            .map_err(|e| format!("{shown}: {e}"))
    }
}

struct Embedded;

impl Source for Embedded {
    fn read(&self, name: &str) -> Result<(String, String), String> {
        EMBEDDED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, t)| (format!("<built-in>/{n}"), (*t).to_string()))
            .ok_or_else(|| format!("no built-in file named {name:?}"))
    }
}

fn load_text(path: &str, text: &str, src: &dyn Source) -> Result<Document, Vec<Diagnostic>> {
    if starts_with_word(text, "Plan") {
        let plan = parse::<crate::plan::PlanSpec>(path, text).map_err(|d| vec![*d])?;
        return Ok(Document::Plan(path.to_string(), Box::new(plan)));
    }
    if is_sweep(text) {
        return Err(vec![Diagnostic::error(
            Code::Syntax,
            path,
            "",
            format!("a sweep file, not a design: run `podplan sweep {path}`"),
        )]);
    }
    if starts_with_word(text, "Catalog") {
        let cat = parse::<Catalog>(path, text).map_err(|d| vec![*d])?;
        return Ok(Document::Catalog(path.to_string(), cat));
    }
    let design = parse::<Design>(path, text).map_err(|d| vec![*d])?;
    let mut catalogs = Vec::new();
    let mut errors = Vec::new();
    for (i, name) in design.catalogs.iter().enumerate() {
        let place = format!("catalogs[{i}]");
        match src.read(name) {
            Err(msg) => errors.push(Diagnostic::error(Code::CatalogLoad, path, place, msg)),
            Ok((cpath, ctext)) => match parse::<Catalog>(&cpath, &ctext) {
                Ok(c) => catalogs.push((cpath, c)),
                Err(d) => errors.push(*d),
            },
        }
    }
    if errors.is_empty() {
        Ok(Document::Design(Box::new(Loaded {
            path: path.to_string(),
            design,
            catalogs,
        })))
    } else {
        Err(errors)
    }
}

/// Loads a design or catalog file from disk.
pub fn load_file(path: &Path) -> Result<Document, Vec<Diagnostic>> {
    let shown = path.display().to_string();
    let text = read_input(path)
        .map_err(|e| vec![Diagnostic::error(Code::Io, &shown, "", e.to_string())])?;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    load_text(&shown, &text, &FileSystem(dir))
}

/// Loads design text that lives in memory; catalogs resolve against `dir`.
pub fn load_str(path: &str, text: &str, dir: &Path) -> Result<Document, Vec<Diagnostic>> {
    load_text(path, text, &FileSystem(dir))
}

/// Loads an embedded file by its name in `designs/` (e.g. `"backblaze-pod-1.0.ron"`).
pub fn load_embedded(name: &str) -> Result<Document, Vec<Diagnostic>> {
    let (path, text) = Embedded
        .read(name)
        .map_err(|m| vec![Diagnostic::error(Code::Io, name, "", m)])?;
    load_text(&path, &text, &Embedded)
}

/// The built-in default design: Backblaze Storage Pod 2.0.
pub fn builtin() -> Result<Document, Vec<Diagnostic>> {
    load_embedded("backblaze-pod-2.0.ron")
}
