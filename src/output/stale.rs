//! What interrupted runs leave behind: the names podplan gives its temporary files and
//! directories, whether the process that made one is gone, and removing the temporary files.
//!
//! Every temporary name carries the process id of its writer: `.NAME.podplan-PID.tmp` for a
//! file, `.NAME.podplan-new-PID` for a report directory being written and
//! `.NAME.podplan-old-PID` for the report it replaces. A later run removes (or, for an old
//! report whose name is empty, restores: see [`super::dir`]) only entries of exactly these
//! shapes whose process no longer exists, and nothing else.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The temporary paths this process is writing right now. Threads of one process share its
/// id, so the id alone cannot tell one thread's work in progress from an earlier process's
/// leftover with a reused id; this set can.
static ACTIVE: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

fn active() -> std::sync::MutexGuard<'static, BTreeSet<PathBuf>> {
    ACTIVE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A temporary path claimed by this process while it writes there; released when dropped.
#[derive(Debug)]
pub(crate) struct Claim(PathBuf);

impl Drop for Claim {
    fn drop(&mut self) {
        active().remove(&self.0);
    }
}

/// Marks `path` as this process's work in progress until the claim is dropped.
pub(crate) fn claim(path: &Path) -> Claim {
    active().insert(path.to_path_buf());
    Claim(path.to_path_buf())
}

/// The temporary file beside `NAME` written by process `pid`.
pub(crate) fn temp_file_name(name: &str, pid: u32) -> String {
    format!(".{name}.podplan-{pid}.tmp")
}

/// The directory in which process `pid` writes the new report `NAME`.
pub(crate) fn staging_name(name: &str, pid: u32) -> String {
    format!(".{name}.podplan-new-{pid}")
}

/// The name under which process `pid` parks the report `NAME` it replaces (fallback swap).
pub(crate) fn parked_name(name: &str, pid: u32) -> String {
    format!(".{name}.podplan-old-{pid}")
}

/// What kind of leftover an entry name is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Leftover {
    /// `.NAME.podplan-PID.tmp`
    TempFile { pid: u32 },
    /// `.NAME.podplan-new-PID`: the report `name` being written.
    Staging { name: String, pid: u32 },
    /// `.NAME.podplan-old-PID`: the report `name` being replaced.
    Parked { name: String, pid: u32 },
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Reads an entry name as one of podplan's temporary names, if it is one.
pub(crate) fn classify(entry: &str) -> Option<Leftover> {
    let rest = entry.strip_prefix('.')?;
    if let Some(body) = rest.strip_suffix(".tmp") {
        let (name, pid) = body.rsplit_once(".podplan-")?;
        if name.is_empty() {
            return None;
        }
        return digits(pid).map(|pid| Leftover::TempFile { pid });
    }
    let (name, tail) = rest.rsplit_once(".podplan-")?;
    if name.is_empty() {
        return None;
    }
    if let Some(pid) = tail.strip_prefix("new-").and_then(digits) {
        return Some(Leftover::Staging {
            name: name.to_string(),
            pid,
        });
    }
    if let Some(pid) = tail.strip_prefix("old-").and_then(digits) {
        return Some(Leftover::Parked {
            name: name.to_string(),
            pid,
        });
    }
    None
}

/// True when what process `pid` left at `path` is stale: that process no longer exists, or it
/// is this process and no thread of it is writing there now (an earlier process had the same
/// id). Where the question cannot be asked, the answer is "not stale", and nothing is removed.
pub(crate) fn is_stale(path: &Path, pid: u32) -> bool {
    if pid == std::process::id() {
        return !active().contains(path);
    }
    process_gone(pid)
}

/// True when no process `pid` exists.
fn process_gone(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(raw) = i32::try_from(pid) else {
            return false;
        };
        match rustix::process::Pid::from_raw(raw) {
            Some(p) => rustix::process::test_kill_process(p) == Err(rustix::io::Errno::SRCH),
            None => false,
        }
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// The stale leftovers in `dir`: (entry name, what it is), sorted by name.
pub(crate) fn stale_in(dir: &Path) -> Vec<(String, Leftover)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Leftover)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let kind = classify(&name)?;
            let pid = match &kind {
                Leftover::TempFile { pid }
                | Leftover::Staging { pid, .. }
                | Leftover::Parked { pid, .. } => *pid,
            };
            is_stale(&dir.join(&name), pid).then_some((name, kind))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Removes the stale temporary files (`.NAME.podplan-PID.tmp`, regular files only) in `dir`:
/// each is the half-written output of a run that was killed.
pub(crate) fn clean_temp_files(dir: &Path) {
    for (entry, kind) in stale_in(dir) {
        if !matches!(kind, Leftover::TempFile { .. }) {
            continue;
        }
        let path = dir.join(&entry);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            // A stale temporary file of ours; if it cannot be removed it stays, harmlessly.
            let _ = std::fs::remove_file(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(
            classify(&temp_file_name("out.json", 42)),
            Some(Leftover::TempFile { pid: 42 })
        );
        assert_eq!(
            classify(&staging_name("backblaze-pod-2.0", 7)),
            Some(Leftover::Staging {
                name: "backblaze-pod-2.0".into(),
                pid: 7
            })
        );
        assert_eq!(
            classify(&parked_name("a.b", 9)),
            Some(Leftover::Parked {
                name: "a.b".into(),
                pid: 9
            })
        );
    }

    #[test]
    fn other_names_are_not_leftovers() {
        for n in [
            "design.ron",
            ".hidden",
            ".x.podplan-.tmp",
            ".x.podplan-12a.tmp",
            "..podplan-1.tmp",
            ".x.podplan-new-",
            ".x.podplan-old-1x",
            "x.podplan-1.tmp.bak",
        ] {
            assert_eq!(classify(n), None, "{n}");
        }
    }

    #[test]
    fn a_live_process_is_not_gone() {
        // The parent of this test process (cargo's test runner or a shell) is alive.
        #[cfg(unix)]
        assert!(!process_gone(std::os::unix::process::parent_id()));
    }
}
