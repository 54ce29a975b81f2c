//! The durability report's tables: models, groups, pod, Vault, rebuilds, partial loss and the
//! Monte Carlo check.
//!
//! Presentation only: every figure comes from a finished [`DurabilityStudy`].

use crate::durability::{
    self, AfrConvention, DurabilityReport, Model, ModelFigures, Rebuild, RebuildSource,
};
use crate::montecarlo;
use crate::render::{Section, Style};
use crate::study::DurabilityStudy;

/// A figure with three significant digits: scientific below 1 and from 10^5 (`7.35e-7`),
/// plain in between (`18.2`).
pub(crate) fn sci(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if !x.is_finite() {
        "∞".into()
    } else if (1.0..1e5).contains(&x) {
        let decimals = (2 - x.log10().floor() as i32).max(0) as usize;
        format!("{x:.decimals$}")
    } else {
        format!("{x:.2e}")
    }
}

/// A delay or repair time in hours, `-` when the group has nothing to rebuild.
fn hours_cell(r: &Rebuild, hours: f64) -> String {
    if r.source == RebuildSource::NoRedundancy {
        "-".into()
    } else {
        format!("{hours:.1}")
    }
}

fn nines(f: &ModelFigures) -> String {
    match f.nines {
        Some(n) => format!("{n:.2}"),
        None => "> 300".into(),
    }
}

/// The mark next to a figure whose inputs are outside its model's domain.
const OUTSIDE: &str = " † outside its domain";

fn mark(f: &ModelFigures) -> &'static str {
    if f.in_domain { "" } else { OUTSIDE }
}

fn p_cell(f: &ModelFigures) -> String {
    format!("{} ({} nines){}", sci(f.p_mission), nines(f), mark(f))
}

/// Every figure of the report, to tell whether any is outside its model's domain.
fn all_figures(r: &DurabilityReport) -> impl Iterator<Item = &ModelFigures> {
    r.groups
        .iter()
        .flat_map(|g| g.models.iter())
        .chain(r.pod.models.iter())
        .chain(
            r.vault
                .iter()
                .flat_map(|v| v.tome.iter().chain(v.vault.iter())),
        )
}

/// A probability with its nines: one cell to read, two (P, nines) for data. Nines beyond
/// 300 (a probability that rounds to 0) have no number: an empty cell.
fn p_cells(f: &ModelFigures, style: Style) -> Vec<String> {
    match style {
        Style::Read => vec![p_cell(f)],
        Style::Data => vec![
            sci(f.p_mission),
            f.nines.map_or(String::new(), |n| format!("{n:.2}")),
        ],
    }
}

/// Column names of a probability with its nines: `name` to read, `name: P (probability)` and
/// `name: nines (count)` for data.
fn p_heads(name: &str, style: Style) -> Vec<String> {
    match style {
        Style::Read => vec![name.to_string()],
        Style::Data => vec![
            format!("{name}: P (probability)"),
            format!("{name}: nines (count)"),
        ],
    }
}

fn years(y: f64) -> String {
    if y >= 1e4 { sci(y) } else { format!("{y:.1}") }
}

fn groups(n: u32) -> String {
    format!("{n} group{}", if n == 1 { "" } else { "s" })
}

fn why(model: Model) -> &'static str {
    match model {
        Model::MarkovSerial => {
            "repairs queue one at a time: with m drives down the last waits for the others, so degraded windows last longer (×m!)"
        }
        Model::MarkovParallel => {
            "exponential repairs in parallel: the same mean window, so the same leading order as fixed windows"
        }
        Model::Backblaze => {
            "fixed periods miss failure clusters that straddle a period boundary (×1/(m+1))"
        }
        Model::Sliding => "",
    }
}

/// The durability report as sections: inputs, whole-group loss per group and per pod, partial
/// loss, the Vault, how the models differ, and the Monte Carlo check.
pub fn sections(study: &DurabilityStudy, style: Style) -> Vec<Section> {
    let r = &study.report;
    let mut out = Vec::new();
    let mission = if r.mission_years == 1.0 {
        "a year".to_string()
    } else {
        format!("{} years", crate::show::trim_float(r.mission_years))
    };
    inputs_section(r, style, &mut out);
    loss_sections(r, style, &mission, &mut out);
    ure_section(r, style, &mut out);
    vault_section(r, style, &mut out);
    ratios_section(r, &mut out);
    if let Some(mc) = &study.monte_carlo {
        monte_carlo_section(mc, style, &mut out);
    }
    out
}

