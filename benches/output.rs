//! Benchmark of writing a report directory: the files of the committed Pod 6.0 report are
//! staged, made durable with one file-system sync, and swapped in place of the previous
//! report, as `podplan report --out` does. Run with `cargo bench --bench output`.
#![allow(missing_docs, clippy::unwrap_used)]

use divan::Bencher;
use std::path::PathBuf;

fn main() {
    divan::main();
}

/// The committed Pod 6.0 report's files (name, bytes), without its manifest.
fn report_files() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("reports/backblaze-pod-6.0");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name() != "podplan-manifest.json")
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Replaces an existing report directory with a new one of the same files.
#[divan::bench(sample_count = 20)]
fn replace_report_dir(bencher: Bencher) {
    let files = report_files();
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("backblaze-pod-6.0");
    podplan::output::dir::write_report_dir(&target, &files, &[]).unwrap();
    bencher.bench_local(|| podplan::output::dir::write_report_dir(&target, &files, &[]).unwrap());
}
