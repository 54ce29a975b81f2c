//! Data drives in bays, fans and extras.

use super::*;

/// Step 5: data drives: each fill's bays wired, filled once, and the drives that survive.
pub(super) fn data_drives(w: &mut Walk, s: &mut Sink) -> (Vec<BayDrive>, Lost) {
    let d = w.design;
    let mut filled: BTreeMap<u32, (PartRef, String)> = BTreeMap::new();
    // Bays some fill names (within the chassis), whether or not its drive survived validation;
    // and whether a fill's bay list could not be read at all. A bay named here is never
    // reported as holding no drive: if its drive was dropped, the reason is already an error.
    let mut declared: BTreeMap<u32, String> = BTreeMap::new();
    let mut fills_unknown = false;
    for (i, fill) in d.drives.iter().enumerate() {
        let pl = format!("drives[{i}]");
        let part = w.get(s, &format!("{pl}.part"), &fill.part, "Drive");
        if let Some(Kind::Drive(dr)) = part.as_ref().map(|p| &p.kind)
            && dr.interface == LinkGen::Pata
        {
            s.error(
                Code::InterfaceMismatch,
                format!("{pl}.part"),
                format!(
                    "{:?} is a PATA drive; data bays take SATA/SAS drives",
                    fill.part
                ),
            );
        }
        let Some(bays) = w.bays(s, &format!("{pl}.bays"), &fill.bays) else {
            match parse_bays(&fill.bays) {
                Ok(v) => {
                    for b in v.into_iter().filter(|b| *b <= w.chassis_bays) {
                        declared.entry(b).or_insert_with(|| pl.clone());
                    }
                }
                Err(_) => fills_unknown = true,
            }
            continue;
        };
        let mut unwired = Vec::new();
        let mut conflicts: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for bay in bays {
            if let Some(first) = declared.get(&bay) {
                conflicts.entry(first.clone()).or_default().push(bay);
                continue;
            }
            declared.insert(bay, pl.clone());
            if !w.wired.contains_key(&bay) && !w.lost_wired.contains(&bay) {
                unwired.push(bay);
            }
            if let Some(p) = &part {
                filled.insert(bay, (p.clone(), pl.clone()));
            }
        }
        for (first, list) in conflicts {
            s.error(
                Code::BayConflict,
                format!("{pl}.bays"),
                format!(
                    "{} {} already filled by {first}",
                    bay_list(&list),
                    agree(list.len(), "is", "are")
                ),
            );
        }
        if !unwired.is_empty() && !w.lost_wiring_unknown {
            s.error(
                Code::DriveNotConnected,
                format!("{pl}.bays"),
                format!(
                    "{} {} drives but no backplane or port reaches {}",
                    bay_list(&unwired),
                    agree(unwired.len(), "holds", "hold"),
                    agree(unwired.len(), "it", "them")
                ),
            );
        }
    }
    let empty: Vec<u32> = w
        .wired
        .keys()
        .copied()
        .filter(|b| !declared.contains_key(b))
        .collect();
    if d.drives.is_empty() || (filled.is_empty() && !out_has_errors(s.out)) {
        s.error(Code::EmptyDesign, "drives", "the design has no data drives");
    } else if !empty.is_empty() && !fills_unknown {
        s.warning(
            Code::BayWithoutDrive,
            "drives",
            format!(
                "{} {} wired but {} no drive",
                bay_list(&empty),
                agree(empty.len(), "is", "are"),
                agree(empty.len(), "holds", "hold")
            ),
        );
    }
    let mut drives: Vec<BayDrive> = filled
        .iter()
        .filter_map(|(bay, (part, _))| {
            w.wired.get(bay).map(|(c, p, bp, _)| BayDrive {
                bay: *bay,
                part: part.clone(),
                controller: *c,
                port: *p,
                backplane: *bp,
            })
        })
        .collect();
    drives.sort_by_key(|x| x.bay);
    links_fit(w, s, &drives);
    // Drives named in the design but dropped because of an error already reported: counts
    // that depend on the number of drives (RAID widths, spares, raw capacity) are not checked.
    let lost = Lost {
        any: fills_unknown || drives.len() < declared.len(),
        bays: declared.into_keys().collect(),
        unknown: fills_unknown,
    };
    (drives, lost)
}

/// Every drive speaks its port's kind of link (NVMe on NVMe ports, SATA/SAS on SATA/SAS
/// ports), and a single-ported drive behind a dual-path backplane is flagged: only the first
/// path reaches it.
fn links_fit(w: &Walk, s: &mut Sink, drives: &[BayDrive]) {
    let mut mismatch: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
    let mut single: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
    for d in drives {
        let iface = d.drive().interface;
        let port_link = match d.backplane.and_then(|k| w.backplanes[k].spec()) {
            Some(b) => b.uplink,
            None => w.controllers[d.controller].link,
        };
        if iface.is_nvme() != port_link.is_nvme() {
            mismatch.entry(d.controller).or_default().push(d.bay);
        }
        if let Some(k) = d.backplane {
            let mut root = k;
            while let Some(up) = w.backplanes[root].upstream {
                root = up;
            }
            if !w.backplanes[root].more_paths.is_empty() && !d.drive().dual_port {
                single.entry(root).or_default().push(d.bay);
            }
        }
    }
    for (c, bays) in mismatch {
        s.error(
            Code::InterfaceMismatch,
            "drives",
            format!(
                "{} on {} {}: NVMe drives sit on NVMe ports (M.2, U.2), SATA/SAS drives on SATA/SAS ports",
                bay_list(&bays),
                w.controllers[c].place,
                agree(bays.len(), "does not speak its port's link", "do not speak their ports' link"),
            ),
        );
    }
    for (k, bays) in single {
        s.warning(
            Code::SinglePortDrive,
            "drives",
            format!(
                "{} behind dual-path backplane {:?} {} single-ported: only the first path reaches {} (SAS drives are dual-ported: say `dual_port: true`; SATA drives need an interposer)",
                bay_list(&bays),
                w.backplanes[k].id,
                agree(bays.len(), "is", "are"),
                agree(bays.len(), "it", "them"),
            ),
        );
    }
}

/// Step 6: fan groups and extra parts.
pub(super) fn fans_and_extras(w: &mut Walk, s: &mut Sink) -> (Vec<FanGroup>, Vec<(PartRef, u32)>) {
    let d = w.design;
    let mut fans = Vec::new();
    for (i, g) in d.fans.iter().enumerate() {
        let pl = format!("fans[{i}]");
        let fresh = w.claim_id(s, &format!("{pl}.id"), &g.id);
        let ok = check_qty(s, &format!("{pl}.qty"), g.qty);
        match w.get(s, &format!("{pl}.part"), &g.part, "Fan") {
            Some(p) if ok => fans.push(FanGroup {
                id: g.id.clone(),
                part: p,
                qty: g.qty,
            }),
            _ if fresh => {
                w.lost_ids.insert(g.id.clone());
            }
            _ => {}
        }
    }
    let mut extras = Vec::new();
    for (i, l) in d.extras.iter().enumerate() {
        let pl = format!("extras[{i}]");
        let ok = check_qty(s, &format!("{pl}.qty"), l.qty);
        match w.parts.get(&l.part) {
            Some(p) if ok => extras.push((p.clone(), l.qty)),
            Some(_) => {}
            None if w.bad_parts.contains(&l.part) => {}
            None => s.error(
                Code::UnknownPart,
                format!("{pl}.part"),
                format!("no part with id {:?}", l.part),
            ),
        }
    }
    (fans, extras)
}
