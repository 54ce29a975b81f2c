//! Power budget: what each PSU must deliver at spin-up, staggered spin-up, idle and load.
//!
//! This engine owns the electrical model of a pod and nothing else. It is a pure function of
//! a validated `Pod`. The model (each assumption named here, once):
//!
//! * A drive draws `spinup_12v` on +12 V while its spindle starts, and `run_5v` on +5 V at all
//!   times. Running, its +12 V draw is the rest of its rated power:
//!   `(idle_w − 5 V × run_5v) / 12 V` idle, and the same with `active_w` under load
//!   (docs/model.md §10: spin-up draws up to 4× the steady 12 V current). A drive that is
//!   starting draws at least its idle current: an SSD (or a 2.5-inch drive on +5 V), whose
//!   `spinup_12v` is 0 A, is counted running from the moment it is on ([`starting_12v`]).
//! * A backplane or board that makes its own +5 V from +12 V (`dc_dc_5v`, an efficiency) draws
//!   its +5 V load from the PSU's +12 V through [`on_12v`] (model §10.2).
//! * Backplane chips are fed from +5 V ([`BACKPLANE_RAIL_V`]); every other non-drive load
//!   (board, CPU at its TDP, memory, cards, fans, other powered parts) is counted on +12 V
//!   ([`SYSTEM_RAIL_V`]), as modern ATX boards draw most power through the 12 V connectors.
//!   Non-drive loads draw the same in every state.
//! * *Simultaneous* spin-up: every drive a PSU feeds starts at once.
//! * *Staggered* spin-up: one backplane at a time (direct-wired drives one at a time); the
//!   peak is the moment the hungriest step starts while every drive before it already runs
//!   idle. Since a starting drive draws at least its idle current, this peak never exceeds
//!   simultaneous spin-up.
//! * A PSU that feeds nothing is not part of the budget's rated total (and `lint` warns).
//! * A PSU's limits are its +12 V and +5 V rail currents and its total rated watts.

use crate::diag::{Code, Diagnostic};
use crate::model::{Kind, Load, Pod};
use crate::spec::OtherSpec;
use crate::units::{Amps, Volts, Watts};
use serde::Serialize;

/// The +12 V rail.
pub(crate) const RAIL_12V: Volts = Volts(12.0);
/// The +5 V rail.
pub(crate) const RAIL_5V: Volts = Volts(5.0);
/// Rail on which backplane logic is counted.
pub const BACKPLANE_RAIL_V: Volts = RAIL_5V;
/// Rail on which the system (board, CPU, cards, fans) is counted.
pub const SYSTEM_RAIL_V: Volts = RAIL_12V;
/// Slack in a comparison against a rating, so that a load summed in floating point to exactly
/// the rating fits.
const RATING_SLACK: f64 = 1e-9;

/// Current on each rail and the total power, for one state of one PSU.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Draw {
    /// +12 V current.
    pub a12: Amps,
    /// +5 V current.
    pub a5: Amps,
}

impl Draw {
    /// Total DC power: current times voltage on each rail.
    pub fn power(self) -> Watts {
        RAIL_12V * self.a12 + RAIL_5V * self.a5
    }
    fn add(self, o: Draw) -> Draw {
        Draw {
            a12: self.a12 + o.a12,
            a5: self.a5 + o.a5,
        }
    }
    fn sub(self, o: Draw) -> Draw {
        Draw {
            a12: self.a12 - o.a12,
            a5: self.a5 - o.a5,
        }
    }
}

