//! podplan's integration tests, in one binary (one link, shared helpers).
#![allow(clippy::unwrap_used)]

mod bandwidth;
mod bom;
mod browser;
mod designs;
mod durability;
mod html;
mod layout;
mod network;
mod plan;
mod power;
mod properties;
mod readme;
mod report;
mod safety;
mod shell;
mod sweep;
mod terminal;
mod topology;
mod validation;

use podplan::load::{self, Document};
use podplan::model::Pod;
use std::path::PathBuf;

/// The shipped design of a Backblaze revision (`"2.0"`), relative to the package root where
/// cargo runs the tests, so that output naming the file is the same on every machine.
pub(crate) fn design_path(rev: &str) -> PathBuf {
    PathBuf::from(format!("designs/backblaze-pod-{rev}.ron"))
}

/// The validated pod of a Backblaze revision; fails the test on any error.
pub(crate) fn pod(rev: &str) -> Pod {
    let Document::Design(l) = load::load_file(&design_path(rev)).unwrap() else {
        panic!("pod {rev} is a design");
    };
    let o = podplan::validate::validate(&l);
    let errors: Vec<_> = o.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "pod {rev}: {errors:#?}");
    o.pod.unwrap()
}

/// Runs `podplan` in-process; returns (exit code, stdout, stderr).
pub(crate) fn run(args: &[&str]) -> (u8, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv = std::iter::once("podplan")
        .chain(args.iter().copied())
        .map(Into::into)
        .collect();
    let code = podplan::cli::run(argv, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// Text with every run of white space made one space: phrases in notes that the terminal
/// renderer wraps at the table width are still found whole.
pub(crate) fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
