//! podplan's integration tests, in one binary (one link, shared helpers).
#![allow(clippy::unwrap_used)]

mod bandwidth;
mod bom;
mod designs;
mod layout;
mod properties;
mod report;
mod validation;
