//! PSUs and feeds: every load fed by one power supply.

use super::*;

/// Step 7: PSUs and their feeds; every load fed once, a PSU feeding the rest or a warning.
pub(super) fn psus(
    w: &mut Walk,
    s: &mut Sink,
    drives: &[BayDrive],
    fans: &[FanGroup],
    lost: &Lost,
) -> Vec<Psu> {
    let d = w.design;
    if d.psus.is_empty() {
        s.error(Code::NoPsu, "psus", "the design has no power supply");
        return Vec::new();
    }
    let all = all_loads(w, drives, fans);
    // Lookups by bay and by id, so that long feed lists stay linear.
    let by_bay: BTreeMap<u32, &BayDrive> = drives.iter().map(|x| (x.bay, x)).collect();
    let mut by_id: BTreeMap<String, Load> = BTreeMap::new();
    for (k, f) in fans.iter().enumerate().rev() {
        by_id.insert(f.id.clone(), Load::Fans(k));
    }
    for (k, b) in w.backplanes.iter().enumerate().rev() {
        by_id.insert(b.id.clone(), Load::Backplane(k));
    }
    let mut owner: BTreeMap<Load, String> = BTreeMap::new();
    let mut rest_psu: Option<usize> = None;
    let mut out = Vec::new();
    // PSUs whose feeds were all read without an error: only they can be said to feed nothing.
    let mut clean_feeds = Vec::new();
    for (i, pu) in d.psus.iter().enumerate() {
        let pl = format!("psus[{i}]");
        let mark = s.out.len();
        // A feed skipped because what it names was dropped for an earlier error.
        let mut skipped = false;
        w.claim_id(s, &format!("{pl}.id"), &pu.id);
        let part = w.get(s, &format!("{pl}.part"), &pu.part, "Psu");
        let (qty, spares) = group(s, &pl, pu);
        let mut loads = Vec::new();
        match &pu.feeds {
            Feeds::Rest => {
                if let Some(first) = rest_psu {
                    s.error(
                        Code::FeedConflict,
                        format!("{pl}.feeds"),
                        format!("psus[{first}] already feeds the rest; name this PSU's loads with Only([...]), or make the two one redundant group sharing the loads (qty: 2, redundancy: NPlus(1))"),
                    );
                } else {
                    rest_psu = Some(i);
                }
            }
            Feeds::Only(ids) => {
                for (j, id) in ids.iter().enumerate() {
                    let fp = format!("{pl}.feeds[{j}]");
                    let mut found: Vec<Load> = Vec::new();
                    if id == "board" {
                        found.push(Load::Board);
                    } else if let Some(r) = id.strip_prefix("bays:") {
                        let (more, skip) = bay_feed(s, &fp, id, r, &by_bay, w, lost);
                        found.extend(more);
                        skipped |= skip;
                    } else if let Some(l) = by_id.get(id.as_str()) {
                        found.push(l.clone());
                    } else if w.lost_ids.contains(id) {
                        // A backplane or fan group dropped because of an error already reported.
                        skipped = true;
                    } else {
                        s.error(
                            Code::UnknownFeed,
                            &fp,
                            format!("{id:?} is not a backplane id, fan-group id, \"board\" or \"bays:<range>\""),
                        );
                    }
                    let mut fed_by: BTreeSet<String> = BTreeSet::new();
                    for l in found {
                        if let Some(first) = owner.get(&l) {
                            fed_by.insert(first.clone());
                        } else {
                            owner.insert(l.clone(), pu.id.clone());
                            loads.push(l);
                        }
                    }
                    for first in fed_by {
                        s.error(
                            Code::FeedConflict,
                            &fp,
                            format!("{id:?} is already fed by {first}"),
                        );
                    }
                }
            }
        }
        clean_feeds.push(!skipped && !s.out[mark..].iter().any(Diagnostic::is_error));
        out.push((part, pu.id.clone(), loads, qty, spares));
    }
    let unfed: Vec<Load> = all
        .iter()
        .filter(|l| !owner.contains_key(l))
        .cloned()
        .collect();
    if let Some(r) = rest_psu {
        out[r].2.extend(unfed);
    } else if !unfed.is_empty() {
        warn_unfed(s, w, fans, &unfed);
    }
    for (i, (_, id, loads, _, _)) in out.iter().enumerate() {
        if loads.is_empty() && clean_feeds[i] {
            s.warning(
                Code::PsuFeedsNothing,
                format!("psus[{i}].feeds"),
                format!(
                    "{id} feeds nothing, so it is left out of the rated power; give it loads with Only([...]) or remove it"
                ),
            );
        }
    }
    out.into_iter().filter_map(psu_of).collect()
}

