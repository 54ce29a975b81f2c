//! Report directories: writing one whole, marking it as podplan's, and replacing it only when
//! everything in it is podplan's.
//!
//! A report directory holds a manifest, [`MANIFEST`], naming every file podplan wrote into it.
//! podplan replaces an existing directory only when it is such a report and holds nothing but
//! the files its manifest lists: no other file, no `.ron` file, no input of the run. Anything
//! else is refused with the reason, and nothing is moved. Any existing path that is not a
//! directory is never moved or replaced.
//!
//! The new report is written completely beside the old one (`.NAME.podplan-new-PID`), then the
//! two are swapped in one step with `renameat2(RENAME_EXCHANGE)` where the kernel and file
//! system offer it, so the name always points at a complete report. Elsewhere the old report is
//! first parked (`.NAME.podplan-old-PID`) and the new one renamed into place; a run killed
//! between those two renames leaves the name empty for a moment, and the next run that writes
//! into the same directory restores the parked report ([`recover`]). The old report is then
//! removed file by file, by its manifest, so nothing it did not list can go with it.

use super::stale::{self, Leftover};
use super::{OutputError, io, kind_of, parent_of, sync_dir};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The name of the manifest in every report directory podplan writes.
pub const MANIFEST: &str = "podplan-manifest.json";

/// What the manifest says: the files podplan wrote into the directory (besides itself).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    /// What wrote the directory: always `"podplan report"`.
    written_by: String,
    /// The files podplan wrote, by name.
    files: Vec<String>,
}

const WRITTEN_BY: &str = "podplan report";

fn manifest_bytes(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let m = Manifest {
        written_by: WRITTEN_BY.into(),
        files: files.iter().map(|(n, _)| n.clone()).collect(),
    };
    let mut text = serde_json::to_string_pretty(&m).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}

/// The files a directory's manifest lists, or `None` when it has no readable podplan manifest.
fn read_manifest(dir: &Path) -> Option<BTreeSet<String>> {
    let path = dir.join(MANIFEST);
    let meta = std::fs::symlink_metadata(&path).ok()?;
    // A manifest is a few hundred bytes; anything large is not one of ours.
    if !meta.is_file() || meta.len() > 1 << 20 {
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let m: Manifest = serde_json::from_str(&text).ok()?;
    (m.written_by == WRITTEN_BY).then(|| m.files.into_iter().collect())
}

fn refuse(path: &Path, why: impl Into<String>) -> OutputError {
    OutputError::NotReplaceable {
        path: path.to_path_buf(),
        why: why.into(),
    }
}

fn is_ron_name(name: &str) -> bool {
    Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ron"))
}

/// Splits a report target into its directory and its own name. `.`, `..` and the root have no
/// name of their own and are refused: a report replaces a directory as a whole.
fn split(target: &Path) -> Result<(PathBuf, String), OutputError> {
    let name = target
        .file_name()
        .filter(|_| {
            !matches!(
                target.components().next_back(),
                Some(std::path::Component::ParentDir | std::path::Component::CurDir)
            )
        })
        .ok_or_else(|| {
            refuse(
                target,
                "a report replaces its directory as a whole; give a directory of its own (e.g. --out reports), not . or ..",
            )
        })?;
    let name = name
        .to_str()
        .ok_or_else(|| refuse(target, "the directory name is not valid UTF-8"))?;
    Ok((parent_of(target), name.to_string()))
}

/// Checks that the report directory `target` may be written: it does not exist, or it is an
/// empty directory, or a report podplan wrote that holds only the files its manifest lists, no
/// `.ron` file and no input of this run (`inputs`, compared after resolving links and `..`).
pub fn check_replaceable(target: &Path, inputs: &[PathBuf]) -> Result<(), OutputError> {
    split(target)?;
    let meta = match std::fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(target)(e)),
    };
    if meta.file_type().is_symlink() {
        return Err(refuse(
            target,
            "it is a symbolic link; podplan replaces only report directories it wrote itself",
        ));
    }
    if !meta.is_dir() {
        return Err(refuse(
            target,
            format!(
                "it exists and is {}, not a report directory; podplan never moves or replaces a file (choose another --out, or rename the design file)",
                kind_of(&meta.file_type())
            ),
        ));
    }
    if let Ok(canon) = std::fs::canonicalize(target) {
        for i in inputs {
            if std::fs::canonicalize(i).is_ok_and(|c| c.starts_with(&canon)) {
                return Err(refuse(
                    target,
                    format!("it contains {}, an input of this run", i.display()),
                ));
            }
        }
    }
    let mut entries = Vec::new();
    for e in std::fs::read_dir(target).map_err(io(target))? {
        let e = e.map_err(io(target))?;
        let name = e.file_name().to_string_lossy().into_owned();
        let file_type = e.file_type().map_err(io(target))?;
        entries.push((name, file_type));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    if entries.is_empty() {
        return Ok(());
    }
    if let Some((ron, _)) = entries.iter().find(|(n, _)| is_ron_name(n)) {
        return Err(refuse(
            target,
            format!(
                "it contains {ron}, a design file; podplan never replaces a directory that holds one"
            ),
        ));
    }
    let Some(listed) = read_manifest(target) else {
        return Err(refuse(
            target,
            format!(
                "it is not a report podplan wrote (it has no {MANIFEST}); podplan replaces only its own reports. Choose another --out, or move the directory away yourself"
            ),
        ));
    };
    let foreign: Vec<&str> = entries
        .iter()
        .filter(|(n, t)| !(t.is_file() && (n == MANIFEST || listed.contains(n))))
        .map(|(n, _)| n.as_str())
        .collect();
    if !foreign.is_empty() {
        let shown: Vec<&str> = foreign.iter().take(5).copied().collect();
        let more = foreign.len() - shown.len();
        return Err(refuse(
            target,
            format!(
                "it holds {} that podplan did not write ({}{}); move {} away first",
                if foreign.len() == 1 {
                    "an entry"
                } else {
                    "entries"
                },
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                },
                if foreign.len() == 1 { "it" } else { "them" },
            ),
        ));
    }
    Ok(())
}

