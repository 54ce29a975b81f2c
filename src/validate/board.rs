//! Chassis, board, CPU, memory, slots and cards, onboard SATA and PATA.

use super::*;
use crate::spec::MotherboardSpec;

/// What step 2 resolved: the parts the pod is built on.
pub(super) struct Core {
    pub(super) chassis: Option<PartRef>,
    pub(super) board: Option<PartRef>,
    pub(super) board_spec: Option<MotherboardSpec>,
    pub(super) cpu: Option<PartRef>,
    pub(super) cpus: u32,
    pub(super) memory: Vec<(PartRef, u32)>,
}

/// Step 2: chassis, board, CPU and memory (modules against the board's slots).
pub(super) fn core(w: &mut Walk, s: &mut Sink) -> Core {
    let d = w.design;
    let chassis = w.get(s, "chassis", &d.chassis, "Chassis");
    if let Some(Kind::Chassis(c)) = chassis.as_ref().map(|p| &p.kind) {
        w.chassis_bays = c.bays;
    } else {
        w.chassis_bays = MAX_BAYS;
    }
    let board = w.get(s, "board.part", &d.board.part, "Motherboard");
    let board_spec = match board.as_ref().map(|p| &p.kind) {
        Some(Kind::Motherboard(m)) => Some(m.clone()),
        _ => None,
    };
    let (cpu, cpus) = cpus(w, s, board_spec.as_ref());
    let mut memory = Vec::new();
    let mut modules = 0u32;
    for (i, l) in d.board.memory.iter().enumerate() {
        let pl = format!("board.memory[{i}]");
        let ok = check_qty(s, &format!("{pl}.qty"), l.qty);
        if let Some(p) = w.get(s, &format!("{pl}.part"), &l.part, "Memory")
            && ok
        {
            if let Kind::Memory(m) = &p.kind {
                modules = modules.saturating_add(m.modules.saturating_mul(l.qty));
            }
            memory.push((p, l.qty));
        }
    }
    if let Some(b) = &board_spec
        && modules > b.memory_slots
    {
        s.error(
            Code::BoardCapacity,
            "board.memory",
            format!(
                "{modules} memory modules but the board has {} slots",
                b.memory_slots
            ),
        );
    }
    Core {
        chassis,
        board,
        board_spec,
        cpu,
        cpus,
        memory,
    }
}

/// The processor part and how many: `(part, qty)` needs 1 to the board's sockets.
fn cpus(
    w: &mut Walk,
    s: &mut Sink,
    board_spec: Option<&MotherboardSpec>,
) -> (Option<PartRef>, u32) {
    let d = w.design;
    let (place, qty) = match &d.board.cpu {
        spec::CpuUse::One(_) => ("board.cpu", None),
        spec::CpuUse::Several(l) => ("board.cpu.part", Some(l.qty)),
    };
    let cpu = w.get(s, place, d.board.cpu.part(), "Cpu");
    let Some(n) = qty else {
        return (cpu, 1);
    };
    if !check_qty(s, "board.cpu.qty", n) {
        return (cpu, 1);
    }
    if let Some(b) = board_spec
        && n > b.sockets
    {
        s.error(
            Code::BoardCapacity,
            "board.cpu.qty",
            format!(
                "{n} processors but the board has {} {}",
                b.sockets,
                agree(b.sockets as usize, "socket", "sockets")
            ),
        );
    }
    (cpu, n)
}

