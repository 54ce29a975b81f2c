//! Writing results: the one place that decides between a file and standard output, and the
//! rules that keep podplan from destroying anything it did not write.
//!
//! This module owns atomic file writes (a temporary file beside the target, flushed, then
//! renamed over it, so a reader never sees half a file and a failed write leaves nothing
//! behind), the refusal to write anywhere but a regular file, and the rule that podplan never
//! overwrites a design, a catalog or an input of the run. Report directories are
//! [`dir`]'s; the clean-up of what killed runs left behind is `stale`'s.

pub mod dir;
pub(crate) mod stale;

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why an output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The target is a design or catalog file (or one of this run's inputs).
    #[error("refusing to write {0}: podplan never overwrites a design or catalog file")]
    WouldOverwriteDesign(PathBuf),
    /// The target exists and is not a regular file (a directory, device, FIFO or socket).
    #[error(
        "refusing to write {path}: it is {kind}; --output writes only to a regular file (or `-` for standard output)"
    )]
    NotRegularFile {
        /// The target.
        path: PathBuf,
        /// What it is instead, with its article ("a directory").
        kind: &'static str,
    },
    /// A report directory that podplan may not replace.
    #[error("refusing to replace {path}: {why}")]
    NotReplaceable {
        /// The directory.
        path: PathBuf,
        /// Why, in words a user can act on.
        why: String,
    },
    /// The file system refused.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The target.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Where an `--output` argument sends the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sink {
    /// Standard output: `-`, `/dev/stdout`, `/dev/fd/1` or `/proc/self/fd/1`.
    Stdout,
    /// A file, written atomically.
    File(PathBuf),
}

/// Sorts an `--output` argument: the names of standard output go there, anything else is a file.
pub(crate) fn sink(path: &Path) -> Sink {
    let s = path.as_os_str();
    if s == "-" || s == "/dev/stdout" || s == "/dev/fd/1" || s == "/proc/self/fd/1" {
        Sink::Stdout
    } else {
        Sink::File(path.to_path_buf())
    }
}

/// The article and noun for a file type that is not a regular file.
pub(crate) fn kind_of(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

fn is_ron(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("ron"))
}

/// Checks that `target` is neither a `.ron` file nor one of `inputs` (compared after
/// resolving `..` and symbolic links).
pub(crate) fn guard(target: &Path, inputs: &[PathBuf]) -> Result<(), OutputError> {
    let canon = |p: &Path| std::fs::canonicalize(p).ok();
    let same = canon(target).is_some_and(|t| inputs.iter().any(|i| canon(i).as_ref() == Some(&t)));
    if is_ron(target) || same {
        Err(OutputError::WouldOverwriteDesign(target.to_path_buf()))
    } else {
        Ok(())
    }
}

/// Resolves where a file write lands: a symbolic link is followed to the file it names (which
/// is written, not the link replaced), and the result must be a regular file or not exist.
fn resolve_file_target(target: &Path) -> Result<PathBuf, OutputError> {
    let real = match std::fs::symlink_metadata(target) {
        Ok(m) if m.file_type().is_symlink() => match std::fs::canonicalize(target) {
            Ok(p) => p,
            Err(_) => {
                return Err(OutputError::NotRegularFile {
                    path: target.to_path_buf(),
                    kind: "a symbolic link to nothing",
                });
            }
        },
        _ => target.to_path_buf(),
    };
    match std::fs::symlink_metadata(&real) {
        Ok(m) if m.is_file() => Ok(real),
        Ok(m) => Err(OutputError::NotRegularFile {
            path: target.to_path_buf(),
            kind: kind_of(&m.file_type()),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(real),
        Err(e) => Err(OutputError::Io {
            path: target.to_path_buf(),
            source: e,
        }),
    }
}

/// Writes `bytes` to the file `target` with every rule `--output` keeps: only a regular file
/// (new or existing; through a symbolic link, the file it names), never a `.ron` file or an
/// input of this run, atomically. Leftovers of earlier killed writes to the same name are
/// removed first.
pub fn write_file(target: &Path, inputs: &[PathBuf], bytes: &[u8]) -> Result<(), OutputError> {
    let real = resolve_file_target(target)?;
    guard(target, inputs)?;
    guard(&real, inputs)?;
    write_atomic(&real, bytes)
}

/// The directory a path lives in (`.` for a bare name).
pub(crate) fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `bytes` to `target` atomically: a temporary file in the same directory, synced, then
/// renamed over the target, and the directory synced. It does not check what `target` is:
/// [`write_file`] does.
pub(crate) fn write_atomic(target: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let dir = parent_of(target);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    stale::clean_temp_files(&dir);
    let tmp = dir.join(stale::temp_file_name(&name, std::process::id()));
    let _claim = stale::claim(&tmp);
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(io(target))?;
        f.write_all(bytes).map_err(io(target))?;
        f.sync_all().map_err(io(target))?;
        std::fs::rename(&tmp, target).map_err(io(target))?;
        sync_dir(&dir);
        Ok(())
    })();
    if result.is_err() {
        // The temporary file is ours, written by this process a moment ago.
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Flushes a directory's entries to disk after a rename. Some file systems cannot sync a
/// directory; the rename itself has happened either way, so a failure here is not an error.
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_ron_targets() {
        assert!(guard(Path::new("designs/x.ron"), &[]).is_err());
        assert!(guard(Path::new("out.json"), &[]).is_ok());
    }

    #[test]
    fn names_of_standard_output() {
        for s in ["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"] {
            assert_eq!(sink(Path::new(s)), Sink::Stdout, "{s}");
        }
        assert_eq!(sink(Path::new("./-x")), Sink::File(PathBuf::from("./-x")));
    }
}