/// One PSU's loads in each state, against its ratings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PsuBudget {
    /// PSU id in the design.
    pub id: String,
    /// PSU part name.
    pub part: String,
    /// Rated power.
    pub rated_w: Watts,
    /// Rated +12 V current.
    pub rated_12v_a: Amps,
    /// Rated +5 V current (0 for a PSU without a +5 V output).
    pub rated_5v_a: Amps,
    /// True for a PSU with no +5 V output at all.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_5v: bool,
    /// Identical units sharing the loads; the ratings above are of all of them together.
    #[serde(skip_serializing_if = "is_one")]
    pub units: u32,
    /// Units the group promises may fail with the rest carrying the load (0: none).
    #[serde(skip_serializing_if = "is_zero")]
    pub spares: u32,
    /// Data drives this PSU powers.
    pub drives: u32,
    /// What it feeds, as design ids.
    pub feeds: Vec<String>,
    /// Every drive it feeds spinning up at once.
    pub spinup_simultaneous: Draw,
    /// Worst moment of a one-backplane-at-a-time spin-up.
    pub spinup_staggered: Draw,
    /// All drives idle.
    pub idle: Draw,
    /// All drives under sequential load.
    pub active: Draw,
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl PsuBudget {
    /// True when the draw fits every rating of this PSU (every unit of a group working).
    pub fn fits(&self, d: Draw) -> bool {
        d.a12 <= self.rated_12v_a + Amps(RATING_SLACK)
            && d.a5 <= self.rated_5v_a + Amps(RATING_SLACK)
            && d.power() <= self.rated_w + Watts(RATING_SLACK)
    }

    /// True when the draw fits the ratings of `working` of the group's units, which share it
    /// evenly (current sharing, model §10).
    pub fn fits_units(&self, d: Draw, working: u32) -> bool {
        self.with_working(working).fits(d)
    }

    /// This budget rated for `working` of its units (they share the load evenly, model §10).
    pub fn with_working(&self, working: u32) -> PsuBudget {
        let working = working.min(self.units);
        let share = f64::from(working) / f64::from(self.units.max(1));
        PsuBudget {
            rated_w: self.rated_w * share,
            rated_12v_a: self.rated_12v_a * share,
            rated_5v_a: self.rated_5v_a * share,
            units: working,
            spares: 0,
            ..self.clone()
        }
    }

    /// This budget with its redundant units failed: what the group promises to carry.
    pub fn redundant_failed(&self) -> PsuBudget {
        self.with_working(self.units - self.spares.min(self.units))
    }

    /// True when one unit can fail and the others carry the running load under I/O: the
    /// failure takes nothing offline. A single PSU never survives its own failure.
    pub fn survives_one_failure(&self) -> bool {
        self.units > 1 && self.fits_units(self.active, self.units - 1)
    }
}

/// The power budget of a pod.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PowerBudget {
    /// Per PSU.
    pub psus: Vec<PsuBudget>,
    /// Whole pod, simultaneous spin-up, DC.
    pub spinup_simultaneous_w: Watts,
    /// Whole pod, staggered spin-up (each PSU's worst moment summed), DC.
    pub spinup_staggered_w: Watts,
    /// Whole pod idle, DC.
    pub idle_w: Watts,
    /// Whole pod under load, DC.
    pub active_w: Watts,
    /// Sum of the rated power of the PSUs that feed something.
    pub rated_w: Watts,
}

/// Draw of one spin-up step (a backplane's drives, or one direct drive) in each state.
#[derive(Clone, Copy, Default)]
struct Step {
    spinup: Draw,
    idle: Draw,
    active: Draw,
}

/// +12 V current of a drive while it starts: its spin-up current, but never less than what it
/// draws idle (a drive that needs no spin-up current, like an SSD, runs as soon as it is on).
pub fn starting_12v(spinup_12v: Amps, idle_12v: Amps) -> Amps {
    spinup_12v.max(idle_12v)
}

fn drive_step(d: &crate::model::Drive) -> Step {
    let a5 = d.run_5v;
    let run12 = |w: Watts| ((w - RAIL_5V * a5) / RAIL_12V).max(Amps::ZERO);
    Step {
        spinup: Draw {
            a12: starting_12v(d.spinup_12v, run12(d.idle)),
            a5,
        },
        idle: Draw {
            a12: run12(d.idle),
            a5,
        },
        active: Draw {
            a12: run12(d.active),
            a5,
        },
    }
}