/// Removes a directory podplan wrote, file by file: every entry must be a regular file that its
/// manifest lists (or the manifest itself). A directory with anything else in it is left as it
/// is and `false` returned.
fn remove_report(dir: &Path) -> bool {
    let listed = read_manifest(dir).unwrap_or_default();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let mut files = Vec::new();
    for e in entries {
        let Ok(e) = e else { return false };
        let name = e.file_name().to_string_lossy().into_owned();
        let ours = e.file_type().is_ok_and(|t| t.is_file())
            && (name == MANIFEST || listed.contains(&name));
        if !ours {
            return false;
        }
        files.push(e.path());
    }
    // The manifest goes last, so an interrupted removal still knows what it may remove.
    files.sort_by_key(|p| p.file_name().is_some_and(|n| n == MANIFEST));
    for f in &files {
        if std::fs::remove_file(f).is_err() {
            return false;
        }
    }
    std::fs::remove_dir(dir).is_ok()
}

/// Repairs what interrupted report writes left in `parent`: a parked old report whose name is
/// empty is renamed back; other leftovers of processes that are gone are removed by their
/// manifests (see `stale`). Returns one note per thing done, for the user.
pub fn recover(parent: &Path) -> Vec<String> {
    let mut notes = Vec::new();
    let mut leftovers = stale::stale_in(parent);
    // Parked reports first: restoring one may decide what a staging directory is.
    leftovers.sort_by_key(|(_, k)| !matches!(k, Leftover::Parked { .. }));
    for (entry, kind) in leftovers {
        let path = parent.join(&entry);
        match kind {
            Leftover::TempFile { .. } => {
                if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file())
                    && std::fs::remove_file(&path).is_ok()
                {
                    notes.push(format!(
                        "removed {}, left by an interrupted run",
                        path.display()
                    ));
                }
            }
            Leftover::Parked { name, .. } => {
                let home = parent.join(&name);
                if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
                    continue;
                }
                if std::fs::symlink_metadata(&home).is_err() {
                    if std::fs::rename(&path, &home).is_ok() {
                        notes.push(format!(
                            "restored {} from an interrupted run",
                            home.display()
                        ));
                    }
                } else if remove_report(&path) {
                    notes.push(format!(
                        "removed {}, the old report of an interrupted run",
                        path.display()
                    ));
                }
            }
            Leftover::Staging { .. } => {
                if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir())
                    && remove_report(&path)
                {
                    notes.push(format!(
                        "removed {}, left by an interrupted run",
                        path.display()
                    ));
                }
            }
        }
    }
    notes
}

