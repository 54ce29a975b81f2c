//! Writing results: the one place that decides between a file and standard output.
//!
//! This module owns atomic file writes (temporary file in the target directory, flushed, then
//! renamed over the target, so a reader never sees half a report and a failed write leaves
//! nothing behind) and the rule that podplan never overwrites a design or catalog file.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why an output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The target is a design or catalog file (or one of this run's inputs).
    #[error("refusing to write {0}: podplan never overwrites a design or catalog file")]
    WouldOverwriteDesign(PathBuf),
    /// The file system refused.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The target.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Checks that `target` is neither a `.ron` file nor one of `inputs`.
pub fn guard(target: &Path, inputs: &[PathBuf]) -> Result<(), OutputError> {
    let is_ron = target
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ron"));
    let canon = |p: &Path| std::fs::canonicalize(p).ok();
    let same = canon(target).is_some_and(|t| inputs.iter().any(|i| canon(i).as_ref() == Some(&t)));
    if is_ron || same {
        Err(OutputError::WouldOverwriteDesign(target.to_path_buf()))
    } else {
        Ok(())
    }
}

/// Writes `bytes` to `target` atomically: temp file in the same directory, then rename.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let tmp = dir.join(format!(".{name}.podplan-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp).map_err(io(target))?;
        f.write_all(bytes).map_err(io(target))?;
        f.sync_all().map_err(io(target))?;
        std::fs::rename(&tmp, target).map_err(io(target))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Replaces the directory `target` as a whole with one holding `files` (name, bytes): the new
/// directory is written beside it under a temporary name, the old one (if any) is renamed
/// away, the new one renamed into place, and the old one removed. A reader sees the old
/// report or the new one, never a mix; a failure leaves the old one in place.
pub fn write_dir_atomic(target: &Path, files: &[(String, Vec<u8>)]) -> Result<(), OutputError> {
    let parent = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    let pid = std::process::id();
    let fresh = parent.join(format!(".{name}.podplan-new-{pid}"));
    let old = parent.join(format!(".{name}.podplan-old-{pid}"));
    let _ = std::fs::remove_dir_all(&fresh);
    let result = (|| {
        std::fs::create_dir(&fresh).map_err(io(&fresh))?;
        for (file, bytes) in files {
            if file.contains(['/', '\\']) || file.starts_with('.') {
                return Err(OutputError::Io {
                    path: fresh.join(file),
                    source: std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        "not a plain file name",
                    ),
                });
            }
            let path = fresh.join(file);
            let mut f = std::fs::File::create(&path).map_err(io(&path))?;
            f.write_all(bytes).map_err(io(&path))?;
            f.sync_all().map_err(io(&path))?;
        }
        if target.exists() {
            std::fs::rename(target, &old).map_err(io(target))?;
        }
        if let Err(e) = std::fs::rename(&fresh, target) {
            let _ = std::fs::rename(&old, target);
            return Err(OutputError::Io {
                path: target.to_path_buf(),
                source: e,
            });
        }
        let _ = std::fs::remove_dir_all(&old);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&fresh);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_ron_targets() {
        assert!(guard(Path::new("designs/x.ron"), &[]).is_err());
        assert!(guard(Path::new("out.json"), &[]).is_ok());
    }
}