/// A draw with its +5 V part made from +12 V by a converter of efficiency `eff` (model
/// §10.2): `I12 += 5 V × I5 / (12 V × eff)`, `I5 = 0`. `None` leaves the draw as it is.
pub fn on_12v(d: Draw, eff: Option<f64>) -> Draw {
    match eff {
        Some(e) if e > 0.0 => Draw {
            a12: d.a12 + (RAIL_5V * d.a5) / RAIL_12V / e,
            a5: Amps::ZERO,
        },
        _ => d,
    }
}

fn step_on_12v(s: Step, eff: Option<f64>) -> Step {
    Step {
        spinup: on_12v(s.spinup, eff),
        idle: on_12v(s.idle, eff),
        active: on_12v(s.active, eff),
    }
}

fn constant(d: Draw) -> Step {
    Step {
        spinup: d,
        idle: d,
        active: d,
    }
}

fn add(a: Step, b: Step) -> Step {
    Step {
        spinup: a.spinup.add(b.spinup),
        idle: a.idle.add(b.idle),
        active: a.active.add(b.active),
    }
}

fn system_watts(w: Watts) -> Draw {
    Draw {
        a12: w / SYSTEM_RAIL_V,
        a5: Amps::ZERO,
    }
}

/// The board load: board, CPU, memory, cards in slots, boot drives (spinning up with the board).
fn board_load(pod: &Pod) -> Step {
    let mut w = match &pod.board.kind {
        Kind::Motherboard(m) => Watts(m.watts),
        _ => Watts::ZERO,
    };
    if let Kind::Cpu(c) = &pod.cpu.kind {
        w += Watts(c.tdp_w) * f64::from(pod.cpus);
    }
    for (p, q) in &pod.memory {
        if let Kind::Memory(m) = &p.kind {
            w += m.watts_per_module * f64::from(m.modules) * f64::from(*q);
        }
    }
    for c in &pod.controllers {
        if let crate::model::ControllerKind::Card { part, .. } = &c.kind
            && let Kind::HostCard(h) = &part.kind
        {
            w += Watts(h.watts);
        }
    }
    for n in &pod.nic_cards {
        if let Kind::NicCard(c) = &n.part.kind {
            w += Watts(c.watts);
        }
    }
    for (p, q) in &pod.extras {
        if let Kind::Other(OtherSpec { watts, .. }) = &p.kind {
            w += Watts(*watts) * f64::from(*q);
        }
    }
    let mut step = constant(system_watts(w));
    let dc_dc = pod.board_spec().and_then(|m| m.dc_dc_5v);
    for b in &pod.boot_drives {
        if let Kind::Drive(d) = &b.part.kind {
            step = add(step, step_on_12v(drive_step(d), dc_dc));
        }
    }
    step
}