/// Step 3: slots and the cards in them; storage cards become controllers and their ports are
/// walked, network cards are returned.
pub(super) fn slots(
    w: &mut Walk,
    s: &mut Sink,
    board_spec: Option<&MotherboardSpec>,
) -> Vec<NicCardUse> {
    let d = w.design;
    let mut nic_cards = Vec::new();
    let mut used_slots: BTreeMap<&str, usize> = BTreeMap::new();
    // The board's slots by id (the first of a duplicated id, as reported on the part).
    let mut board_slots: BTreeMap<&str, &spec::SlotSpec> = BTreeMap::new();
    if let Some(b) = &board_spec {
        for x in b.slots.iter().rev() {
            board_slots.insert(x.id.as_str(), x);
        }
    }
    for (i, su) in d.slots.iter().enumerate() {
        let pl = format!("slots[{i}]");
        let slot = board_slots.get(su.slot.as_str()).map(|x| (*x).clone());
        if let Some(b) = &board_spec {
            if slot.is_none() {
                let names: Vec<&str> = b.slots.iter().map(|x| x.id.as_str()).collect();
                s.error(
                    Code::UnknownSlot,
                    format!("{pl}.slot"),
                    format!(
                        "the board has no slot {:?} (slots: {})",
                        su.slot,
                        names.join(", ")
                    ),
                );
            } else if let Some(first) = used_slots.insert(su.slot.as_str(), i) {
                s.error(
                    Code::UnknownSlot,
                    format!("{pl}.slot"),
                    format!("slot {:?} is already used by slots[{first}]", su.slot),
                );
            }
        }
        let cp = format!("{pl}.card.part");
        let Some(card) = (match w.parts.get(&su.card.part) {
            None => w.get(s, &cp, &su.card.part, "HostCard"),
            Some(p) if matches!(p.kind, Kind::NicCard(_)) => Some(p.clone()),
            Some(_) => w.get(s, &cp, &su.card.part, "HostCard"),
        }) else {
            w.lose_ports(&su.card.ports);
            continue;
        };
        let card_bus = match &card.kind {
            Kind::HostCard(c) => c.host_bus,
            Kind::NicCard(n) => n.host_bus,
            _ => {
                w.lose_ports(&su.card.ports);
                continue;
            }
        };
        let eff_bus = match &slot {
            Some(sl) => match fit_bus(card_bus, sl.bus) {
                Ok(b) => Some(b),
                Err((code, msg)) => {
                    s.error(
                        code,
                        format!("{pl}.card"),
                        format!("{} in slot {:?}: {msg}", card.id, sl.id),
                    );
                    None
                }
            },
            None => None,
        };
        match &card.kind {
            Kind::NicCard(n) => {
                let roles = nic_card_ports(w, s, &pl, su, n.ports, &card.id);
                if let Some(sl) = slot {
                    nic_cards.push(NicCardUse {
                        slot: sl,
                        part: card.clone(),
                        roles,
                    });
                }
            }
            Kind::HostCard(c) => {
                no_nic_roles(s, &pl, su, &card.id);
                let Some(sl) = slot else {
                    w.lose_ports(&su.card.ports);
                    continue;
                };
                w.controllers.push(Controller {
                    id: sl.id.clone(),
                    kind: ControllerKind::Card {
                        slot: sl.clone(),
                        part: card.clone(),
                    },
                    ports: c.ports,
                    link: c.link,
                    pm_support: c.pm_support,
                    host_bus: eff_bus,
                    attach: sl.attach,
                    attachments: Vec::new(),
                    place: format!("{pl}.card"),
                });
                let idx = w.controllers.len() - 1;
                let att = w.ports(s, &format!("{pl}.card.ports"), &su.card.ports, idx);
                w.controllers[idx].attachments = att;
            }
            _ => {}
        }
    }
    nic_cards
}

/// Step 4: the board's onboard SATA controller and its PATA devices.
pub(super) fn onboard(w: &mut Walk, s: &mut Sink, board_spec: Option<&MotherboardSpec>) {
    let d = w.design;
    if !d.board.onboard.is_empty() {
        match board_spec.as_ref().and_then(|b| b.onboard_sata.clone()) {
            None => {
                if board_spec.is_some() {
                    s.error(
                        Code::PortOverflow,
                        "board.onboard",
                        format!("board {:?} has no onboard SATA controller", d.board.part),
                    );
                }
                w.lose_ports(&d.board.onboard);
            }
            Some(o) => {
                w.controllers.push(Controller {
                    id: "onboard".into(),
                    kind: ControllerKind::Onboard {
                        controller: o.controller.clone(),
                    },
                    ports: o.ports,
                    link: o.link,
                    pm_support: o.pm_support,
                    host_bus: None,
                    attach: o.attach,
                    attachments: Vec::new(),
                    place: format!("onboard SATA ({})", o.controller),
                });
                let idx = w.controllers.len() - 1;
                let att = w.ports(s, "board.onboard", &d.board.onboard, idx);
                w.controllers[idx].attachments = att;
            }
        }
    }
    let pata_cap = board_spec.as_ref().map_or(u32::MAX, |b| b.pata_devices);
    if d.board.pata.len() as u64 > u64::from(pata_cap) {
        s.error(
            Code::BoardCapacity,
            "board.pata",
            format!(
                "{} PATA drives but the board has {pata_cap} PATA device positions",
                d.board.pata.len()
            ),
        );
    }
    for (i, id) in d.board.pata.iter().enumerate() {
        let pl = format!("board.pata[{i}]");
        if let Some(p) = w.get(s, &pl, id, "Drive") {
            if let Kind::Drive(dr) = &p.kind
                && dr.interface != LinkGen::Pata
            {
                s.error(
                    Code::InterfaceMismatch,
                    &pl,
                    format!("{id:?} is a SATA/SAS drive; attach it to a SATA port with Boot(...)"),
                );
            }
            w.boot_drives.push(BootDrive {
                part: p,
                port: BootPort::Pata,
            });
        }
    }
}

