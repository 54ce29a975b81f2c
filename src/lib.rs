//! podplan: plan storage servers built on Backblaze's open Storage Pod designs.
//!
//! The pipeline reads top to bottom: RON text → [`spec`] (serde structs that mirror the file)
//! → [`load`] (files, catalogs, built-in designs) → [`validate`] (resolve part references,
//! collect every diagnostic) → [`model`] (checked domain types in unit newtypes) → engines
//! ([`power`], [`layout`], [`bom`], [`bandwidth`], [`durability`], [`montecarlo`]) → [`study`]
//! (runs each engine once on a design and wires one into another, returning one serializable
//! result) → renderers ([`render`]: every table, the report files, charts and the workbook).
//! The library never prints; [`cli`] turns arguments into a checked request, one call into
//! [`study`] and one renderer, and writes only to the writers the thin `podplan` binary hands
//! it.
//!
//! # Using the library
//!
//! The main entry points, each shown below: [`load`] reads a design (a file, text, or the
//! built-in Storage Pod 2.0), [`validate::validate`] checks it into a [`model::Pod`] and lists
//! every problem at once, [`study::design`] runs every engine on it, and [`render`] turns the
//! one result into tables, report files and charts. [`study::layout`] and
//! [`study::durability`] answer one question with the user's own parameters.
//!
//! ## Load and validate a design
//!
//! A design that fails validation yields no pod, only diagnostics, each with a stable code and
//! the place in the design:
//!
//! ```
//! use podplan::load::{self, Document};
//!
//! let Document::Design(loaded) = load::builtin().expect("the built-in design parses") else {
//!     unreachable!("the built-in document is a design")
//! };
//! let outcome = podplan::validate::validate(&loaded);
//! assert!(outcome.diagnostics.iter().all(|d| !d.is_error()));
//! let pod = outcome.pod.expect("the built-in design validates");
//! assert_eq!(pod.drives.len(), 45);
//! // Backblaze's published raw capacity of Storage Pod 2.0: 45 × 3 TB = 135 TB.
//! assert_eq!(pod.raw_capacity().0, 135_000_000_000_000);
//!
//! // Text with a syntax error gives `path:line:col: message`.
//! let broken = load::load_str("mine.ron", "(name: ", std::path::Path::new("."));
//! let diagnostics = broken.expect_err("not a design");
//! assert!(diagnostics[0].to_string().starts_with("mine.ron:1:"));
//! ```
//!
//! ## Study a design and render it
//!
//! ```
//! # use podplan::load::{self, Document};
//! # let Document::Design(loaded) = load::builtin().unwrap() else { unreachable!() };
//! # let pod = podplan::validate::validate(&loaded).pod.unwrap();
//! let report = podplan::study::design(&pod, "pod-2.0").expect("every engine runs");
//!
//! // Backblaze's published total for Storage Pod 2.0: $7,384 with drives.
//! assert_eq!(report.bom.totals.pod_total.0, 738_400);
//! // The slowest group rebuild and what sets its rate.
//! let slowest = podplan::study::worst_rebuild(&report).expect("RAID 6 groups rebuild");
//! assert!(slowest.hours > 0.0);
//!
//! // Every figure renders from the one result: here the report's summary page.
//! let markdown = podplan::render::report::summary_markdown(&report, &[]);
//! assert!(markdown.contains("Storage Pod 2.0"));
//! ```
//!
//! ## Ask one question with your own parameters
//!
//! ```
//! # use podplan::load::{self, Document};
//! # let Document::Design(loaded) = load::builtin().unwrap() else { unreachable!() };
//! # let pod = podplan::validate::validate(&loaded).pod.unwrap();
//! use podplan::study::{self, DurabilityRequest};
//!
//! // The design's own layout, rebuilds timed from its topology, every reliability model.
//! let d = study::durability(&pod, &DurabilityRequest::default(), &|_| {})
//!     .expect("the design has redundancy to model");
//! let any_group = &d.report.pod.models[0];
//! assert!(any_group.p_mission > 0.0 && any_group.p_mission < 1e-3);
//! ```

pub mod bandwidth;
pub mod bays;
pub mod bom;
/// The command line behind the `podplan` binary: argument parsing, the checked requests and the
/// one error path. Public only so the binary and the command-line tests can call
/// [`cli::run`]; a library user calls [`study`] and [`render`] instead.
#[doc(hidden)]
pub mod cli;
pub mod diag;
pub mod durability;
pub mod layout;
pub mod links;
pub mod load;
pub mod model;
pub mod montecarlo;
pub mod output;
pub mod plan;
pub mod power;
pub mod render;
pub mod show;
pub mod spec;
pub mod study;
pub mod units;
pub mod validate;