/// Computes the power budget of a validated pod.
pub fn budget(pod: &Pod) -> PowerBudget {
    let mut psus = Vec::new();
    // Drives by bay and by backplane, so that large pods stay linear.
    let by_bay: std::collections::BTreeMap<u32, &crate::model::BayDrive> =
        pod.drives.iter().map(|d| (d.bay, d)).collect();
    let mut by_backplane: Vec<Vec<&crate::model::BayDrive>> =
        vec![Vec::new(); pod.backplanes.len()];
    for d in &pod.drives {
        if let Some(k) = d.backplane
            && let Some(list) = by_backplane.get_mut(k)
        {
            list.push(d);
        }
    }
    for psu in &pod.psus {
        let Some(spec) = psu.spec() else { continue };
        let mut fixed = Step::default();
        let mut steps: Vec<Step> = Vec::new();
        let mut drives = 0u32;
        let mut feeds = Vec::new();
        for load in &psu.loads {
            match load {
                Load::Board => {
                    fixed = add(fixed, board_load(pod));
                    feeds.push("board".to_string());
                }
                Load::Fans(k) => {
                    let g = &pod.fans[*k];
                    if let Kind::Fan(f) = &g.part.kind {
                        fixed = add(
                            fixed,
                            constant(system_watts(Watts(f.watts) * f64::from(g.qty))),
                        );
                    }
                    feeds.push(g.id.clone());
                }
                Load::Backplane(k) => {
                    let bp = &pod.backplanes[*k];
                    let chip = bp.spec().map_or(Watts::ZERO, |s| Watts(s.watts));
                    let dc_dc = bp.spec().and_then(|s| s.dc_dc_5v);
                    fixed = add(
                        fixed,
                        constant(on_12v(
                            Draw {
                                a12: Amps::ZERO,
                                a5: chip / BACKPLANE_RAIL_V,
                            },
                            dc_dc,
                        )),
                    );
                    let mut step = Step::default();
                    for d in by_backplane.get(*k).into_iter().flatten() {
                        step = add(step, drive_step(d.drive()));
                        drives += 1;
                    }
                    steps.push(step_on_12v(step, dc_dc));
                    feeds.push(bp.id.clone());
                }
                Load::Bay(b) => {
                    if let Some(d) = by_bay.get(b) {
                        steps.push(drive_step(d.drive()));
                        drives += 1;
                    }
                    feeds.push(format!("bay {b}"));
                }
            }
        }
        let total = steps.iter().fold(fixed, |a, s| add(a, *s));
        // Spin-up is written as idle plus each step's extra starting draw, which is never
        // negative (a starting drive draws at least its idle current). Summed that way, in
        // floating point too, no single step's start can exceed all of them starting at once.
        let extra = |s: &Step| s.spinup.sub(s.idle);
        let simultaneous = steps
            .iter()
            .fold(total.idle.add(extra(&fixed)), |a, s| a.add(extra(s)));
        // Staggered: the worst step starting while every other step already idles.
        let staggered =
            steps
                .iter()
                .map(|s| total.idle.add(extra(s)))
                .fold(total.idle, |worst, d| {
                    if d.power() > worst.power() { d } else { worst }
                });
        let units = f64::from(psu.qty);
        psus.push(PsuBudget {
            id: psu.id.clone(),
            part: psu.part.name.clone(),
            rated_w: Watts(spec.watts) * units,
            rated_12v_a: Amps(spec.rail_12v_a) * units,
            rated_5v_a: Amps(spec.rail_5v_a.unwrap_or(0.0)) * units,
            no_5v: spec.rail_5v_a.is_none(),
            units: psu.qty,
            spares: psu.spares,
            drives,
            feeds,
            spinup_simultaneous: simultaneous,
            spinup_staggered: staggered,
            idle: total.idle,
            active: total.active,
        });
    }
    let sum = |f: &dyn Fn(&PsuBudget) -> Watts| psus.iter().map(f).sum::<Watts>();
    PowerBudget {
        spinup_simultaneous_w: sum(&|p| p.spinup_simultaneous.power()),
        spinup_staggered_w: sum(&|p| p.spinup_staggered.power()),
        idle_w: sum(&|p| p.idle.power()),
        active_w: sum(&|p| p.active.power()),
        rated_w: sum(&|p| {
            if p.feeds.is_empty() {
                Watts::ZERO
            } else {
                p.rated_w
            }
        }),
        psus,
    }
}

fn over(p: &PsuBudget, d: Draw) -> String {
    over_units(p, d, p.units)
}

/// What a draw exceeds of the ratings of `working` units of a PSU group, in words.
fn over_units(p: &PsuBudget, d: Draw, working: u32) -> String {
    let share = f64::from(working) / f64::from(p.units.max(1));
    let (r12, r5, rw) = (
        p.rated_12v_a * share,
        p.rated_5v_a * share,
        p.rated_w * share,
    );
    let mut parts = Vec::new();
    if d.a12 > r12 {
        parts.push(format!(
            "{:.1} A on +12 V (rated {:.1} A)",
            d.a12.amps(),
            r12.amps()
        ));
    }
    if p.no_5v && d.a5 > Amps::ZERO {
        parts.push(format!(
            "{:.1} A on +5 V, which it does not have (a backplane or board that makes its own +5 V from +12 V says so with dc_dc_5v)",
            d.a5.amps()
        ));
    } else if d.a5 > r5 {
        parts.push(format!(
            "{:.1} A on +5 V (rated {:.1} A)",
            d.a5.amps(),
            r5.amps()
        ));
    }
    if d.power() > rw {
        parts.push(format!(
            "{:.0} W in all (rated {:.0} W)",
            d.power().watts(),
            rw.watts()
        ));
    }
    parts.join(", ")
}

