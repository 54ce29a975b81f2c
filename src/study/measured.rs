//! Model beside measurement: each measured figure a design carries, the model's figure for the
//! same quantity under the measurement's conditions (its drive, its what-ifs, its PSU
//! efficiency), the difference, and whether it is within the stated tolerance. `lint` turns
//! the misses into `measured-mismatch` warnings at the entry's place. No printing here.

use crate::bandwidth::{self, Params, Request, Workload};
use crate::diag::{Code, Diagnostic};
use crate::layout::{self, Shape};
use crate::model::{Measurement, Pod};
use crate::spec::{Bound, Measure, PowerState, Source, Traffic};
use serde::Serialize;

/// One measured figure with the model beside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasuredRow {
    /// Index in the design's `measured` list.
    pub index: usize,
    /// What was measured.
    pub what: Measure,
    /// Its unit (`h`, `W`, `MB/s`).
    pub unit: &'static str,
    /// The measured figure.
    pub measured: f64,
    /// The model's figure under the measurement's conditions (`None` when the model cannot
    /// compute it for this pod; `why` says why).
    pub model: Option<f64>,
    /// (model − measured) / measured, percent.
    pub diff_pct: Option<f64>,
    /// The stated tolerance, percent.
    pub tolerance_pct: f64,
    /// A value or a bound.
    pub bound: Bound,
    /// Whether the model meets the measurement within the tolerance (`None`: not computed).
    pub within: Option<bool>,
    /// How it was measured.
    pub conditions: String,
    /// Where it was published.
    pub source: Source,
    /// What the model was run with beyond the design: the drive, the what-ifs, the efficiency.
    pub setup: String,
    /// Why the model has no figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// The label of a measured quantity (`sync hours`, `power at spin-up`).
pub fn label(what: Measure) -> String {
    match what {
        Measure::SyncHours => "sync, every drive at once".into(),
        Measure::RebuildHours => "rebuild of one drive".into(),
        Measure::PowerWatts(s) => format!(
            "power, {}",
            match s {
                PowerState::Idle => "idle",
                PowerState::Load => "under load",
                PowerState::Spinup => "spin-up, all at once",
            }
        ),
        Measure::ThroughputMBps(t) => format!(
            "throughput, {}",
            match t {
                Traffic::Ingest => "ingest",
                Traffic::Read => "read",
                Traffic::Scrub => "scrub",
            }
        ),
    }
}

fn unit(what: Measure) -> &'static str {
    match what {
        Measure::SyncHours | Measure::RebuildHours => "h",
        Measure::PowerWatts(_) => "W",
        Measure::ThroughputMBps(_) => "MB/s",
    }
}

/// Every measured figure of the pod with the model beside it, in the design's order.
pub fn rows(pod: &Pod) -> Vec<MeasuredRow> {
    rows_with(pod, None)
}

/// [`rows`], reusing the design's own link graph (built with default parameters for `pod`)
/// for every figure measured on the design as it is; a figure measured with another drive or
/// with what-ifs needs a graph of its own.
pub(crate) fn rows_with(pod: &Pod, own: Option<&bandwidth::Graph>) -> Vec<MeasuredRow> {
    pod.published
        .measured
        .iter()
        .map(|m| row(pod, m, own.filter(|_| !needs_own_graph(m))))
        .collect()
}

/// Whether a figure's conditions change the pod or the parameters, so that the model needs a
/// link graph of its own (power figures need none).
pub fn needs_own_graph(m: &Measurement) -> bool {
    !matches!(m.what, Measure::PowerWatts(_)) && (m.drive.is_some() || !m.set.is_empty())
}

/// `measured-mismatch` warnings: one per figure the model misses by more than its tolerance.
pub fn lint(pod: &Pod) -> Vec<Diagnostic> {
    rows(pod)
        .into_iter()
        .filter(|r| r.within == Some(false))
        .map(|r| {
            let place = format!("measured[{}]", r.index);
            let model = r.model.unwrap_or(0.0);
            let diff = r.diff_pct.unwrap_or(0.0);
            let bound = match r.bound {
                Bound::Value => String::new(),
                Bound::AtLeast => " (a lower bound)".into(),
                Bound::AtMost => " (an upper bound)".into(),
            };
            Diagnostic::warning(
                Code::MeasuredMismatch,
                &pod.file,
                place,
                format!(
                    "{}: the model gives {} {} where {} {} was measured{bound}, {} against a tolerance of {} %",
                    label(r.what),
                    fmt(model),
                    r.unit,
                    fmt(r.measured),
                    r.unit,
                    crate::render::measured::signed_pct(diff),
                    fmt(r.tolerance_pct)
                ),
            )
        })
        .collect()
}

/// A figure with three significant digits at most (no exponent, no NaN).
pub fn fmt(v: f64) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    let a = v.abs();
    if a >= 1e6 || (a != 0.0 && a < 0.01) {
        return crate::units::fmt_bounded(v);
    }
    let decimals = if a >= 1000.0 {
        0
    } else if a >= 10.0 {
        1
    } else {
        2
    };
    crate::units::fmt_bounded(format!("{v:.decimals$}").parse().unwrap_or(v))
}