/// The inputs: every group's drives, failure rate and rebuild time.
fn inputs_section(r: &DurabilityReport, style: Style, out: &mut Vec<Section>) {
    let mut s = Section::new(
        format!(
            "{}: {} of {}, rebuild times",
            r.design,
            groups(r.groups.len() as u32),
            r.shape
        ),
        &if style == Style::Read {
            vec!["Group", "Bays", "Drives (tolerates)"]
        } else {
            vec![
                "Group",
                "Bays",
                "Sets (count)",
                "Drives per set (count)",
                "Tolerates per set (count)",
            ]
        }
        .into_iter()
        .chain([
            "AFR %",
            "λ per hour",
            "Member TB",
            "Rebuild MB/s",
            "Set by",
            "Delay h",
            "T_R h",
        ])
        .collect::<Vec<_>>(),
    );
    s.align_right(match style {
        Style::Read => vec![0, 3, 4, 5, 6, 8, 9],
        Style::Data => vec![0, 2, 3, 4, 5, 6, 7, 8, 10, 11],
    });
    for g in &r.groups {
        let red = g.redundancy;
        let drives = match style {
            Style::Read if red.units > 1 => {
                vec![format!("{} sets × {} ({})", red.units, red.n, red.m)]
            }
            Style::Read => vec![format!("{} ({})", red.n, red.m)],
            Style::Data => vec![red.units.to_string(), red.n.to_string(), red.m.to_string()],
        };
        let set_by = match &g.rebuild.source {
            RebuildSource::Topology { binding_link } => binding_link.to_string(),
            RebuildSource::UserRate => "--rebuild-mb-s".into(),
            RebuildSource::UserHours => "--rebuild-hours".into(),
            RebuildSource::NoRedundancy => "no rebuild: no redundancy".into(),
        };
        let mut row = vec![g.group.to_string(), crate::bays::format_bays(&g.bays)];
        row.extend(drives);
        row.extend([
            crate::show::trim_float(g.afr_pct),
            sci(g.lambda_per_hour),
            format!("{:.3}", g.member.tb()),
            g.rebuild.rate.map_or("-".into(), |x| format!("{:.1}", x.0)),
            set_by,
            hours_cell(&g.rebuild, g.rebuild.delay_hours.hours()),
            hours_cell(&g.rebuild, g.rebuild.hours.hours()),
        ]);
        s.row(row);
    }
    if r.groups.iter().any(|g| g.redundancy.m == 0) {
        s.notes.push(format!(
            "No redundancy: {} loses a group's data at the first drive failure, so no rebuild exists and its time enters no model; every model gives P = 1 − e^(−nλt) for the group's n drives.",
            r.shape
        ));
    }
    s.notes.push(format!(
        "T_R = delay + member / rebuild rate (model §6.2). λ from AFR as a {} (model §6.1). Rebuild rates \"set by\" a link come from the bandwidth model's rebuild workload for that group alone.",
        match r.convention {
            AfrConvention::Rate => "rate: λ = AFR / 8760 h",
            AfrConvention::Probability => "probability: λ = −ln(1 − AFR) / 8760 h",
        }
    ));
    if let Some(fill) = r.groups.iter().find_map(|g| g.rebuild.fill) {
        s.notes.push(format!(
            "ZFS: a resilver rewrites only the allocated data, {:.0} % of each member here (fill; --fill sets it): T_R = delay + fill × member / rate (model §ZFS resilver).",
            100.0 * fill
        ));
    }
    let rebalance: Vec<String> = r
        .groups
        .iter()
        .filter_map(|g| {
            g.rebuild
                .rebalance_hours
                .map(|h| format!("group {} {:.1} h", g.group, h.hours()))
        })
        .collect();
    if !rebalance.is_empty() {
        s.notes.push(format!(
            "dRAID: the rebuild reads every child and writes the distributed spare, so T_R is its time; the rebalance onto the replacement disk comes after redundancy is whole and is not in T_R: {}.",
            rebalance.join(", ")
        ));
    }
    if let (Some(src), Some(g)) = (&r.delay_source, r.groups.first()) {
        let h = crate::show::trim_float(g.rebuild.delay_hours.hours());
        s.notes.push(match src {
            durability::DelaySource::User => format!(
                "Delay: detection and replacement before the rebuild starts, {h} h from --replace-hours."
            ),
            durability::DelaySource::Design { source } => format!(
                "Delay: detection and replacement before the rebuild starts, {h} h from the design's raid.replace_delay: {}. --replace-hours sets another.",
                durability::TaggedSource(source)
            ),
            durability::DelaySource::HotSpare => {
                "Delay: 0 h, a hot spare starts the rebuild at once; --replace-hours sets one.".into()
            }
            durability::DelaySource::NoSpareDefault => format!(
                "Delay: detection and replacement before the rebuild starts, {h} h: podplan's default without a hot spare (a day to notice the failure and swap the drive), since the design states none in raid.replace_delay; --replace-hours sets it."
            ),
        });
    }
    out.push(s);
}