/// A point in [`write_report_dir`] where a test may stop the write as a kill would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// The staging directory exists, empty.
    Staged,
    /// The manifest is written.
    Manifest,
    /// File `i` of the report is written.
    File(usize),
    /// The new and old reports have been exchanged; the old one sits under the staging name.
    Exchanged,
    /// Fallback: the old report is parked under its `-old` name; the name is empty.
    Parked,
    /// The new report is under its name.
    Placed,
}

/// How a write runs: whether it may use the atomic exchange, and a test's stop points.
pub(crate) struct Hooks<'a> {
    /// Use `renameat2(RENAME_EXCHANGE)` where available (tests turn it off to exercise the
    /// fallback).
    pub exchange: bool,
    /// Called at each [`Step`]; `false` stops the write there, leaving everything as a kill
    /// would.
    pub at: &'a mut dyn FnMut(Step) -> bool,
}

fn killed() -> OutputError {
    OutputError::Io {
        path: PathBuf::new(),
        source: std::io::Error::other("stopped by a test"),
    }
}

/// Writes the report `files` (name, bytes) as the directory `target`, replacing the report
/// there if [`check_replaceable`] allows it, so that `target` always names a complete report.
/// Returns notes on what it repaired from interrupted runs.
pub fn write_report_dir(
    target: &Path,
    files: &[(String, Vec<u8>)],
    inputs: &[PathBuf],
) -> Result<Vec<String>, OutputError> {
    write_report_dir_with(
        target,
        files,
        inputs,
        &mut Hooks {
            exchange: true,
            at: &mut |_| true,
        },
    )
}

pub(crate) fn write_report_dir_with(
    target: &Path,
    files: &[(String, Vec<u8>)],
    inputs: &[PathBuf],
    hooks: &mut Hooks<'_>,
) -> Result<Vec<String>, OutputError> {
    let (parent, name) = split(target)?;
    for (file, _) in files {
        let plain = !file.is_empty()
            && !file.contains(['/', '\\'])
            && !file.starts_with('.')
            && file != MANIFEST
            && !is_ron_name(file);
        if !plain {
            return Err(OutputError::Io {
                path: target.join(file),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "not a plain report file name",
                ),
            });
        }
    }
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let notes = recover(&parent);
    let target = parent.join(&name);
    check_replaceable(&target, inputs)?;
    let pid = std::process::id();
    let staging = parent.join(stale::staging_name(&name, pid));
    let _claim = stale::claim(&staging);
    std::fs::create_dir(&staging).map_err(io(&staging))?;
    let written = (|| {
        if !(hooks.at)(Step::Staged) {
            return Err(killed());
        }
        let manifest = [(MANIFEST.to_string(), manifest_bytes(files))];
        for (i, (file, bytes)) in manifest.iter().chain(files).enumerate() {
            let path = staging.join(file);
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(io(&path))?;
            f.write_all(bytes).map_err(io(&path))?;
            let step = if i == 0 {
                Step::Manifest
            } else {
                Step::File(i - 1)
            };
            if !(hooks.at)(step) {
                return Err(killed());
            }
        }
        sync_staged(&staging, manifest.iter().chain(files).map(|(f, _)| f))
    })();
    if let Err(e) = written {
        if !is_killed(&e) {
            remove_report(&staging);
        }
        return Err(e);
    }
    let placed = if std::fs::symlink_metadata(&target).is_ok() {
        swap(&staging, &target, &parent, &name, hooks)
    } else {
        place(&staging, &target).and_then(|()| {
            if (hooks.at)(Step::Placed) {
                Ok(())
            } else {
                Err(killed())
            }
        })
    };
    if let Err(e) = placed {
        if !is_killed(&e) && std::fs::symlink_metadata(&staging).is_ok() {
            remove_report(&staging);
        }
        return Err(e);
    }
    sync_dir(&parent);
    Ok(notes)
}