/// The redundancy warning of a group that promises N+k, when its other N units cannot carry
/// the running load, or cannot spin the drives up again even one backplane at a time.
fn redundancy(pod: &Pod, place: &str, p: &PsuBudget) -> Option<Diagnostic> {
    let n = p.units.checked_sub(p.spares).filter(|_| p.spares > 0)?;
    let failed = format!(
        "with {} of its {} units failed, the other {n}",
        p.spares, p.units
    );
    let message = if !p.fits_units(p.active, n) {
        format!(
            "{} is not N+{}: {failed} cannot carry the running load under I/O ({}), so a unit failure takes its loads offline",
            p.id,
            p.spares,
            over_units(p, p.active, n)
        )
    } else if !p.fits_units(p.spinup_staggered, n) {
        format!(
            "{} is N+{} running, but {failed} cannot start the drives again, even one backplane at a time: {}",
            p.id,
            p.spares,
            over_units(p, p.spinup_staggered, n)
        )
    } else {
        return None;
    };
    Some(Diagnostic::warning(
        Code::PsuRedundancy,
        &pod.file,
        place,
        message,
    ))
}

/// Power diagnostics for `check`: an error when a PSU cannot carry its running load, a
/// warning when simultaneous spin-up exceeds a PSU (naming staggered spin-up), and a warning
/// when a redundant group's N cannot carry the load with its spares failed.
pub fn lint(pod: &Pod, b: &PowerBudget) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, p) in b.psus.iter().enumerate() {
        let place = format!("psus[{i}]");
        if !p.fits(p.active) {
            out.push(Diagnostic::error(
                Code::PsuOverload,
                &pod.file,
                &place,
                format!(
                    "{} cannot carry its running load under I/O: {}",
                    p.id,
                    over(p, p.active)
                ),
            ));
        } else if !p.fits(p.spinup_simultaneous) {
            let stagger = if p.fits(p.spinup_staggered) {
                format!(
                    "staggered spin-up, one backplane (or direct-wired drive) at a time, peaks at {:.1} A on +12 V and {:.0} W and fits",
                    p.spinup_staggered.a12.amps(),
                    p.spinup_staggered.power().watts()
                )
            } else {
                format!(
                    "even staggered spin-up, one backplane (or direct-wired drive) at a time, exceeds it: {}",
                    over(p, p.spinup_staggered)
                )
            };
            out.push(Diagnostic::warning(
                Code::PsuSpinup,
                &pod.file,
                &place,
                format!(
                    "simultaneous spin-up of its {} drives draws {}; {stagger}",
                    p.drives,
                    over(p, p.spinup_simultaneous)
                ),
            ));
        }
        if p.fits(p.active) {
            out.extend(redundancy(pod, &place, p));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draw_power_is_current_times_rail_voltage() {
        let d = Draw {
            a12: Amps(2.0),
            a5: Amps(1.0),
        };
        assert_eq!(d.power(), Watts(2.0 * 12.0 + 1.0 * 5.0));
        // Current drawn on the system rail by a load quoted in watts: I = P / V.
        assert_eq!(system_watts(Watts(60.0)).a12, Amps(5.0));
    }

    #[test]
    fn a_drive_without_spin_up_current_starts_at_its_idle_current() {
        assert_eq!(starting_12v(Amps::ZERO, Amps(0.4)), Amps(0.4));
        assert_eq!(starting_12v(Amps(2.0), Amps(0.4)), Amps(2.0));
    }
}
