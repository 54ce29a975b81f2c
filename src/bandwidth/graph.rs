//! The link graph: every shared link a pod's topology implies, and each drive's path.

use super::*;
use crate::spec::{Bond, NicRole};

/// What a link is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkKind {
    /// A port-multiplier backplane's uplink, which is the card's SATA port.
    PmUplink,
    /// A SAS expander backplane's wide uplink.
    ExpanderUplink,
    /// A storage card's host link (PCIe or PCI-X).
    CardHost,
    /// The conventional PCI bus, shared by every card on it.
    PciBus,
    /// The CPU-chipset link (DMI), shared by everything behind the PCH.
    Chipset,
    /// The CPU/memory parity limit.
    Parity,
    /// A network card's host link.
    NicHost,
    /// One Ethernet port.
    Nic,
}

impl LinkKind {
    /// Short name for tables.
    pub fn name(self) -> &'static str {
        match self {
            LinkKind::PmUplink => "PM uplink",
            LinkKind::ExpanderUplink => "expander uplink",
            LinkKind::CardHost => "card host link",
            LinkKind::PciBus => "PCI bus",
            LinkKind::Chipset => "chipset link",
            LinkKind::Parity => "CPU parity",
            LinkKind::NicHost => "NIC host link",
            LinkKind::Nic => "NIC port",
        }
    }
}

/// One shared link of the graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    /// Stable id, usable with `--set ID=MB/s`: `uplink:bp1`, `host:SLOT7`, `pci:bus`,
    /// `chipset:dmi`, `cpu:parity`, `nic:1`.
    pub id: String,
    /// What it is, in words.
    pub name: String,
    /// Its kind.
    pub kind: LinkKind,
    /// Raw line rate and encoding, per direction (`None` for the CPU parity limit).
    pub line: Option<LineRate>,
    /// Protocol efficiency applied to the payload (`None` when the capacity was set directly).
    pub efficiency: Option<f64>,
    /// The key of that factor in [`Factors`].
    pub factor: Option<&'static str>,
    /// Effective capacity, MB/s of payload.
    pub capacity: MBps,
    /// Data-drive bays whose traffic can cross it.
    pub behind: Vec<u32>,
}

/// A data drive as a source: its own limits and the shared links on its path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriveNode {
    /// Chassis bay.
    pub bay: u32,
    /// Drive model name.
    pub model: String,
    /// Capacity as sold.
    pub capacity: Bytes,
    /// Sustained media rate in the zone, MB/s.
    pub media: MBps,
    /// The SATA/SAS link between the drive and its port (negotiated generation).
    pub port_line: LineRate,
    /// That link's effective capacity, MB/s.
    pub port: MBps,
    /// Shared links from the drive to the CPU, in order.
    pub path: Vec<usize>,
}

/// The link graph of a pod.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Graph {
    /// Shared links: uplinks, card host links and the PCI bus, the chipset link, the parity
    /// limit, NIC host links, NIC ports.
    pub links: Vec<Link>,
    /// Data drives, in bay order.
    pub drives: Vec<DriveNode>,
    /// Links client traffic crosses, with the share of each user MB/s on it: NIC ports
    /// evenly, as a bond hashes many flows over its ports (802.3ad bonds equal-speed ports).
    pub client: Vec<(usize, f64)>,
    /// The parity-limit link, when one is set.
    pub parity: Option<usize>,
}

/// The effective bus of a card in a slot after what-if changes.
pub(super) fn changed_bus(bus: Bus, slot: &str, params: &Params) -> Result<Bus, BandwidthError> {
    let Some(c) = params.buses.iter().find(|b| b.slot == slot) else {
        return Ok(bus);
    };
    match bus {
        Bus::Pcie { generation, lanes } => Ok(Bus::Pcie {
            generation: c.generation.unwrap_or(generation),
            lanes: c.lanes.unwrap_or(lanes),
        }),
        other => Err(BandwidthError::NotPcie {
            slot: slot.to_string(),
            bus: other,
        }),
    }
}

pub(super) fn chipset_label(c: ChipsetLink) -> &'static str {
    match c {
        ChipsetLink::Dmi1 => "DMI 1.0",
        ChipsetLink::Dmi2 => "DMI 2.0",
        ChipsetLink::Dmi3 => "DMI 3.0",
        ChipsetLink::None => "none",
    }
}