/// Whole-group loss per group and for the pod, then the pod's figures under each model.
fn loss_sections(r: &DurabilityReport, style: Style, mission: &str, out: &mut Vec<Section>) {
    let mut header: Vec<String> = vec!["Group".into()];
    header.extend(r.models.iter().flat_map(|m| p_heads(m.model.name(), style)));
    let hdr: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut g = Section::new(
        format!("Whole-group data loss within {mission}: probability (nines)"),
        &hdr,
    );
    g.align_right(1..header.len());
    for grp in &r.groups {
        let mut row = vec![grp.group.to_string()];
        row.extend(grp.models.iter().flat_map(|f| p_cells(f, style)));
        g.row(row);
    }
    let mut row = vec![format!("pod ({})", groups(r.pod.groups))];
    row.extend(r.pod.models.iter().flat_map(|f| p_cells(f, style)));
    g.row(row);
    for m in &r.models {
        g.notes.push(format!(
            "{}: {}; domain: {}.",
            m.model.name(),
            m.description,
            m.domain
        ));
    }
    if all_figures(r).any(|f| !f.in_domain) {
        g.notes.push(format!(
            "†: outside its domain: with these inputs (a repair of a real share of the mission, or sets often degraded: n·λ·T_R above {}, T_R above {} of the mission) the model does not describe the pod; read the Markov chains, which are exact for any repair time.",
            durability::DOMAIN_MAX_FAILURES_PER_REPAIR,
            durability::DOMAIN_MAX_REPAIR_SHARE
        ));
    }
    out.push(g);

    let mut p = Section::new(
        format!("Pod: any of its {}", groups(r.pod.groups)),
        &[
            "Model",
            "P(loss) within mission",
            "Nines",
            "Loss events per 1,000 pod-years",
            "MTTDL years",
            "1 − exp(−t/MTTDL)",
        ],
    );
    p.align_right([1, 2, 3, 4, 5]);
    for (f, per1000) in r.pod.models.iter().zip(&r.pod.events_per_1000_pod_years) {
        p.row(vec![
            f.model.name().into(),
            format!("{}{}", sci(f.p_mission), mark(f)),
            nines(f),
            sci(*per1000),
            f.mttdl_years.map_or("-".into(), years),
            f.p_mission_from_mttdl.map_or("-".into(), sci),
        ]);
    }
    p.notes.push(
        "Markov P(loss) is the transient solution of the chain from all drives up (an entry of exp(Qt)); 1 − exp(−t/MTTDL) is the usual shortcut, slightly higher because it ignores the start from a whole pod."
            .into(),
    );
    out.push(p);
}

/// Partial loss from unrecoverable read errors during critical rebuilds.
fn ure_section(r: &DurabilityReport, style: Style, out: &mut Vec<Section>) {
    if r.groups.iter().any(|g| g.ure.is_some()) {
        let mut u = Section::new(
            "Partial loss: an unrecoverable read error during a critical rebuild (sector loss, reported apart)",
            &match style {
                Style::Read => vec![
                    "Group",
                    "URE spec (bits)",
                    "Bits read per critical rebuild",
                    "P(URE) per critical rebuild",
                    "Critical rebuilds per year",
                    "Partial-loss events per year",
                    "P within mission",
                ],
                Style::Data => vec![
                    "Group",
                    "URE spec (bits)",
                    "Bits read per critical rebuild (bits)",
                    "P(URE) per critical rebuild (probability)",
                    "Critical rebuilds per year, serial repair (count)",
                    "Critical rebuilds per year, parallel repair (count)",
                    "Partial-loss events per year, serial repair (count)",
                    "Partial-loss events per year, parallel repair (count)",
                    "P within mission, serial repair (probability)",
                ],
            },
        );
        u.align_right(0..u.columns.len());
        for grp in &r.groups {
            if let Some(x) = &grp.ure {
                let both = |s: f64, p: f64| match style {
                    Style::Read if sci(s) == sci(p) => vec![sci(s)],
                    Style::Read => vec![format!("{} serial / {} parallel", sci(s), sci(p))],
                    Style::Data => vec![sci(s), sci(p)],
                };
                let mut row = vec![
                    grp.group.to_string(),
                    sci(x.ure_bits),
                    sci(x.bits_read),
                    format!("{:.3}", x.p_ure_per_critical_rebuild),
                ];
                row.extend(both(
                    x.critical_rebuilds_per_year_serial,
                    x.critical_rebuilds_per_year_parallel,
                ));
                row.extend(both(x.events_per_year_serial, x.events_per_year_parallel));
                row.push(sci(x.p_mission_serial));
                u.row(row);
            }
        }
        u.notes.push(format!(
            "Pod: {} partial-loss events per 1,000 pod-years, P = {} within the mission (serial repair). A critical rebuild is one with every parity drive already down: it must read all n − m survivors whole, and one URE loses the stripe it sits in (model §6.6). Scrubbing lowers this; the URE specification is the vendor's, not measured.",
            sci(r.pod.ure_events_per_1000_pod_years),
            sci(r.pod.ure_p_mission)
        ));
        out.push(u);
    }
}