/// Makes the staged files durable before the directory is renamed into place, so a crash after
/// the rename can never expose a report whose files are empty. One `syncfs` on the staging
/// directory's file system replaces an `fsync` per file (issue 17: 172 fsyncs for seven
/// designs were most of `report`'s wall time on a busy disk); where `syncfs` is unavailable
/// each file and the directory are synced in turn.
fn sync_staged<'a>(
    staging: &Path,
    names: impl Iterator<Item = &'a String>,
) -> Result<(), OutputError> {
    #[cfg(target_os = "linux")]
    if let Ok(dir) = std::fs::File::open(staging)
        && rustix::fs::syncfs(&dir).is_ok()
    {
        return Ok(());
    }
    for name in names {
        let path = staging.join(name);
        std::fs::File::open(&path)
            .and_then(|f| f.sync_all())
            .map_err(io(&path))?;
    }
    sync_dir(staging);
    Ok(())
}

fn is_killed(e: &OutputError) -> bool {
    matches!(e, OutputError::Io { path, source } if path.as_os_str().is_empty() && source.kind() == std::io::ErrorKind::Other)
}

/// Replaces the report at `target` by the complete one at `staging`.
fn swap(
    staging: &Path,
    target: &Path,
    parent: &Path,
    name: &str,
    hooks: &mut Hooks<'_>,
) -> Result<(), OutputError> {
    if hooks.exchange && exchange(staging, target).map_err(io(target))? {
        // The old report now sits under the staging name.
        if !(hooks.at)(Step::Exchanged) {
            return Err(killed());
        }
        remove_report(staging);
        return Ok(());
    }
    let parked = parent.join(stale::parked_name(name, std::process::id()));
    let _claim = stale::claim(&parked);
    std::fs::rename(target, &parked).map_err(io(target))?;
    if !(hooks.at)(Step::Parked) {
        return Err(killed());
    }
    if let Err(e) = std::fs::rename(staging, target) {
        // Put the old report back; the caller removes the staging directory.
        let _ = std::fs::rename(&parked, target);
        return Err(io(target)(e));
    }
    if !(hooks.at)(Step::Placed) {
        return Err(killed());
    }
    remove_report(&parked);
    Ok(())
}

/// Exchanges two directories atomically. `Ok(false)` when this system cannot (then the caller
/// falls back to two renames).
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use rustix::io::Errno;
        match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
            Ok(()) => Ok(true),
            Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = (a, b);
        Ok(false)
    }
}

