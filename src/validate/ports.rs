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
                PortUse::Backplane {
                    id, bays, cascade, ..
                } => {
                    self.lost_ids.insert(id.clone());
                    self.lose_wiring(bays);
                    self.lose_ports(cascade);
                }
                PortUse::Empty | PortUse::Boot(_) | PortUse::Path { .. } => {}
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
                    } else if let Some(Kind::Drive(d)) = part.as_ref().map(|p| &p.kind)
                        && d.interface.is_nvme() != self.controllers[controller].link.is_nvme()
                    {
                        s.error(
                            Code::InterfaceMismatch,
                            &pl,
                            format!(
                                "boot drive {id:?} is {} but {} has {} ports",
                                d.interface.label(),
                                self.controllers[controller].place,
                                self.controllers[controller].link.label()
                            ),
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
                PortUse::Backplane {
                    id,
                    part,
                    bays,
                    cascade,
                } => {
                    let at = At {
                        controller,
                        port: used,
                        upstream: None,
                    };
                    self.backplane_port(s, &pl, (id, part, bays), at, cascade)
                }
                PortUse::Path { backplane } => self.path_port(s, &pl, backplane, controller, used),
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
        at: At,
        cascade: &[PortUse],
    ) -> (u32, Option<Attached>) {
        let (controller, used) = (at.controller, at.port);
        let (nports, pm) = (
            self.controllers[controller].ports,
            self.controllers[controller].pm_support,
        );
        // A second element with a taken id is most often the same backplane
        // listed twice: the duplicate-id error says so, and its bays are not
        // wired a second time (which would repeat the mistake once per bay).
        let dual = self
            .backplanes
            .iter()
            .find(|b| b.id == *id)
            .and_then(|b| b.spec())
            .is_some_and(|b| b.paths > 1);
        let fresh = if dual {
            let at = self.ids.get(id).cloned().unwrap_or_default();
            s.error(
                Code::DuplicateId,
                format!("{pl}.id"),
                format!(
                    "id {id:?} is already used at {at}; a further cable to the same dual-path backplane is `Path(backplane: {id:?})`"
                ),
            );
            false
        } else {
            self.claim_id(s, &format!("{pl}.id"), id)
        };
        let bp = self.get(s, &format!("{pl}.part"), part, "Backplane");
        let spec = match bp.as_ref().map(|p| &p.kind) {
            Some(Kind::Backplane(b)) => Some(b.clone()),
            _ => None,
        };
        // A cascaded backplane takes no controller port: its uplink is the upstream
        // expander's downstream port.
        let lanes = match at.upstream {
            Some(_) => 0,
            None => spec.as_ref().map_or(1, |b| b.uplink_lanes),
        };
        if let (Some(b), Some(_)) = (&spec, at.upstream)
            && let BackplaneKind::PortMultiplier(_) = b.kind
        {
            s.error(
                Code::CascadeUnsupported,
                pl,
                format!("{part} is a port-multiplier backplane; only SAS expander and passive backplanes hang off an expander's downstream port"),
            );
        } else if let Some(b) = &spec
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
        if let (Some(v), Some(b)) = (&bays_v, &spec) {
            bays_fit(s, pl, part, v, b);
        }
        self.link_fits(s, pl, spec.as_ref().map(|b| b.uplink), controller);
        let what = match (bp, bays_v) {
            (Some(p), Some(v)) if fresh => {
                let idx = self.backplanes.len();
                let fits = used.saturating_add(lanes) <= nports;
                if fits {
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
                    upstream: at.upstream,
                    more_paths: Vec::new(),
                });
                let expander = spec.as_ref().map(|b| b.kind) == Some(BackplaneKind::Expander);
                self.cascade(s, pl, cascade, (idx, expander, fits), at);
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
                self.lose_ports(cascade);
                None
            }
        };
        (lanes, what)
    }

    /// The backplanes daisy-chained from backplane `parent`'s downstream port: each wired to
    /// the root's controller port, with `parent` as its upstream. Only an expander cascades.
    fn cascade(
        &mut self,
        s: &mut Sink,
        pl: &str,
        cascade: &[PortUse],
        (parent, expander, fits): (usize, bool, bool),
        at: At,
    ) {
        if cascade.is_empty() {
            return;
        }
        if !expander {
            s.error(
                Code::CascadeUnsupported,
                format!("{pl}.cascade"),
                format!(
                    "backplane {:?} is not a SAS expander: only an expander has a downstream port to cascade from",
                    self.backplanes[parent].id
                ),
            );
            self.lose_ports(cascade);
            return;
        }
        for (i, u) in cascade.iter().enumerate() {
            let cpl = format!("{pl}.cascade[{i}]");
            match u {
                PortUse::Backplane {
                    id,
                    part,
                    bays,
                    cascade: next,
                } => {
                    let child = At {
                        controller: at.controller,
                        port: at.port,
                        upstream: Some(parent),
                    };
                    if fits {
                        self.backplane_port(s, &cpl, (id, part, bays), child, next);
                    } else {
                        self.lose_ports(std::slice::from_ref(u));
                    }
                }
                _ => s.error(
                    Code::CascadeUnsupported,
                    &cpl,
                    "only a Backplane(...) hangs off an expander's downstream port",
                ),
            }
        }
    }

    /// A further host path to a dual-path backplane defined earlier: takes the backplane's
    /// uplink lanes on this controller.
    fn path_port(
        &mut self,
        s: &mut Sink,
        pl: &str,
        id: &str,
        controller: usize,
        used: u32,
    ) -> (u32, Option<Attached>) {
        let Some(k) = self.backplanes.iter().position(|b| b.id == id) else {
            if !self.lost_ids.contains(id) {
                let why = if self.ids.contains_key(id) {
                    "is not a backplane".to_string()
                } else {
                    "is not defined before this path (list the backplane's first path earlier in the design)".to_string()
                };
                s.error(
                    Code::UnknownPath,
                    format!("{pl}.backplane"),
                    format!("{id:?} {why}"),
                );
            }
            return (1, None);
        };
        let bp = &self.backplanes[k];
        let (lanes, paths, link) = bp
            .spec()
            .map_or((1, 1, None), |b| (b.uplink_lanes, b.paths, Some(b.uplink)));
        let problem = if let Some(up) = bp.upstream {
            Some(format!(
                "backplane {id:?} is cascaded from {:?}: cable the further path to the head of the chain",
                self.backplanes[up].id
            ))
        } else if paths < 2 {
            Some(format!(
                "backplane {id:?} ({}) has one host path; a dual-path backplane says `paths: 2` in its part",
                bp.part.id
            ))
        } else if bp.more_paths.len() + 1 >= paths as usize {
            Some(format!(
                "backplane {id:?} has {paths} host paths and every one is already cabled"
            ))
        } else {
            None
        };
        if let Some(m) = problem {
            s.error(Code::PathUnsupported, pl, m);
            return (lanes, None);
        }
        self.link_fits(s, pl, link, controller);
        if used.saturating_add(lanes) <= self.controllers[controller].ports {
            self.backplanes[k].more_paths.push((controller, used));
        }
        (lanes, Some(Attached::Path(k)))
    }

    /// A backplane's uplink must speak its controller's kind of link: NVMe with NVMe.
    fn link_fits(&self, s: &mut Sink, pl: &str, uplink: Option<LinkGen>, controller: usize) {
        let link = self.controllers[controller].link;
        if let Some(up) = uplink
            && up.is_nvme() != link.is_nvme()
        {
            s.error(
                Code::InterfaceMismatch,
                pl,
                format!(
                    "the backplane's uplink is {} but {} has {} ports",
                    up.label(),
                    self.controllers[controller].place,
                    link.label()
                ),
            );
        }
    }
}

/// A backplane's bays against its drive ports: more is an error, fewer a warning.
fn bays_fit(s: &mut Sink, pl: &str, part: &str, v: &[u32], b: &spec::BackplaneSpec) {
    if v.len() as u32 > b.drive_ports {
        s.error(
            Code::BackplaneBays,
            format!("{pl}.bays"),
            format!(
                "{} bays listed but backplane {part:?} has {} drive ports",
                v.len(),
                b.drive_ports
            ),
        );
    } else if (v.len() as u32) < b.drive_ports {
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
}

/// Where a backplane's uplink goes: a controller's port, or an upstream expander's
/// downstream port (the root's controller and port, for the bays' primary path).
#[derive(Clone, Copy)]
struct At {
    controller: usize,
    port: u32,
    upstream: Option<usize>,
}
