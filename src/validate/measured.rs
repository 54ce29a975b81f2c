//! Measured figures: each entry of the design's `measured` list read and checked on its own
//! (value, tolerance, the drive it names, its what-ifs). Setting the model beside them needs
//! the engines, so that is `study::measured`'s work, not validation's.

use super::*;
use crate::model::Measurement;
use crate::spec::Measure;

/// Largest tolerance accepted, percent: a figure allowed to be off by more says nothing.
pub(crate) const MAX_TOLERANCE_PCT: f64 = 1_000.0;

/// Step 10: the measured figures, each with its drive resolved; errors at the entry's field.
pub(super) fn measured(w: &Walk, s: &mut Sink, d: &spec::Design) -> Vec<Measurement> {
    let mut out = Vec::new();
    for (i, m) in d.measured.iter().enumerate() {
        let place = format!("measured[{i}]");
        let mut ok = true;
        let mut bad = |s: &mut Sink, field: &str, msg: String| {
            s.error(Code::InvalidMeasured, format!("{place}.{field}"), msg);
            ok = false;
        };
        if !(m.value.is_finite() && m.value > 0.0) {
            bad(
                s,
                "value",
                format!("{} is not a figure above 0", fmt_bounded(m.value)),
            );
        }
        if !(m.tolerance_pct.is_finite() && (0.0..=MAX_TOLERANCE_PCT).contains(&m.tolerance_pct)) {
            bad(
                s,
                "tolerance_pct",
                format!(
                    "{} is not a percentage from 0 to {MAX_TOLERANCE_PCT}",
                    fmt_bounded(m.tolerance_pct)
                ),
            );
        }
        let power = matches!(m.what, Measure::PowerWatts(_));
        match m.psu_efficiency {
            Some(e) if !power => bad(
                s,
                "psu_efficiency",
                format!(
                    "{}: a PSU efficiency applies to PowerWatts only",
                    fmt_bounded(e)
                ),
            ),
            Some(e) if !(e.is_finite() && e > 0.0 && e <= 1.0) => bad(
                s,
                "psu_efficiency",
                format!(
                    "{} is not an efficiency above 0 and at most 1",
                    fmt_bounded(e)
                ),
            ),
            _ => {}
        }
        for (j, a) in m.set.iter().enumerate() {
            if power {
                bad(
                    s,
                    &format!("set[{j}]"),
                    format!("{a:?}: what-ifs apply to bandwidth figures, not to PowerWatts"),
                );
            } else if let Err(e) = crate::bandwidth::Params::default().set(a) {
                bad(s, &format!("set[{j}]"), format!("{a:?}: {e}"));
            }
        }
        let drive = match &m.drive {
            Some(id) => {
                let r = w.get(s, &format!("{place}.drive"), id, "Drive");
                ok &= r.is_some();
                r
            }
            None => None,
        };
        if ok {
            out.push(Measurement {
                index: i,
                what: m.what,
                value: m.value,
                conditions: m.conditions.clone(),
                source: m.source.clone(),
                tolerance_pct: m.tolerance_pct,
                bound: m.bound,
                drive,
                psu_efficiency: m.psu_efficiency,
                set: m.set.clone(),
            });
        }
    }
    out
}

/// Step 11, on the built pod: each measured figure's what-ifs must apply to it (a slot or link
/// it has); an error at the what-if otherwise. True when every one applies.
pub(super) fn sets_fit(pod: &crate::model::Pod, file: &str, out: &mut Vec<Diagnostic>) -> bool {
    let mut ok = true;
    for m in &pod.published.measured {
        for (j, a) in m.set.iter().enumerate() {
            let mut params = crate::bandwidth::Params::default();
            let applied = params
                .set(a)
                .map_err(|e| e.to_string())
                .and_then(|()| crate::bandwidth::graph(pod, &params).map_err(|e| e.to_string()));
            if let Err(e) = applied {
                out.push(Diagnostic::error(
                    Code::InvalidMeasured,
                    file,
                    format!("measured[{}].set[{j}]", m.index),
                    format!("{a:?}: {e}"),
                ));
                ok = false;
            }
        }
    }
    ok
}
