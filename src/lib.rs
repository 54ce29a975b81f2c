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
//! ```
//! let doc = podplan::load::builtin().expect("the built-in design parses");
//! let podplan::load::Document::Design(loaded) = doc else { panic!("a design") };
//! let outcome = podplan::validate::validate(&loaded);
//! let pod = outcome.pod.expect("the built-in design validates");
//! assert_eq!(pod.drives.len(), 45);
//! assert_eq!(pod.raw_capacity().0, 135_000_000_000_000);
//! ```

pub mod bandwidth;
pub mod bays;
pub mod bom;
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