pub(super) fn scaled(line: LineRate, by: f64) -> LineRate {
    LineRate {
        gbit_s: line.gbit_s * by,
        encoding: line.encoding,
    }
}

pub(super) struct Builder {
    links: Vec<Link>,
}

impl Builder {
    fn push(
        &mut self,
        id: String,
        name: String,
        kind: LinkKind,
        line: Option<LineRate>,
        eff: (f64, &'static str),
        capacity: f64,
    ) -> usize {
        self.links.push(Link {
            id,
            name,
            kind,
            line,
            efficiency: Some(eff.0),
            factor: Some(eff.1),
            capacity: MBps(capacity),
            behind: Vec::new(),
        });
        self.links.len() - 1
    }
}

/// One NIC port carrying client traffic.
pub(super) struct NicPort {
    name: String,
    gbit_s: f64,
    attach: Attach,
    /// Slot of its card, when it is on a card.
    card: Option<(String, Bus)>,
}

#[cfg(test)]
thread_local! {
    /// How many times this thread called [`graph`]: the study's tests count the builds.
    pub(crate) static BUILDS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Derives the link graph of a pod under `params`: one step per kind of link, in the order
/// their ids are numbered (uplinks, card host links and the PCI bus, the chipset link, the
/// parity limit, NIC host links and ports), then the drives' paths and the client traffic.
pub fn graph(pod: &Pod, params: &Params) -> Result<Graph, BandwidthError> {
    #[cfg(test)]
    BUILDS.with(|n| n.set(n.get() + 1));
    check_slots(pod, params)?;
    let mut b = Builder { links: Vec::new() };
    // 1. Backplane uplinks, in controller and port order.
    let bp_link = uplinks(&mut b, pod, params);
    // 2. Card host links; every card on conventional PCI shares one bus.
    let buses = Buses::of(pod, params)?;
    let mut pci = PciBus {
        bus: buses.pci_bus(),
        members: buses.pci_members,
        link: None,
    };
    let host_link = card_host_links(&mut b, pod, params, &buses.cards, &mut pci);
    // 3. The chipset link, if anything sits behind it.
    let nic_ports = nic_ports(pod, params)?;
    let chipset_link = chipset_link(&mut b, pod, params, &nic_ports);
    // 4. The CPU parity limit, when set.
    let parity = params.parity_mb_s.map(|mbps| {
        b.links.push(Link {
            id: "cpu:parity".into(),
            name: "CPU/memory parity (--set parity)".into(),
            kind: LinkKind::Parity,
            line: None,
            efficiency: None,
            factor: None,
            capacity: MBps(mbps),
            behind: Vec::new(),
        });
        b.links.len() - 1
    });
    // 5. NIC host links and NIC ports.
    let nic_host = nic_host_links(&mut b, pod, params, &buses.nics, &nic_ports, &mut pci);
    let nic_links = nic_port_links(&mut b, params, &nic_ports);
    // 6. What-if capacities by link id.
    let mut links = b.links;
    set_capacities(&mut links, params)?;
    // 7. Drives and their paths.
    let paths = Paths {
        backplane: &bp_link,
        host: &host_link,
        chipset: chipset_link,
    };
    let drives = drive_nodes(pod, params, &mut links, &paths);
    // 8. Client traffic.
    let client = client_crossings(&nic_ports, &nic_links, &nic_host, chipset_link);
    let all: Vec<u32> = pod.drives.iter().map(|d| d.bay).collect();
    for (l, _) in &client {
        links[*l].behind = all.clone();
    }
    if let Some(l) = parity {
        links[l].behind = all;
    }
    Ok(Graph {
        links,
        drives,
        client,
        parity,
    })
}

/// Every slot a `--set SLOT.lanes/.gen` names must hold a card.
fn check_slots(pod: &Pod, params: &Params) -> Result<(), BandwidthError> {
    for change in &params.buses {
        let known = pod.controllers.iter().any(|c| c.id == change.slot)
            || pod.nic_cards.iter().any(|n| n.slot.id == change.slot);
        if !known {
            let mut slots: Vec<&str> = pod
                .controllers
                .iter()
                .filter(|c| c.host_bus.is_some())
                .map(|c| c.id.as_str())
                .chain(pod.nic_cards.iter().map(|n| n.slot.id.as_str()))
                .collect();
            slots.sort_unstable();
            return Err(BandwidthError::UnknownSlot {
                slot: change.slot.clone(),
                cards_in: slots.into_iter().map(str::to_string).collect(),
            });
        }
    }
    Ok(())
}

/// A drive's sustained media rate under `params`: `--set drive`, else its zone rate.
fn media(d: &crate::model::Drive, params: &Params) -> MBps {
    params
        .drive_mb_s
        .map_or_else(|| links::zone_rate(d, params.zone), MBps)
}

/// Step 1: the uplink of every port-multiplier and expander backplane (a passive backplane
/// has none: its bays are ports of the card), by backplane index.
fn uplinks(b: &mut Builder, pod: &Pod, params: &Params) -> Vec<Option<usize>> {
    let f = &params.factors;
    let mut bp_link: Vec<Option<usize>> = vec![None; pod.backplanes.len()];
    for c in &pod.controllers {
        for a in &c.attachments {
            let Attached::Backplane(k) = a.what else {
                continue;
            };
            let bp = &pod.backplanes[k];
            let Some(spec) = bp.spec() else { continue };
            let generation = links::slower(spec.uplink, c.link);
            let line = links::serial_line(generation);
            let payload = line.payload().0;
            match spec.kind {
                BackplaneKind::PortMultiplier(sw) => {
                    let fbs = sw == PmSupport::Fis && c.pm_support == PmSupport::Fis;
                    let (cap, eff, key, how) = if fbs {
                        (payload * f.pm_fis, f.pm_fis, "pm-fis", "FBS")
                    } else {
                        let fastest = pod
                            .drives
                            .iter()
                            .filter(|d| d.backplane == Some(k))
                            .map(|d| media(d.drive(), params).0)
                            .fold(0.0, f64::max);
                        let cap = (payload * f.pm_fis).min(f.pm_command * fastest);
                        let eff = if payload > 0.0 { cap / payload } else { 0.0 };
                        (cap, eff, "pm-command", "CBS")
                    };
                    bp_link[k] = Some(b.push(
                        format!("uplink:{}", bp.id),
                        format!("{} {how} → {} port {}", spec.chip, c.id, a.first_port),
                        LinkKind::PmUplink,
                        Some(line),
                        (eff, key),
                        cap,
                    ));
                }
                BackplaneKind::Expander => {
                    let lanes = f64::from(a.ports.max(1));
                    let wide = scaled(line, lanes);
                    bp_link[k] = Some(b.push(
                        format!("uplink:{}", bp.id),
                        format!(
                            "{} expander → {} ports {}-{}, {} × {}",
                            spec.chip,
                            c.id,
                            a.first_port,
                            a.first_port + a.ports.max(1) - 1,
                            a.ports,
                            generation.label()
                        ),
                        LinkKind::ExpanderUplink,
                        Some(wide),
                        (f.sata, "sata"),
                        wide.payload().0 * f.sata,
                    ));
                }
                BackplaneKind::Passive => {}
            }
        }
    }

    bp_link
}

/// The buses of the cards after what-if changes: storage cards by controller (`None` for
/// onboard controllers), network cards in order, and the cards on conventional PCI.
struct Buses {
    cards: Vec<Option<Bus>>,
    nics: Vec<Bus>,
    pci_members: Vec<(String, Bus)>,
}

impl Buses {
    fn of(pod: &Pod, params: &Params) -> Result<Buses, BandwidthError> {
        let mut pci_members: Vec<(String, Bus)> = Vec::new();
        let mut cards: Vec<Option<Bus>> = Vec::new();
        for c in &pod.controllers {
            let bus = match (&c.kind, c.host_bus) {
                (ControllerKind::Card { .. }, Some(bus)) => Some(changed_bus(bus, &c.id, params)?),
                _ => None,
            };
            if let Some(bus @ Bus::Pci { .. }) = bus {
                pci_members.push((c.id.clone(), bus));
            }
            cards.push(bus);
        }
        let mut nics: Vec<Bus> = Vec::new();
        for n in &pod.nic_cards {
            let card_bus = match &n.part.kind {
                crate::model::Kind::NicCard(s) => s.host_bus,
                _ => n.slot.bus,
            };
            // A validated pod's cards fit their slots; an unfit one keeps its own bus.
            let fitted = card_bus.fit_in(n.slot.bus).unwrap_or(card_bus);
            let bus = changed_bus(fitted, &n.slot.id, params)?;
            if let Bus::Pci { .. } = bus {
                pci_members.push((n.slot.id.clone(), bus));
            }
            nics.push(bus);
        }
        Ok(Buses {
            cards,
            nics,
            pci_members,
        })
    }

    /// The shared PCI bus: as wide and as fast as its narrowest, slowest member.
    fn pci_bus(&self) -> Option<Bus> {
        self.pci_members
            .iter()
            .map(|(_, b)| *b)
            .reduce(|a, b| match (a, b) {
                (
                    Bus::Pci {
                        width_bits: w1,
                        mhz: m1,
                    },
                    Bus::Pci {
                        width_bits: w2,
                        mhz: m2,
                    },
                ) => Bus::Pci {
                    width_bits: w1.min(w2),
                    mhz: m1.min(m2),
                },
                (a, _) => a,
            })
    }
}

/// The conventional PCI bus every card on it shares, made a link when first crossed.
struct PciBus {
    bus: Option<Bus>,
    members: Vec<(String, Bus)>,
    link: Option<usize>,
}

impl PciBus {
    fn link(&mut self, b: &mut Builder, params: &Params) -> Option<usize> {
        if self.link.is_none() {
            let bus = self.bus?;
            let f = &params.factors;
            let line = links::bus_line(bus);
            let slots: Vec<&str> = self.members.iter().map(|(s, _)| s.as_str()).collect();
            self.link = Some(b.push(
                "pci:bus".into(),
                format!("{} bus: {}", bus.label(), slots.join(", ")),
                LinkKind::PciBus,
                Some(line),
                (f.pci, "pci"),
                line.payload().0 * f.pci,
            ));
        }
        self.link
    }
}

/// Step 2: each storage card's host link (the shared PCI bus for a PCI card), by controller.
fn card_host_links(
    b: &mut Builder,
    pod: &Pod,
    params: &Params,
    card_buses: &[Option<Bus>],
    pci: &mut PciBus,
) -> Vec<Option<usize>> {
    let f = &params.factors;
    let mut host_link: Vec<Option<usize>> = Vec::new();
    for (c, bus) in pod.controllers.iter().zip(card_buses) {
        host_link.push(match bus {
            None => None,
            Some(Bus::Pci { .. }) => pci.link(b, params),
            Some(bus) => {
                let line = links::bus_line(*bus);
                let eff = f.for_bus(*bus);
                let chip = match &c.kind {
                    ControllerKind::Card { part, .. } => match &part.kind {
                        crate::model::Kind::HostCard(h) => h.chipset.clone(),
                        _ => part.name.clone(),
                    },
                    ControllerKind::Onboard { controller } => controller.clone(),
                };
                Some(b.push(
                    format!("host:{}", c.id),
                    format!("{chip}, {}", bus.label()),
                    LinkKind::CardHost,
                    Some(line),
                    eff,
                    line.payload().0 * eff.0,
                ))
            }
        });
    }
    host_link
}

/// Step 3: the CPU-chipset link, when a busy controller or a NIC port sits behind it.
fn chipset_link(
    b: &mut Builder,
    pod: &Pod,
    params: &Params,
    nic_ports: &[NicPort],
) -> Option<usize> {
    let f = &params.factors;
    let board = pod.board_spec();
    let chipset = params
        .chipset
        .or(board.map(|b| b.chipset_link))
        .unwrap_or(ChipsetLink::None);
    let behind_chipset = pod
        .controllers
        .iter()
        .any(|c| c.attach == Attach::Chipset && !c.attachments.is_empty())
        || nic_ports.iter().any(|n| n.attach == Attach::Chipset);
    match links::chipset_line(chipset) {
        Some(line) if behind_chipset => Some(b.push(
            "chipset:dmi".into(),
            format!(
                "{}, {}",
                chipset_label(chipset),
                board.map_or("board", |s| s.chipset.as_str())
            ),
            LinkKind::Chipset,
            Some(line),
            (f.dmi, "dmi"),
            line.payload().0 * f.dmi,
        )),
        _ => None,
    }
}

/// Step 5a: the host link of each network card that carries client traffic, by slot.
fn nic_host_links(
    b: &mut Builder,
    pod: &Pod,
    params: &Params,
    nic_card_buses: &[Bus],
    nic_ports: &[NicPort],
    pci: &mut PciBus,
) -> Vec<(String, usize)> {
    let f = &params.factors;
    let mut nic_host: Vec<(String, usize)> = Vec::new();
    for (n, bus) in pod.nic_cards.iter().zip(nic_card_buses) {
        if !nic_ports
            .iter()
            .any(|p| p.card.as_ref().is_some_and(|(s, _)| *s == n.slot.id))
        {
            continue;
        }
        let link = match bus {
            Bus::Pci { .. } => pci.link(b, params),
            bus => {
                let line = links::bus_line(*bus);
                let eff = f.for_bus(*bus);
                Some(b.push(
                    format!("host:{}", n.slot.id),
                    format!("{}, {}", n.part.name, bus.label()),
                    LinkKind::NicHost,
                    Some(line),
                    eff,
                    line.payload().0 * eff.0,
                ))
            }
        };
        if let Some(l) = link {
            nic_host.push((n.slot.id.clone(), l));
        }
    }
    nic_host
}

/// Step 5b: one link per NIC port carrying client traffic; bonded when there are several.
fn nic_port_links(b: &mut Builder, params: &Params, nic_ports: &[NicPort]) -> Vec<usize> {
    let f = &params.factors;
    let bonded = nic_ports.len() > 1;
    let mut nic_links = Vec::new();
    for (i, p) in nic_ports.iter().enumerate() {
        let line = links::ethernet_line(p.gbit_s);
        let eff = if bonded {
            (f.ethernet * f.bond, "ethernet × bond")
        } else {
            (f.ethernet, "ethernet")
        };
        nic_links.push(b.push(
            format!("nic:{}", i + 1),
            format!(
                "{}, {} GbE{}",
                p.name,
                crate::units::trim_float(p.gbit_s),
                if bonded { ", bonded" } else { "" }
            ),
            LinkKind::Nic,
            Some(line),
            eff,
            line.payload().0 * eff.0,
        ));
    }
    nic_links
}

/// Step 6: `--set LINK-ID=MB/s` replaces a link's computed capacity.
fn set_capacities(links: &mut [Link], params: &Params) -> Result<(), BandwidthError> {
    for (id, mbps) in &params.capacities {
        match links.iter_mut().find(|l| l.id == *id) {
            Some(l) => {
                l.capacity = MBps(*mbps);
                l.efficiency = None;
                l.factor = None;
            }
            None => {
                return Err(BandwidthError::UnknownLink {
                    id: id.clone(),
                    links: links.iter().map(|l| l.id.clone()).collect(),
                });
            }
        }
    }
    Ok(())
}

/// The shared links a drive's path can cross, by backplane and by controller.
struct Paths<'a> {
    backplane: &'a [Option<usize>],
    host: &'a [Option<usize>],
    chipset: Option<usize>,
}

/// Step 7: every data drive with its own limits and its path, which each link records.
fn drive_nodes(pod: &Pod, params: &Params, links: &mut [Link], paths: &Paths) -> Vec<DriveNode> {
    let f = &params.factors;
    let mut drives = Vec::new();
    for d in &pod.drives {
        let c = &pod.controllers[d.controller];
        let drive = d.drive();
        let port_gen = match d
            .backplane
            .and_then(|k| pod.backplanes[k].spec().map(|s| (k, s)))
        {
            Some((_, s)) if s.kind == BackplaneKind::Passive => {
                links::slower(drive.interface, links::slower(s.uplink, c.link))
            }
            Some((_, s)) => links::slower(drive.interface, s.uplink),
            None => links::slower(drive.interface, c.link),
        };
        let port_line = links::serial_line(port_gen);
        let mut path = Vec::new();
        if let Some(l) = d.backplane.and_then(|k| paths.backplane[k]) {
            path.push(l);
        }
        if let Some(l) = paths.host[d.controller] {
            path.push(l);
        }
        if let (Some(l), Attach::Chipset) = (paths.chipset, c.attach) {
            path.push(l);
        }
        for &l in &path {
            links[l].behind.push(d.bay);
        }
        drives.push(DriveNode {
            bay: d.bay,
            model: d.part.name.clone(),
            capacity: drive.capacity,
            media: media(drive, params),
            port_line,
            port: MBps(port_line.payload().0 * f.sata),
            path,
        });
    }
    drives
}

/// Step 8: client traffic. A bond hashes many flows evenly over its ports, so each port
/// carries an equal share (a mixed-speed set is held to its slowest port × count, as 802.3ad,
/// which bonds only equal-speed ports, would be). The shares do not depend on capacities, so
/// upgrading a port never moves traffic onto another link.
fn client_crossings(
    nic_ports: &[NicPort],
    nic_links: &[usize],
    nic_host: &[(String, usize)],
    chipset_link: Option<usize>,
) -> Vec<(usize, f64)> {
    let mut client: Vec<(usize, f64)> = Vec::new();
    for (p, &l) in nic_ports.iter().zip(nic_links) {
        let share = 1.0 / nic_links.len() as f64;
        add(&mut client, l, share);
        if let Some((slot, _)) = &p.card
            && let Some((_, h)) = nic_host.iter().find(|(s, _)| s == slot)
        {
            add(&mut client, *h, share);
        }
        if let (Some(c), Attach::Chipset) = (chipset_link, p.attach) {
            add(&mut client, c, share);
        }
    }
    client
}

/// Adds `w` to the weight of link `l` in a crossing list.
pub(super) fn add(list: &mut Vec<(usize, f64)>, l: usize, w: f64) {
    match list.iter_mut().find(|(x, _)| *x == l) {
        Some((_, v)) => *v += w,
        None => list.push((l, w)),
    }
}

/// The NIC ports that carry client traffic: those with the `Data` role, the board's then each
/// NIC card's (an active-backup bond: the first of them only); `params.nics` keeps that many of
/// the fastest (ties in design order; extra ports copy the last one), at `params.nic_gbit_s`
/// if set.
pub(super) fn nic_ports(pod: &Pod, params: &Params) -> Result<Vec<NicPort>, BandwidthError> {
    let mut ports = Vec::new();
    let data = |r: Option<&NicRole>| r.is_none_or(|r| *r == NicRole::Data);
    if let Some(b) = pod.board_spec() {
        for (k, n) in b.nics.iter().enumerate() {
            if data(pod.onboard_nic_roles.get(k)) {
                ports.push(NicPort {
                    name: n.controller.clone(),
                    gbit_s: n.gbit_s,
                    attach: n.attach,
                    card: None,
                });
            }
        }
    }
    for n in &pod.nic_cards {
        if let crate::model::Kind::NicCard(s) = &n.part.kind {
            for i in 0..s.ports {
                if data(n.roles.get(i as usize)) {
                    ports.push(NicPort {
                        name: format!("{} port {}", n.part.name, i + 1),
                        gbit_s: s.gbit_s,
                        attach: n.slot.attach,
                        card: Some((n.slot.id.clone(), s.host_bus)),
                    });
                }
            }
        }
    }
    if pod.bond == Bond::ActiveBackup && ports.len() > 1 {
        let n = ports.len();
        ports.truncate(1);
        for p in &mut ports {
            p.name = format!("{}, active of {n} in active-backup", p.name);
        }
    }
    if let Some(want) = params.nics {
        let want = want as usize;
        if ports.is_empty() {
            let Some(g) = params.nic_gbit_s else {
                return Err(BandwidthError::NoNicToCopy);
            };
            ports.push(NicPort {
                name: "added NIC".into(),
                gbit_s: g,
                attach: Attach::Cpu,
                card: None,
            });
        }
        keep_fastest(&mut ports, want);
        while ports.len() < want {
            let Some(last) = ports.last() else { break };
            let copy = NicPort {
                name: format!("added copy of {}", last.name),
                gbit_s: last.gbit_s,
                attach: last.attach,
                card: None,
            };
            ports.push(copy);
        }
    }
    if let Some(g) = params.nic_gbit_s {
        for p in &mut ports {
            p.gbit_s = g;
        }
    }
    Ok(ports)
}

/// Keeps the `want` fastest ports, ties (and the order of those kept) in design order: cutting
/// the bond down never drops a fast port to keep a slow one.
fn keep_fastest(ports: &mut Vec<NicPort>, want: usize) {
    if ports.len() <= want {
        return;
    }
    let mut order: Vec<usize> = (0..ports.len()).collect();
    order.sort_by(|a, b| ports[*b].gbit_s.total_cmp(&ports[*a].gbit_s).then(a.cmp(b)));
    let mut keep = vec![false; ports.len()];
    for i in order.into_iter().take(want) {
        keep[i] = true;
    }
    let mut k = keep.into_iter();
    ports.retain(|_| k.next().unwrap_or(false));
}