/// The Vault: the code across pods.
fn vault_section(r: &DurabilityReport, style: Style, out: &mut Vec<Section>) {
    if let Some(v) = &r.vault {
        let p_head = |name: &str| match style {
            Style::Read => p_heads(&format!("{name}: P (nines)"), style),
            Style::Data => p_heads(name, style),
        };
        let mut vault_head = vec!["Model".to_string()];
        vault_head.extend(p_head("One tome (a file)"));
        vault_head.extend(p_head("Any tome of the Vault"));
        vault_head.push("Loss events per 1,000 pod-years".into());
        vault_head.extend(p_head("Backblaze's inputs (17+3, 0.405 %, 6.5 d)"));
        let mut vs = Section::new(
            format!(
                "Vault {}+{}: {} pods, {} tomes (one drive slot across the pods, one code each); AFR {} %, shard rebuild {} days",
                v.inputs.data,
                v.inputs.parity,
                v.pods,
                v.tomes,
                crate::show::trim_float(v.inputs.afr_pct),
                crate::show::trim_float(v.inputs.rebuild_hours.days())
            ),
            &vault_head.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        vs.align_right(1..vs.columns.len());
        for (((t, all), per), bb) in v
            .tome
            .iter()
            .zip(&v.vault)
            .zip(&v.events_per_1000_pod_years)
            .zip(&v.backblaze_2018)
        {
            let mut row = vec![t.model.name().to_string()];
            row.extend(p_cells(t, style));
            row.extend(p_cells(all, style));
            row.push(sci(*per));
            row.extend(p_cells(bb, style));
            vs.row(row);
        }
        if let Some(bb) = v
            .backblaze_2018
            .iter()
            .find(|f| f.model == Model::Backblaze)
        {
            vs.notes.push(format!(
                "Backblaze published \"11 nines\" for one file (one tome) from 17+3, 0.405 % and 6.5 days under its period model [model §8, [47]]; the same inputs give {} = {} nines here, {} whole nines.",
                sci(bb.p_mission),
                nines(bb),
                bb.nines.map_or("all".into(), |n| format!("{}", n.floor()))
            ));
        }
        vs.notes.push(
            "In a Vault the pods hold shards, not RAID6 groups (a pod runs one personality or the other): read the pod section for the stand-alone pod, this one for the Vault."
                .into(),
        );
        out.push(vs);
    }
}

/// How the models differ, as ratios to the sliding window.
fn ratios_section(r: &DurabilityReport, out: &mut Vec<Section>) {
    if !r.ratios.is_empty() {
        let mut d = Section::new(
            "How the models differ: loss rate relative to the sliding window (model §6.5)",
            &["Subject", "Model", "Ratio", "Leading order", "Why"],
        );
        d.align_right([2, 3]);
        for x in &r.ratios {
            d.row(vec![
                x.subject.to_string(),
                x.model.name().into(),
                format!("{:.3}", x.ratio),
                format!("{:.3}", x.leading_order),
                why(x.model).into(),
            ]);
        }
        d.notes.push(
            "To leading order the period model under-states loss by (m+1)× against fixed repair windows (3× for RAID6; 4×, 0.6 nines, for a 17+3 Vault) and the serial chain over-states it by m!; the ratios shown differ from that by terms in λ·T_R."
                .into(),
        );
        out.push(d);
    }
}

/// The Monte Carlo check.
fn monte_carlo_section(mc: &crate::montecarlo::McReport, style: Style, out: &mut Vec<Section>) {
    let mut m = Section::new(
        format!(
            "Monte Carlo: {} (seed {}, 95 % intervals)",
            mc.scenario, mc.params.seed
        ),
        &match style {
            Style::Read => vec![
                "Scope",
                "Trials",
                "Trials with a loss",
                "P(loss) within mission",
                "Loss events per year",
                "Closed form",
                "Inside the interval",
            ],
            Style::Data => vec![
                "Scope",
                "Trials (count)",
                "Trials with a loss (count)",
                "P(loss) within mission (probability)",
                "P(loss) 95 % low (probability)",
                "P(loss) 95 % high (probability)",
                "Loss events per year (count)",
                "Loss events per year 95 % low (count)",
                "Loss events per year 95 % high (count)",
                "Closed form",
                "Closed form value",
                "Inside the interval",
            ],
        },
    );
    m.align_right([1, 2]);
    for run in &mc.runs {
        mc_row(run, style, &mut m);
    }
    mc_notes(mc, &mut m);
    out.push(m);
}

/// One Monte Carlo run's row, and its Vault-from-tome note.
fn mc_row(run: &crate::montecarlo::McRun, style: Style, m: &mut Section) {
    let e = &run.estimate;
    let iv = |i: &montecarlo::Interval| match i.high {
        Some(high) => format!("{} [{}, {}]", sci(i.mean), sci(i.low), sci(high)),
        None if i.method == montecarlo::IntervalMethod::NoLossSeen => {
            "0 (no loss seen: no upper bound)".to_string()
        }
        None => format!("{} (one trial: no interval)", sci(i.mean)),
    };
    let (cf, inside) = match &run.closed_form {
        Some(a) => (
            format!(
                "{}: {} = {}",
                a.model.name(),
                if a.figure == "events-per-year" {
                    "loss events per year from a new pod"
                } else {
                    "P(loss) within mission"
                },
                sci(a.analytic)
            ),
            match (a.inside, a.ratio) {
                (Some(true), _) => "yes".to_string(),
                (Some(false), Some(r)) => format!("no (ratio {r:.3})"),
                (Some(false), None) => "no".to_string(),
                (None, _) => "unknown (no upper bound)".to_string(),
            },
        ),
        None => ("none models this scenario".into(), "-".into()),
    };
    let plural = |n: u32, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let scope = format!(
        "{} ({}, {}, {})",
        run.scope,
        plural(run.drives, "drive", "drives"),
        plural(run.sets, "set", "sets"),
        plural(run.domains, "component", "components")
    );
    match style {
        Style::Read => m.row(vec![
            scope,
            e.trials.to_string(),
            e.hits.to_string(),
            iv(&e.p_loss),
            iv(&e.loss_events_per_year),
            cf,
            inside,
        ]),
        Style::Data => {
            // A missing upper bound (no loss seen under biasing) is an empty cell.
            let three = |i: &montecarlo::Interval| {
                [sci(i.mean), sci(i.low), i.high.map(sci).unwrap_or_default()]
            };
            let mut row = vec![scope, e.trials.to_string(), e.hits.to_string()];
            row.extend(three(&e.p_loss));
            row.extend(three(&e.loss_events_per_year));
            match &run.closed_form {
                Some(a) => row.extend([
                    format!("{}: {}", a.model.name(), a.figure),
                    sci(a.analytic),
                    match a.inside {
                        Some(true) => "yes",
                        Some(false) => "no",
                        None => "unknown",
                    }
                    .to_string(),
                ]),
                None => row.extend([String::new(), String::new(), "-".into()]),
            }
            m.row(row)
        }
    };
    if let Some(vt) = &run.vault_from_tome {
        m.notes.push(format!(
            "Vault from the tome (tomes independent): P = {}.",
            iv(vt)
        ));
    }
}

/// The notes under the Monte Carlo table: outages, precision not reached, intervals, biasing.
fn mc_notes(mc: &crate::montecarlo::McReport, m: &mut Section) {
    for run in &mc.runs {
        let e = &run.estimate;
        if e.outages > 0 {
            m.notes.push(format!(
                "{}: {} component failure{} took a set past its parity (simulated count{}): the set is unavailable until the part is replaced, its data intact; outages are not losses and are not in P(loss).",
                run.scope,
                e.outages,
                if e.outages == 1 { "" } else { "s" },
                if mc.params.importance_sampling { ", biased measure" } else { "" }
            ));
        }
        if let (Some(target), Some(false)) = (e.target_relative, e.precision_reached) {
            let got = match e.p_loss.relative() {
                Some(r) if e.hits > 0 => format!(
                    "P(loss) is known to ±{:.1} % from {} trials with a loss",
                    100.0 * r,
                    e.hits
                ),
                _ => "no trial saw a loss".to_string(),
            };
            m.notes.push(format!(
                "{}: the requested precision (±{} %, at least {} trials with a loss) was NOT reached within {} trials (--max-trials): {got}.",
                run.scope,
                crate::show::trim_float(100.0 * target),
                montecarlo::MIN_HITS,
                e.trials
            ));
        } else if mc.params.importance_sampling && e.hits > 0 && e.hits < montecarlo::MIN_HITS {
            m.notes.push(format!(
                "{}: only {} trial{} saw a loss; a normal interval from so few weighted trials is not reliable: run more trials.",
                run.scope,
                e.hits,
                if e.hits == 1 { "" } else { "s" }
            ));
        }
    }
    m.notes.push(
        if mc.params.importance_sampling {
            "Intervals: normal (estimate ± 1.96 standard errors of the weighted trials); when no trial saw a loss the weights give no upper bound, and none is claimed."
        } else {
            "Intervals: exact binomial (Clopper–Pearson, two-sided 95 %) on the trials with a loss; with none in n trials the upper end is 1 − 0.025^(1/n) ≈ 3.7/n."
        }
        .into(),
    );
    if mc.params.importance_sampling {
        let per_run = |method: montecarlo::Method| -> Vec<String> {
            mc.runs
                .iter()
                .filter(|r| r.estimate.method == method)
                .map(|r| {
                    let e = &r.estimate;
                    match (&e.biasing, &e.splitting) {
                        (Some(b), _) => {
                            let deg = b.bias_degraded.iter().copied().fold(1.0, f64::max);
                            format!(
                                "{} ×{:.3} while whole, ×{:.1} while degraded",
                                r.scope, b.bias_up, deg
                            )
                        }
                        (None, Some(f)) => {
                            let f: Vec<String> = f.iter().map(u32::to_string).collect();
                            format!("{} ×{} at levels 1 to {}", r.scope, f.join(", ×"), f.len())
                        }
                        (None, None) => r.scope.clone(),
                    }
                })
                .collect()
        };
        let biased = per_run(montecarlo::Method::Biasing);
        if !biased.is_empty() {
            m.notes.push(format!(
                "Failure biasing: hazards multiplied ({}); each trial carries its likelihood ratio, so the estimates are unbiased; \"trials with a loss\" are counted under the biased measure.",
                biased.join("; ")
            ));
        }
        let split = per_run(montecarlo::Method::Splitting);
        if !split.is_empty() {
            m.notes.push(format!(
                "Components fail, so splitting (RESTART) replaces failure biasing, whose weights are heavy-tailed when one event takes several drives: a trial reaching level k (its worst set tolerance + 1 − k failures from loss) is copied (×k-th factor: {}), each copy weighing 1 / the product of the factors below it and ending when it falls back; no likelihood ratios; with exponential lifetimes the last level is not copied: the expected losses there (the loss rate integrated over the time spent at it) are added instead, and \"trials with a loss\" count trials any of whose copies saw one or reached the last level.",
                split.join("; ")
            ));
        }
        let w: Vec<String> = mc
            .runs
            .iter()
            .filter(|r| r.estimate.hits > 0)
            .map(|r| {
                let w = &r.estimate.weights;
                format!(
                    "{} {:.0} of {} trials (largest trial {:.1} % of the estimate)",
                    r.scope,
                    w.effective_trials,
                    r.estimate.trials,
                    100.0 * w.largest_share
                )
            })
            .collect();
        if !w.is_empty() {
            m.notes.push(format!(
                "Effective trials, (Σ x)² / Σ x² over the trials' contributions to P(loss): {}; far fewer than the trials with a loss means a few heavy weights carry the estimate and its interval is not to be trusted.",
                w.join("; ")
            ));
        }
    } else {
        m.notes.push("Plain counting, no failure biasing.".into());
    }
    if !mc.closed_form_covers {
        m.notes.push(
            "No closed form models this scenario (Weibull lifetimes, component failures, shared rebuilds or serial fixed repairs): compare with the sections above to see what it changes."
                .into(),
        );
    }
}
