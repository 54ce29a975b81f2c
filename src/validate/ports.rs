//! Controllers and their ports: what each port attaches (bays, backplanes, boot drives).

use super::*;

impl Walk<'_> {
    /// Resolves a part id that must have `role`.
    pub(super) fn get(&self, s: &mut Sink, place: &str, id: &str, role: &str) -> Option<PartRef> {
        match self.parts.get(id) {
            Some(p) if p.kind.role() == role => Some(p.clone()),
            Some(p) => {
                s.error(
                    Code::WrongPartRole,
                    place,
                    format!(
                        "part {id:?} is a {} but a {role} is needed here",
                        p.kind.role()
                    ),
                );
                None
            }
            None if self.bad_parts.contains(id) => None,
            None => {
                s.error(
                    Code::UnknownPart,
                    place,
                    format!("no part with id {id:?} in the design's parts or catalogs"),
                );
                None
            }
        }
    }

    /// Claims a design element's id; false (with an error) when it is reserved, empty or taken.
    pub(super) fn claim_id(&mut self, s: &mut Sink, place: &str, id: &str) -> bool {
        if id == "board" || id.starts_with("bays:") {
            s.error(
                Code::DuplicateId,
                place,
                format!("id {id:?} is reserved for PSU feeds"),
            );
            false
        } else if id.is_empty() {
            s.error(Code::InvalidId, place, "empty id");
            false
        } else if let Some(first) = self.ids.get(id) {
            s.error(
                Code::DuplicateId,
                place,
                format!("id {id:?} is already used at {first}"),
            );
            false
        } else {
            self.ids.insert(id.to_string(), place.to_string());
            true
        }
    }

    /// Records the bays of a wiring element dropped because of an error already reported.
    pub(super) fn lose_wiring(&mut self, text: &str) {
        match parse_bays(text) {
            Ok(v) => self.lost_wired.extend(v),
            Err(_) => self.lost_wiring_unknown = true,
        }
    }

    /// Records everything on the ports of a controller that was dropped (unknown card part,
    /// unknown slot, board without onboard SATA): its backplanes and bays are consequences.
    pub(super) fn lose_ports(&mut self, uses: &[PortUse]) {
        for u in uses {
            match u {
                PortUse::Direct { bays } => self.lose_wiring(bays),
                PortUse::Backplane { id, bays, .. } => {
                    self.lost_ids.insert(id.clone());
                    self.lose_wiring(bays);
                }
                PortUse::Empty | PortUse::Boot(_) => {}
            }
        }
    }

    pub(super) fn bays(&self, s: &mut Sink, place: &str, text: &str) -> Option<Vec<u32>> {
        match parse_bays(text) {
            Err(m) => {
                s.error(Code::InvalidBays, place, format!("bays {text:?}: {m}"));
                None
            }
            Ok(v) => {
                let out: Vec<u32> = v
                    .iter()
                    .copied()
                    .filter(|b| *b > self.chassis_bays)
                    .collect();
                if !out.is_empty() && self.chassis_bays > 0 {
                    s.error(
                        Code::BayOutOfRange,
                        place,
                        format!(
                            "{} {} beyond the chassis, which has {} bays",
                            bay_list(&out),
                            agree(out.len(), "is", "are"),
                            self.chassis_bays
                        ),
                    );
                    return None;
                }
                Some(v)
            }
        }
    }

    pub(super) fn wire(
        &mut self,
        s: &mut Sink,
        place: &str,
        bays: &[u32],
        controller: usize,
        port: Option<u32>,
        backplane: Option<usize>,
    ) {
        // Bays already wired elsewhere, grouped by where: one error per earlier place.
        let mut conflicts: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (i, bay) in bays.iter().enumerate() {
            let p =
                port.unwrap_or(0)
                    .saturating_add(if backplane.is_some() { 0 } else { i as u32 });
            if let Some(first) = self.wired.get(bay) {
                conflicts.entry(first.3.clone()).or_default().push(*bay);
            } else {
                self.wired
                    .insert(*bay, (controller, p, backplane, place.to_string()));
            }
        }
        for (first, list) in conflicts {
            s.error(
                Code::BayConflict,
                place,
                format!(
                    "{} {} already wired at {first}",
                    bay_list(&list),
                    agree(list.len(), "is", "are")
                ),
            );
        }
    }

    /// Walks the attachments of one controller's ports.
    pub(super) fn ports(
        &mut self,
        s: &mut Sink,
        place: &str,
        uses: &[PortUse],
        controller: usize,
    ) -> Vec<Attachment> {
        let nports = self.controllers[controller].ports;
        let mut used: u32 = 0;
        let mut out = Vec::new();
        for (j, u) in uses.iter().enumerate() {
            let pl = format!("{place}[{j}]");
            let (lanes, what) = match u {
                PortUse::Empty => (1, Some(Attached::Empty)),
                PortUse::Boot(id) => {
                    let part = self.get(s, &pl, id, "Drive");
                    if let Some(Kind::Drive(d)) = part.as_ref().map(|p| &p.kind)
                        && d.interface == LinkGen::Pata
                    {
                        s.error(
                            Code::InterfaceMismatch,
                            &pl,
                            format!("boot drive {id:?} is PATA; list it in board.pata"),
                        );
                    }
                    let what = part.map(|p| {
                        self.boot_drives.push(BootDrive {
                            part: p,
                            port: BootPort::Sata(controller, used),
                        });
                        Attached::Boot(self.boot_drives.len() - 1)
                    });
                    (1, what)
                }
                PortUse::Direct { bays } => {
                    let bays_v = self.bays(s, &format!("{pl}.bays"), bays);
                    let n = bays_v
                        .as_ref()
                        .map_or(1, |v| u32::try_from(v.len()).unwrap_or(u32::MAX));
                    match &bays_v {
                        Some(v) if used.saturating_add(n) <= nports => {
                            self.wire(s, &pl, v, controller, Some(used), None);
                        }
                        // Port overflow, reported below.
                        Some(v) => self.lost_wired.extend(v.iter().copied()),
                        None => self.lose_wiring(bays),
                    }
                    (n, bays_v.map(Attached::Direct))
                }
                PortUse::Backplane { id, part, bays } => {
                    self.backplane_port(s, &pl, (id, part, bays), controller, used)
                }
            };
            if used.saturating_add(lanes) > nports {
                s.error(
                    Code::PortOverflow,
                    &pl,
                    format!(
                        "needs port{} {}{} but {} has only {nports} port{}",
                        if lanes > 1 { "s" } else { "" },
                        used,
                        if lanes > 1 {
                            format!("-{}", used.saturating_add(lanes) - 1)
                        } else {
                            String::new()
                        },
                        self.controllers[controller].place,
                        if nports == 1 { "" } else { "s" }
                    ),
                );
            } else if let Some(what) = what {
                out.push(Attachment {
                    first_port: used,
                    ports: lanes,
                    what,
                });
            }
            used = used.saturating_add(lanes);
        }
        out
    }

    /// A backplane on a port: its id claimed, its part resolved, its bays against its drive
    /// ports and wired when the ports hold it. Returns the ports it takes and what it attaches.
    fn backplane_port(
        &mut self,
        s: &mut Sink,
        pl: &str,
        (id, part, bays): (&String, &String, &String),
        controller: usize,
        used: u32,
    ) -> (u32, Option<Attached>) {
        let (nports, pm) = (
            self.controllers[controller].ports,
            self.controllers[controller].pm_support,
        );
        // A second element with a taken id is most often the same backplane
        // listed twice: the duplicate-id error says so, and its bays are not
        // wired a second time (which would repeat the mistake once per bay).
        let fresh = self.claim_id(s, &format!("{pl}.id"), id);
        let bp = self.get(s, &format!("{pl}.part"), part, "Backplane");
        let spec = match bp.as_ref().map(|p| &p.kind) {
            Some(Kind::Backplane(b)) => Some(b.clone()),
            _ => None,
        };
        let lanes = spec.as_ref().map_or(1, |b| b.uplink_lanes);
        if let Some(b) = &spec
            && let BackplaneKind::PortMultiplier(_) = b.kind
            && pm == PmSupport::None
        {
            s.error(
                Code::PmUnsupported,
                pl,
                format!(
                    "{} is a port-multiplier backplane but {} has no port-multiplier support on its ports",
                    part,
                    self.controllers[controller].place
                ),
            );
        }
        let bays_v = self.bays(s, &format!("{pl}.bays"), bays);
        if let (Some(v), Some(b)) = (&bays_v, &spec)
            && v.len() as u32 > b.drive_ports
        {
            s.error(
                Code::BackplaneBays,
                format!("{pl}.bays"),
                format!(
                    "{} bays listed but backplane {part:?} has {} drive ports",
                    v.len(),
                    b.drive_ports
                ),
            );
        } else if let (Some(v), Some(b)) = (&bays_v, &spec)
            && (v.len() as u32) < b.drive_ports
        {
            s.warning(
                Code::BackplaneBays,
                format!("{pl}.bays"),
                format!(
                    "backplane {part:?} has {} drive ports but only {} bays are listed; {} ports face no bay",
                    b.drive_ports,
                    v.len(),
                    b.drive_ports - v.len() as u32
                ),
            );
        }
        let what = match (bp, bays_v) {
            (Some(p), Some(v)) if fresh => {
                let idx = self.backplanes.len();
                if used.saturating_add(lanes) <= nports {
                    self.wire(s, pl, &v, controller, Some(used), Some(idx));
                } else {
                    // Port overflow, reported below.
                    self.lost_wired.extend(v.iter().copied());
                }
                self.backplanes.push(Backplane {
                    id: id.clone(),
                    part: p,
                    bays: v,
                    controller,
                    first_port: used,
                });
                Some(Attached::Backplane(idx))
            }
            (_, bays_v) => {
                if fresh {
                    self.lost_ids.insert(id.clone());
                }
                match bays_v {
                    Some(v) => self.lost_wired.extend(v),
                    None => self.lose_wiring(bays),
                }
                None
            }
        };
        (lanes, what)
    }
}