/// The model of one PSU entry whose part resolved, its loads sorted.
fn psu_of((part, id, mut loads, qty, spares): Entry) -> Option<Psu> {
    loads.sort();
    part.map(|p| Psu {
        id,
        part: p,
        loads,
        qty,
        spares,
    })
}

/// One PSU entry as read: its part, id, loads, units and promised spares.
type Entry = (Option<PartRef>, String, Vec<Load>, u32, u32);

/// Every load in the pod: the board, each backplane and fan group, each drive without one.
fn all_loads(w: &Walk, drives: &[BayDrive], fans: &[FanGroup]) -> BTreeSet<Load> {
    let mut all: BTreeSet<Load> = BTreeSet::new();
    all.insert(Load::Board);
    for i in 0..w.backplanes.len() {
        all.insert(Load::Backplane(i));
    }
    for i in 0..fans.len() {
        all.insert(Load::Fans(i));
    }
    for dr in drives.iter().filter(|x| x.backplane.is_none()) {
        all.insert(Load::Bay(dr.bay));
    }
    all
}

/// A `bays:<range>` feed: the drives wired to a port without a backplane (one behind a
/// backplane is fed through it). Returns the loads found and whether a named bay's drive was
/// dropped for an error already reported.
fn bay_feed(
    s: &mut Sink,
    fp: &str,
    id: &str,
    r: &str,
    by_bay: &BTreeMap<u32, &BayDrive>,
    w: &Walk,
    lost: &Lost,
) -> (Vec<Load>, bool) {
    let mut found = Vec::new();
    let mut skipped = false;
    match parse_bays(r) {
        Err(m) => s.error(Code::InvalidBays, fp, format!("{id:?}: {m}")),
        Ok(bays) => {
            let mut behind: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
            let mut no_drive = Vec::new();
            for b in bays {
                match by_bay.get(&b) {
                    Some(x) => match x.backplane {
                        None => found.push(Load::Bay(b)),
                        Some(k) => behind.entry(k).or_default().push(b),
                    },
                    // A drive named there but dropped: already an error.
                    None if lost.named(b) => skipped = true,
                    None => no_drive.push(b),
                }
            }
            for (k, list) in behind {
                s.error(
                    Code::UnknownFeed,
                    fp,
                    format!(
                        "{} {} behind backplane {:?}; feed the backplane instead",
                        bay_list(&list),
                        agree(list.len(), "is", "are"),
                        w.backplanes.get(k).map_or("", |bp| bp.id.as_str())
                    ),
                );
            }
            if !no_drive.is_empty() {
                s.error(
                    Code::UnknownFeed,
                    fp,
                    format!(
                        "{} {} no drive",
                        bay_list(&no_drive),
                        agree(no_drive.len(), "holds", "hold")
                    ),
                );
            }
        }
    }
    (found, skipped)
}

/// Warns of the loads no PSU feeds, when no PSU feeds the rest.
fn warn_unfed(s: &mut Sink, w: &Walk, fans: &[FanGroup], unfed: &[Load]) {
    let names: Vec<String> = unfed
        .iter()
        .map(|l| match l {
            Load::Board => "board".to_string(),
            Load::Backplane(k) => w.backplanes[*k].id.clone(),
            Load::Fans(k) => fans[*k].id.clone(),
            Load::Bay(b) => format!("bay {b}"),
        })
        .collect();
    s.warning(
        Code::UnfedLoad,
        "psus",
        format!(
            "no PSU feeds {}; add them to a PSU or let one PSU feed Rest",
            names.join(", ")
        ),
    );
}

/// The most units one PSU group may have.
const MAX_GROUP: u32 = 16;

/// A PSU entry's units and promised spares: `qty` from 1 to [`MAX_GROUP`], and `NPlus(k)` with
/// `1 ≤ k < qty`. A bad value is an error and counts as a single PSU without redundancy.
fn group(s: &mut Sink, pl: &str, pu: &PsuUse) -> (u32, u32) {
    if !check_count(s, &format!("{pl}.qty"), pu.qty, 1, MAX_GROUP, "qty") {
        return (1, 0);
    }
    let k = pu.redundancy.spares();
    if matches!(pu.redundancy, Redundancy::NPlus(_)) && (k == 0 || k >= pu.qty) {
        s.error(
            Code::InvalidValue,
            format!("{pl}.redundancy"),
            if k == 0 {
                "NPlus(0) is no redundancy; leave redundancy out".to_string()
            } else {
                format!(
                    "NPlus({k}) leaves no unit working in a group of {} (it survives at most {} \
                     failed): give the group at least {} units (qty: {})",
                    pu.qty,
                    pu.qty.saturating_sub(1),
                    k + 1,
                    k + 1
                )
            },
        );
        return (pu.qty, 0);
    }
    (pu.qty, k)
}