/// Renames the complete report at `staging` to `target`, which does not exist; where the system
/// can, it refuses to replace anything that appeared there meanwhile.
fn place(staging: &Path, target: &Path) -> Result<(), OutputError> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use rustix::io::Errno;
        match renameat_with(CWD, staging, CWD, target, RenameFlags::NOREPLACE) {
            Ok(()) => return Ok(()),
            Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => {}
            Err(e) => return Err(io(target)(e.into())),
        }
    }
    std::fs::rename(staging, target).map_err(io(target))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(tag: &str) -> Vec<(String, Vec<u8>)> {
        (0..4)
            .map(|i| (format!("f{i}.txt"), format!("{tag} {i}\n").into_bytes()))
            .collect()
    }

    /// The report under `target` is complete: its manifest lists exactly its files, and every
    /// file carries the same tag. Returns the tag.
    fn complete_tag(target: &Path) -> String {
        let listed = read_manifest(target).expect("a manifest");
        let mut tags = BTreeSet::new();
        let mut present = BTreeSet::new();
        for e in std::fs::read_dir(target).expect("a directory") {
            let e = e.expect("entry");
            let n = e.file_name().to_string_lossy().into_owned();
            if n == MANIFEST {
                continue;
            }
            let text = std::fs::read_to_string(e.path()).expect("text");
            tags.insert(text.split(' ').next().unwrap_or("").to_string());
            present.insert(n);
        }
        assert_eq!(present, listed, "{}", target.display());
        assert_eq!(tags.len(), 1, "{tags:?}");
        tags.into_iter().next().unwrap_or_default()
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// Every stop point of a replacement, with and without the atomic exchange: the name
    /// always holds a complete report (old or new) or, only in the fallback's gap, nothing;
    /// the next write repairs the directory and leaves no leftovers.
    #[test]
    fn a_write_stopped_anywhere_leaves_a_complete_report_and_is_repaired() {
        for exchange in [true, false] {
            for stop in 0..20 {
                let tmp = tempfile::tempdir().expect("tempdir");
                let target = tmp.path().join("pod");
                write_report_dir(&target, &files("old"), &[]).expect("first write");
                let mut n = 0;
                let mut at = |_: Step| {
                    n += 1;
                    n != stop
                };
                let result = write_report_dir_with(
                    &target,
                    &files("new"),
                    &[],
                    &mut Hooks {
                        exchange,
                        at: &mut at,
                    },
                );
                let gap = !exchange && std::fs::symlink_metadata(&target).is_err();
                if !gap {
                    let tag = complete_tag(&target);
                    assert!(result.is_ok() || tag == "old" || tag == "new");
                }
                // The next run: recovery, then a complete new report and nothing else.
                write_report_dir(&target, &files("next"), &[]).expect("next write");
                assert_eq!(complete_tag(&target), "next");
                assert_eq!(entries(tmp.path()), vec!["pod".to_string()], "stop {stop}");
            }
        }
    }

    #[test]
    fn a_parked_report_is_restored_when_its_name_is_empty() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let target = tmp.path().join("pod");
        write_report_dir(&target, &files("old"), &[]).expect("write");
        let mut at = |s: Step| s != Step::Parked;
        let r = write_report_dir_with(
            &target,
            &files("new"),
            &[],
            &mut Hooks {
                exchange: false,
                at: &mut at,
            },
        );
        assert!(r.is_err());
        assert!(std::fs::symlink_metadata(&target).is_err(), "in the gap");
        let notes = recover(tmp.path());
        assert_eq!(complete_tag(&target), "old");
        assert!(notes.iter().any(|n| n.starts_with("restored")), "{notes:?}");
        assert_eq!(entries(tmp.path()), vec!["pod".to_string()]);
    }

    #[test]
    fn refuses_directories_podplan_did_not_write() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let d = tmp.path().join("mine");
        std::fs::create_dir(&d).expect("mkdir");
        std::fs::write(d.join("notes.txt"), "keep").expect("write");
        let e = write_report_dir(&d, &files("x"), &[]).expect_err("refused");
        assert!(e.to_string().contains("no podplan-manifest.json"), "{e}");
        assert_eq!(
            std::fs::read_to_string(d.join("notes.txt")).ok().as_deref(),
            Some("keep")
        );
        // A file added to a report podplan wrote.
        let r = tmp.path().join("rep");
        write_report_dir(&r, &files("a"), &[]).expect("write");
        std::fs::write(r.join("mine.txt"), "keep").expect("write");
        let e = write_report_dir(&r, &files("b"), &[]).expect_err("refused");
        assert!(e.to_string().contains("mine.txt"), "{e}");
        assert_eq!(complete_tag_ignoring(&r, "mine.txt"), "a");
        // A file where the directory would go.
        let f = tmp.path().join("file");
        std::fs::write(&f, "keep").expect("write");
        assert!(write_report_dir(&f, &files("c"), &[]).is_err());
        assert_eq!(std::fs::read_to_string(&f).ok().as_deref(), Some("keep"));
        // No leftovers from refused writes.
        assert_eq!(entries(tmp.path()), vec!["file", "mine", "rep"]);
    }

    fn complete_tag_ignoring(dir: &Path, extra: &str) -> String {
        let text = std::fs::read_to_string(dir.join("f0.txt")).expect("f0");
        assert!(dir.join(extra).exists());
        text.split(' ').next().unwrap_or("").to_string()
    }
}
