//! podplan: plan storage servers built on Backblaze's open Storage Pod designs.
//!
//! The pipeline reads top to bottom: RON text → [`spec`] (serde structs that mirror the file)
//! → [`validate`] (resolve part references, collect every diagnostic) → [`model`] (checked
//! domain types in unit newtypes) → engines ([`power`], …) → one serializable result →
//! renderers ([`render`]). The library never prints; the `podplan` binary is a thin shell.

pub mod spec;
pub mod units;
