//! Fleet and procurement plans: how many pods, Vaults and racks a demand needs, period by
//! period, and what they cost to buy and to run (model §16).
//!
//! The pipeline mirrors the design one: a plan file ([`spec`], RON, `Plan(...)`) and the
//! command-line flags laid over it are checked into a typed [`PlanRequest`] ([`request`]);
//! `crate::study::plan` gathers what the other engines know about the pod (usable capacity
//! from the layout, power from the power model, the priced BOM) into [`PodFacts`]; and the
//! pure engine [`engine::compute`] turns both into one serializable [`PlanReport`]. Every
//! default and factor is named once in [`factors`]. Nothing here prints or formats; the
//! renderers are `crate::render::plan`.

pub mod engine;
pub mod factors;
pub mod request;
pub mod spec;

pub use engine::{PlanReport, PodFacts, PodLine, Strategy, compute};
pub use request::{Demand, Grouping, Period, PlanRequest, Site, SpinUp};
pub use spec::PlanSpec;

/// Why a plan cannot be made. Each has a stable kebab-case code; most name the place in the
/// plan file (`site.rack_depth_in`) whose value is at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// A value that cannot be read.
    #[error("{message}")]
    Invalid {
        /// Where in the plan.
        place: String,
        /// What is wrong.
        message: String,
    },
    /// A value outside the range a plan takes.
    #[error("{message}")]
    OutOfRange {
        /// Where in the plan.
        place: String,
        /// What is wrong.
        message: String,
    },
    /// No demand was given.
    #[error(
        "no demand: give `demand: Growth(start: \"5 PB\", rate_pct: 40.0)` in the plan file, or --target and --growth"
    )]
    NoDemand,
    /// The site cannot hold even one pod (depth, rack units, power, weight, switch ports).
    #[error("{message}")]
    SiteCannotHold {
        /// Which limit: `rack-depth`, `rack-units`, `rack-power`, `rack-weight`, `switch-ports`.
        limit: &'static str,
        /// Where in the plan.
        place: String,
        /// What is wrong and what to change.
        message: String,
    },
    /// A budget below the price of one pod.
    #[error("{message}")]
    BudgetBelowPod {
        /// What is wrong.
        message: String,
    },
    /// The pod has no usable capacity under the grouping asked for.
    #[error("{0}")]
    NoCapacity(String),
    /// A plan beyond what podplan computes (more than ten million pods, sums beyond 64-bit
    /// cents).
    #[error("{0}")]
    TooLarge(String),
}

impl PlanError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            PlanError::Invalid { .. } => "plan-invalid-value",
            PlanError::OutOfRange { .. } => "plan-out-of-range",
            PlanError::NoDemand => "plan-no-demand",
            PlanError::SiteCannotHold { limit, .. } => match *limit {
                "rack-depth" => "plan-rack-depth",
                "rack-units" => "plan-rack-units",
                "rack-power" => "plan-rack-power",
                "rack-weight" => "plan-rack-weight",
                _ => "plan-switch-ports",
            },
            PlanError::BudgetBelowPod { .. } => "plan-budget",
            PlanError::NoCapacity(_) => "plan-no-capacity",
            PlanError::TooLarge(_) => "plan-too-large",
        }
    }

    /// The place in the plan file, when one value is at fault.
    pub fn place(&self) -> Option<&str> {
        match self {
            PlanError::Invalid { place, .. }
            | PlanError::OutOfRange { place, .. }
            | PlanError::SiteCannotHold { place, .. } => Some(place),
            PlanError::NoDemand => Some("demand"),
            PlanError::BudgetBelowPod { .. } => Some("budget"),
            PlanError::NoCapacity(_) => Some("grouping"),
            PlanError::TooLarge(_) => None,
        }
    }

    /// The error as one line, in the form of a design diagnostic:
    /// `file: error[code] at place: message`.
    pub fn located(&self, file: &str) -> String {
        match self.place() {
            Some(p) => format!("{file}: error[{}] at {p}: {self}", self.code()),
            None => format!("{file}: error[{}]: {self}", self.code()),
        }
    }
}
