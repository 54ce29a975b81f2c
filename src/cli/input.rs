//! The one loader of the command line: a design file (or the built-in design) read once,
//! validated, linted with one policy, and its warnings shown the same way by every command.
//!
//! Every command that works on designs gets them here; a design with errors is a [`CliError`]
//! carrying its diagnostics, which [`super::run`] prints.

use super::CliError;
use crate::diag::Diagnostic;
use crate::load::{self, Document, Loaded};
use crate::model::Pod;
use crate::validate::validate;
use std::io::Write;
use std::path::PathBuf;

/// A design loaded from its file, validated and linted.
pub(crate) struct Design {
    /// The design and catalogs as read (what-ifs such as `--drive` rebuild the pod from it).
    pub loaded: Loaded,
    /// The validated pod.
    pub pod: Pod,
    /// Its warnings (already shown).
    pub warnings: Vec<Diagnostic>,
    /// The file given, `None` for the built-in design.
    pub path: Option<PathBuf>,
}

impl Design {
    /// The design's name: its file's stem, or the built-in design's name.
    pub fn name(&self) -> String {
        self.path
            .as_ref()
            .and_then(|p| p.file_stem())
            .map_or("backblaze-pod-2.0".to_string(), |s| {
                s.to_string_lossy().into_owned()
            })
    }

    /// The files it was read from: the design and the catalogs it loads.
    pub fn files(&self) -> Vec<PathBuf> {
        self.path
            .iter()
            .cloned()
            .chain(self.loaded.catalogs.iter().map(|(c, _)| PathBuf::from(c)))
            .collect()
    }
}

/// The lints every command applies to a validated pod: the power budget's, the bill of
/// materials' and the measured figures' (model beside measurement).
pub(crate) fn lints(pod: &Pod) -> Vec<Diagnostic> {
    let mut d = crate::power::lint(pod, &crate::power::budget(pod));
    d.extend(crate::bom::lint(pod));
    d.extend(crate::study::measured::lint(pod));
    d
}

/// Shows warnings on standard error, one per line. Best effort: a warning that cannot be
/// shown does not stop the command.
pub(crate) fn show_warnings(err: &mut dyn Write, warnings: &[Diagnostic]) {
    let _ = super::write_diags(err, warnings);
}

/// A file given to a command: a design, or a catalog (named by its path).
enum Loadable {
    Design(Box<Design>),
    Catalog(String),
    Plan(String),
}

fn load_one(path: Option<&PathBuf>) -> Result<Loadable, CliError> {
    let doc = match path {
        Some(p) => load::load_file(p),
        None => load::builtin(),
    };
    from_doc(doc, path)
}

/// Validates and lints a loaded document (`path` is the file it came from, `None` for a
/// built-in design).
fn from_doc(
    doc: Result<Document, Vec<Diagnostic>>,
    path: Option<&PathBuf>,
) -> Result<Loadable, CliError> {
    let loaded: Loaded = match doc {
        Ok(Document::Design(l)) => *l,
        Ok(Document::Catalog(p, _)) => return Ok(Loadable::Catalog(p)),
        Ok(Document::Plan(p, _)) => return Ok(Loadable::Plan(p)),
        Err(diagnostics) => return Err(CliError::diagnostics(diagnostics)),
    };
    let outcome = validate(&loaded);
    let Some(pod) = outcome.pod else {
        let n = outcome.diagnostics.iter().filter(|d| d.is_error()).count();
        return Err(CliError::Diagnostics {
            diagnostics: outcome.diagnostics,
            summary: Some(format!(
                "{}: {n} error{} (run `podplan check` for all diagnostics)",
                loaded.path,
                if n == 1 { "" } else { "s" }
            )),
        });
    };
    let mut warnings = outcome.diagnostics;
    warnings.extend(lints(&pod));
    if warnings.iter().any(Diagnostic::is_error) {
        return Err(CliError::diagnostics(warnings));
    }
    Ok(Loadable::Design(Box::new(Design {
        loaded,
        pod,
        warnings,
        path: path.cloned(),
    })))
}

/// Loads one design (the built-in one when `path` is `None`) and shows its warnings; a catalog
/// is an error.
pub(crate) fn load_design(path: Option<&PathBuf>, err: &mut dyn Write) -> Result<Design, CliError> {
    match load_one(path)? {
        Loadable::Design(d) => {
            show_warnings(err, &d.warnings);
            Ok(*d)
        }
        Loadable::Catalog(p) => Err(not_a_design(&p)),
        Loadable::Plan(p) => Err(a_plan(&p)),
    }
}

/// Validates an already loaded document as a design (a built-in one by name, for a plan)
/// and shows its warnings.
pub(crate) fn load_design_doc(
    doc: Result<Document, Vec<Diagnostic>>,
    path: Option<&PathBuf>,
    err: &mut dyn Write,
) -> Result<Design, CliError> {
    match from_doc(doc, path)? {
        Loadable::Design(d) => {
            show_warnings(err, &d.warnings);
            Ok(*d)
        }
        Loadable::Catalog(p) => Err(not_a_design(&p)),
        Loadable::Plan(p) => Err(a_plan(&p)),
    }
}

/// The error for a plan given where a design is needed.
fn a_plan(path: &str) -> CliError {
    CliError::Line(format!(
        "{path}: this is a fleet plan, not a design; run `podplan plan {path}`"
    ))
}

/// The error for a catalog given where a design is needed.
fn not_a_design(path: &str) -> CliError {
    CliError::Line(format!(
        "{path}: this is a catalog, not a design; give a design file that loads it"
    ))
}

/// Loads one design and shows its warnings. A catalog is skipped with a note (`None`) when
/// `skip_catalogs`, an error otherwise.
pub(crate) fn load_or_skip(
    path: Option<&PathBuf>,
    skip_catalogs: bool,
    err: &mut dyn Write,
) -> Result<Option<Design>, CliError> {
    match load_one(path)? {
        Loadable::Design(d) => {
            show_warnings(err, &d.warnings);
            Ok(Some(*d))
        }
        Loadable::Catalog(p) if skip_catalogs => {
            let _ = writeln!(err, "{p}: a catalog, not a design; skipped");
            Ok(None)
        }
        Loadable::Catalog(p) => Err(not_a_design(&p)),
        Loadable::Plan(p) if skip_catalogs => {
            let _ = writeln!(
                err,
                "{p}: a fleet plan, not a design; skipped (run `podplan plan {p}`)"
            );
            Ok(None)
        }
        Loadable::Plan(p) => Err(a_plan(&p)),
    }
}

/// The designs and the fleet plans among the files given to `report` and `compare` (the
/// built-in design when none is given); catalogs are skipped with a note. Plans are returned
/// by path: the caller plans them.
pub(crate) fn load_designs_and_plans(
    paths: &[PathBuf],
    err: &mut dyn Write,
) -> Result<(Vec<Design>, Vec<PathBuf>), CliError> {
    if paths.is_empty() {
        return Ok((vec![load_design(None, err)?], Vec::new()));
    }
    let (mut designs, mut plans) = (Vec::new(), Vec::new());
    for p in paths {
        match load_one(Some(p))? {
            Loadable::Design(d) => {
                show_warnings(err, &d.warnings);
                designs.push(*d);
            }
            Loadable::Catalog(c) => {
                let _ = writeln!(err, "{c}: a catalog, not a design; skipped");
            }
            Loadable::Plan(_) => plans.push(p.clone()),
        }
    }
    if designs.is_empty() && plans.is_empty() {
        return Err(CliError::Message(
            "no design or plan among the files given".into(),
        ));
    }
    Ok((designs, plans))
}