fn row(pod: &Pod, m: &Measurement, graph: Option<&bandwidth::Graph>) -> MeasuredRow {
    let (model, why) = match model_figure(pod, m, graph) {
        Ok(v) => (Some(v), None),
        Err(e) => (None, Some(e)),
    };
    // (v / m − 1) rather than (v − m) / m: no overflow for figures near f64's limits.
    let diff_pct = model
        .map(|v| 100.0 * (v / m.value - 1.0))
        .filter(|d| d.is_finite());
    let within = diff_pct.map(|d| match m.bound {
        Bound::Value => d.abs() <= m.tolerance_pct,
        Bound::AtLeast => d >= -m.tolerance_pct,
        Bound::AtMost => d <= m.tolerance_pct,
    });
    MeasuredRow {
        index: m.index,
        what: m.what,
        unit: unit(m.what),
        measured: m.value,
        model,
        diff_pct,
        tolerance_pct: m.tolerance_pct,
        bound: m.bound,
        within,
        conditions: m.conditions.clone(),
        source: m.source.clone(),
        setup: setup(m),
        why,
    }
}

fn setup(m: &Measurement) -> String {
    let mut parts = Vec::new();
    if let Some(d) = &m.drive {
        parts.push(format!("drives: {}", d.name));
    }
    if !m.set.is_empty() {
        parts.push(format!("--set {}", m.set.join(" --set ")));
    }
    if let Some(e) = m.psu_efficiency {
        parts.push(format!(
            "model DC watts / {} PSU efficiency",
            crate::units::fmt_bounded(e)
        ));
    }
    if parts.is_empty() {
        "the design as it is".into()
    } else {
        parts.join("; ")
    }
}

/// The pod with every data drive replaced by the measured drive.
fn with_drive(pod: &Pod, m: &Measurement) -> Pod {
    let mut p = pod.clone();
    if let Some(d) = &m.drive {
        for b in &mut p.drives {
            b.part = d.clone();
        }
    }
    p
}

/// The model's figure under the measurement's conditions (on `graph` when given: the pod's
/// own, valid only for a figure without a drive or what-ifs).
fn model_figure(
    pod: &Pod,
    m: &Measurement,
    graph: Option<&bandwidth::Graph>,
) -> Result<f64, String> {
    let pod = &with_drive(pod, m);
    if let Measure::PowerWatts(state) = m.what {
        let b = crate::power::budget(pod);
        let w = match state {
            PowerState::Idle => b.idle_w,
            PowerState::Load => b.active_w,
            PowerState::Spinup => b.spinup_simultaneous_w,
        };
        return Ok(w.0 / m.psu_efficiency.unwrap_or(1.0));
    }
    let mut params = Params::default();
    for a in &m.set {
        params.set(a).map_err(|e| format!("{a:?}: {e}"))?;
    }
    let shape = Shape {
        level: pod.raid.level,
        spares: pod.raid.spares,
    };
    let placement = layout::place(pod, shape, &[]).map_err(|e| e.to_string())?;
    let l = &placement.layout;
    let built;
    let g = match graph {
        Some(g) => g,
        None => {
            built = bandwidth::graph(pod, &params).map_err(|e| e.to_string())?;
            &built
        }
    };
    let run = |workload| {
        let req = Request {
            workload,
            group: None,
            bay: None,
        };
        bandwidth::analyze_on(g, pod, l, &req, &params).map_err(|e| e.to_string())
    };
    match m.what {
        Measure::SyncHours => {
            let r = run(Workload::Scrub)?;
            let rate = r.summary.per_drive_min_mb_s.0;
            let align = layout::Overheads::for_filesystem(pod.raid.filesystem).partition_align;
            let member = pod
                .drives
                .iter()
                .map(|d| layout::aligned(d.drive().capacity, align))
                .max()
                .unwrap_or_default();
            if rate > 0.0 {
                Ok(member.bytes() as f64 / (rate * 1e6) / 3600.0)
            } else {
                Err("no drive streams in a scrub of this pod".into())
            }
        }
        Measure::RebuildHours => {
            let times = bandwidth::rebuild_times_on(g, l, &params);
            times
                .iter()
                .map(|t| t.hours)
                .fold(None, |a: Option<f64>, h| Some(a.map_or(h, |a| a.max(h))))
                .ok_or_else(|| "the layout has no redundancy to rebuild".into())
        }
        Measure::ThroughputMBps(t) => {
            let w = match t {
                Traffic::Ingest => Workload::Ingest,
                Traffic::Read => Workload::Read,
                Traffic::Scrub => Workload::Scrub,
            };
            let r = run(w)?;
            Ok(r.summary.client_mb_s.unwrap_or(r.summary.aggregate_mb_s).0)
        }
        Measure::PowerWatts(_) => Err("unreachable".into()),
    }
}