/// The role of each of `ports` network ports: every port `Data` without a list; with one, the
/// listed roles and `Unused` for the ports left off the end. More roles than ports is an error.
fn nic_roles(
    s: &mut Sink,
    place: &str,
    roles: Option<&[NicRole]>,
    ports: u32,
    what: &str,
) -> Vec<NicRole> {
    let ports = ports as usize;
    let Some(list) = roles else {
        return vec![NicRole::Data; ports];
    };
    if list.len() > ports {
        s.error(
            Code::PortOverflow,
            place,
            format!(
                "{} roles but {what} has {ports} network {}",
                list.len(),
                agree(ports, "port", "ports")
            ),
        );
    }
    let mut out: Vec<NicRole> = list.iter().copied().take(ports).collect();
    out.resize(ports, NicRole::Unused);
    out
}

/// Step 3b: the roles of the onboard network ports, and the network as a whole: a warning when
/// no port carries data, or when a balanced bond mixes speeds (held to its slowest × count).
pub(super) fn network(
    w: &Walk,
    s: &mut Sink,
    board_spec: Option<&MotherboardSpec>,
    nic_cards: &[NicCardUse],
) -> Vec<NicRole> {
    let d = w.design;
    // A board dropped for an error already reported: its ports are unknown, not missing.
    let Some(b) = board_spec else {
        return Vec::new();
    };
    let onboard: Vec<f64> = b.nics.iter().map(|n| n.gbit_s).collect();
    let roles = nic_roles(
        s,
        "board.nics",
        d.board.nics.as_deref(),
        onboard.len() as u32,
        &format!("board {:?}", d.board.part),
    );
    let mut data: Vec<f64> = onboard
        .iter()
        .zip(&roles)
        .filter(|(_, r)| **r == NicRole::Data)
        .map(|(g, _)| *g)
        .collect();
    let mut any = !onboard.is_empty();
    for n in nic_cards {
        if let Kind::NicCard(c) = &n.part.kind {
            any |= c.ports > 0;
            data.extend(
                n.roles
                    .iter()
                    .filter(|r| **r == NicRole::Data)
                    .map(|_| c.gbit_s),
            );
        }
    }
    if any && data.is_empty() {
        s.warning(
            Code::NoDataNic,
            "board.nics",
            "no network port has the Data role: client traffic has no way in or out; give the ports that carry it Data",
        );
    }
    let (lo, hi) = data.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), g| {
        (lo.min(*g), hi.max(*g))
    });
    if d.bond == spec::Bond::Balance && data.len() > 1 && lo < hi {
        s.warning(
            Code::NicBondSpeeds,
            "bond",
            format!(
                "the {} data ports mix {} and {} Gb/s: a balanced bond spreads flows evenly, so it carries {} × the slowest port; give the slower ports Management or Unused (board.nics, or nics on the card)",
                data.len(),
                crate::units::trim_float(lo),
                crate::units::trim_float(hi),
                data.len()
            ),
        );
    }
    roles
}

/// A network card's ports: the roles of its network ports, and no SATA attachments.
fn nic_card_ports(
    w: &mut Walk,
    s: &mut Sink,
    pl: &str,
    su: &spec::SlotUse,
    ports: u32,
    card: &str,
) -> Vec<NicRole> {
    let roles = nic_roles(
        s,
        &format!("{pl}.card.nics"),
        su.card.nics.as_deref(),
        ports,
        card,
    );
    if !su.card.ports.is_empty() {
        s.error(
            Code::PortOverflow,
            format!("{pl}.card.ports"),
            "a network card has no SATA ports to attach to",
        );
        w.lose_ports(&su.card.ports);
    }
    roles
}

/// A storage card has no network ports to give roles to.
fn no_nic_roles(s: &mut Sink, pl: &str, su: &spec::SlotUse, card: &str) {
    if su.card.nics.is_some() {
        s.error(
            Code::InvalidValue,
            format!("{pl}.card.nics"),
            format!("{card} is a storage card without network ports; nics: [...] gives the roles of a network card's ports"),
        );
    }
}
