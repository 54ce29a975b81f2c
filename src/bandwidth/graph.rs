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
    /// One connector of a passive backplane with several (an SFF-8643 cable to the card).
    PassiveUplink,
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
            LinkKind::PassiveUplink => "backplane connector",
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
    /// Shared links from the drive to the CPU, in order, each with the share of the drive's
    /// traffic that crosses it (1 on a single path; split over the paths of a dual-path
    /// backplane and over an expander's uplink connectors).
    pub path: Vec<(usize, f64)>,
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
    let drives = drive_nodes(pod, params, &mut links, &paths)?;
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
    for slot in &params.down {
        if !pod.controllers.iter().any(|c| c.id == *slot) {
            return Err(BandwidthError::NotStorage {
                slot: slot.clone(),
                storage: pod.controllers.iter().map(|c| c.id.clone()).collect(),
            });
        }
    }
    for change in &params.buses {
        let slot = &change.slot;
        let known = pod.controllers.iter().any(|c| c.id == *slot)
            || pod.nic_cards.iter().any(|n| n.slot.id == *slot);
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
                slot: slot.clone(),
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

/// The uplink links of every backplane, by backplane index and host path (0 = the first):
/// one link per connector (`uplinks`), none for a passive backplane with one connector (its
/// bays are ports of the card).
pub(super) type UplinkLinks = Vec<Vec<Vec<usize>>>;

/// Step 1: the uplinks of every port-multiplier, expander and multi-connector passive
/// backplane, in controller and port order; a cascaded backplane's follow its upstream's, and
/// a further path's come where that path is cabled.
fn uplinks(b: &mut Builder, pod: &Pod, params: &Params) -> UplinkLinks {
    let mut bp_link: UplinkLinks = vec![Vec::new(); pod.backplanes.len()];
    for (ci, c) in pod.controllers.iter().enumerate() {
        for a in &c.attachments {
            let (k, path) = match a.what {
                Attached::Backplane(k) => (k, 0),
                Attached::Path(k) => {
                    let Some(p) = pod.backplanes[k]
                        .more_paths
                        .iter()
                        .position(|x| *x == (ci, a.first_port))
                    else {
                        continue;
                    };
                    (k, p + 1)
                }
                _ => continue,
            };
            let at = Upstream::Port {
                c,
                first_port: a.first_port,
            };
            backplane_uplinks(b, pod, params, &mut bp_link, (k, path), at);
        }
    }
    bp_link
}

/// Where a backplane's uplink plugs in: a controller's ports, or an upstream expander.
#[derive(Clone, Copy)]
enum Upstream<'a> {
    Port {
        c: &'a crate::model::Controller,
        first_port: u32,
    },
    Expander(usize),
}

/// The uplink links of backplane `k` on host path `path`, then those of the backplanes
/// cascaded from it on the same path.
fn backplane_uplinks(
    b: &mut Builder,
    pod: &Pod,
    params: &Params,
    bp_link: &mut UplinkLinks,
    (k, path): (usize, usize),
    at: Upstream,
) {
    let f = &params.factors;
    let bp = &pod.backplanes[k];
    let Some(spec) = bp.spec() else { return };
    let (to_gen, to_name, first_port) = match at {
        Upstream::Port { c, first_port } => (c.link, c.id.clone(), Some(first_port)),
        Upstream::Expander(up) => (
            pod.backplanes[up].spec().map_or(spec.uplink, |s| s.uplink),
            format!("{} downstream port", pod.backplanes[up].id),
            None,
        ),
    };
    let generation = links::slower(spec.uplink, to_gen);
    let line = links::serial_line(generation);
    let payload = line.payload().0;
    let suffix = if path > 0 {
        format!(".p{}", path + 1)
    } else {
        String::new()
    };
    let path_note = if path > 0 {
        format!(" (path {})", path + 1)
    } else {
        String::new()
    };
    let mut made = Vec::new();
    match spec.kind {
        BackplaneKind::PortMultiplier(sw) => {
            let Upstream::Port { c, first_port } = at else {
                return;
            };
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
            made.push(b.push(
                format!("uplink:{}{suffix}", bp.id),
                format!("{} {how} → {} port {first_port}", spec.chip, c.id),
                LinkKind::PmUplink,
                Some(line),
                (eff, key),
                cap,
            ));
        }
        BackplaneKind::Expander | BackplaneKind::Passive => {
            let n = spec.uplinks.max(1);
            let width = (spec.uplink_lanes / n).max(1);
            if spec.kind == BackplaneKind::Passive && n == 1 {
                bp_link[k].resize(path + 1, Vec::new());
                return;
            }
            let (kind, what) = match spec.kind {
                BackplaneKind::Expander => {
                    (LinkKind::ExpanderUplink, format!("{} expander", spec.chip))
                }
                _ => (LinkKind::PassiveUplink, bp.id.clone()),
            };
            let eff = links::drive_link_efficiency(f, generation);
            for j in 0..n {
                let wide = scaled(line, f64::from(width));
                let id = if n > 1 {
                    format!("uplink:{}{suffix}.c{}", bp.id, j + 1)
                } else {
                    format!("uplink:{}{suffix}", bp.id)
                };
                let ports = match first_port {
                    Some(p0) => {
                        let p = p0.saturating_add(j.saturating_mul(width));
                        if width > 1 {
                            format!("ports {}-{}", p, p.saturating_add(width - 1))
                        } else {
                            format!("port {p}")
                        }
                    }
                    None => String::new(),
                };
                let conn = if n > 1 {
                    format!(" connector {}", j + 1)
                } else {
                    String::new()
                };
                made.push(
                    b.push(
                        id,
                        format!(
                            "{what}{conn} → {to_name} {ports}{path_note}, {width} × {}",
                            generation.label()
                        )
                        .replace("  ", " ")
                        .replace(" ,", ","),
                        kind,
                        Some(wide),
                        eff,
                        wide.payload().0 * eff.0,
                    ),
                );
            }
        }
    }
    if bp_link[k].len() <= path {
        bp_link[k].resize(path + 1, Vec::new());
    }
    bp_link[k][path] = made;
    for (j, child) in pod.backplanes.iter().enumerate() {
        if child.upstream == Some(k)
            && j != k
            && child.spec().is_some_and(|s| s.paths as usize > path)
        {
            backplane_uplinks(b, pod, params, bp_link, (j, path), Upstream::Expander(k));
        }
    }
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
    backplane: &'a UplinkLinks,
    host: &'a [Option<usize>],
    chipset: Option<usize>,
}

/// The negotiated link between a drive and the port it plugs into: a passive backplane's
/// bay is the card's port, an expander's bay the expander's phy, a direct bay the card's.
fn port_gen(pod: &Pod, d: &crate::model::BayDrive) -> LinkGen {
    let c = &pod.controllers[d.controller];
    let drive = d.drive();
    match d
        .backplane
        .and_then(|k| pod.backplanes[k].spec().map(|s| (k, s)))
    {
        Some((k, s))
            if s.kind == BackplaneKind::Passive && pod.backplanes[k].upstream.is_none() =>
        {
            links::slower(drive.interface, links::slower(s.uplink, c.link))
        }
        Some((_, s)) => links::slower(drive.interface, s.uplink),
        None => links::slower(drive.interface, c.link),
    }
}

/// The shared links of one drive on each of its host paths, each with the share of the
/// drive's traffic it carries (model §topology, multipath): the paths share the traffic
/// evenly, as Linux dm-multipath's default round-robin selector spreads I/O over every active
/// path; an expander with several uplink connectors spreads its bays' traffic evenly over them
/// (a SAS wide port); a passive connector carries only its own bays.
fn drive_path(
    pod: &Pod,
    d: &crate::model::BayDrive,
    paths: &Paths,
    down: &[String],
) -> Vec<(usize, f64)> {
    // Every path keeps its index (its uplink links are per path); a failed card's is dropped.
    let controllers: Vec<(usize, usize)> = pod
        .drive_controllers(d)
        .into_iter()
        .enumerate()
        .filter(|(_, c)| !down.contains(&pod.controllers[*c].id))
        .collect();
    let share = 1.0 / controllers.len().max(1) as f64;
    let mut out: Vec<(usize, f64)> = Vec::new();
    for &(p, ci) in &controllers {
        // The chain of backplanes from the drive's own up to the one cabled to the host.
        let mut k = d.backplane;
        let mut bay = Some(d.bay);
        let mut hops = 0;
        while let Some(kk) = k {
            let bp = &pod.backplanes[kk];
            if let Some(conns) = paths.backplane.get(kk).and_then(|v| v.get(p))
                && !conns.is_empty()
            {
                let passive = bp.spec().is_some_and(|s| s.kind == BackplaneKind::Passive);
                match (
                    passive,
                    bay.and_then(|b| bp.bays.iter().position(|x| *x == b)),
                ) {
                    (true, Some(i)) => {
                        let width = bp
                            .spec()
                            .map_or(1, |s| (s.uplink_lanes / s.uplinks.max(1)).max(1));
                        let j = (i / width as usize).min(conns.len() - 1);
                        add(&mut out, conns[j], share);
                    }
                    _ => {
                        let w = share / conns.len() as f64;
                        for &l in conns {
                            add(&mut out, l, w);
                        }
                    }
                }
            }
            // Upstream of a cascaded backplane the drive is one of its bays' traffic.
            bay = None;
            k = bp.upstream;
            hops += 1;
            if hops > pod.backplanes.len() {
                break;
            }
        }
        if let Some(l) = paths.host[ci] {
            add(&mut out, l, share);
        }
        if let (Some(l), Attach::Chipset) = (paths.chipset, pod.controllers[ci].attach) {
            add(&mut out, l, share);
        }
    }
    out
}

/// Step 7: every data drive with its own limits and its paths, which each link records.
fn drive_nodes(
    pod: &Pod,
    params: &Params,
    links: &mut [Link],
    paths: &Paths,
) -> Result<Vec<DriveNode>, BandwidthError> {
    let f = &params.factors;
    let mut drives = Vec::new();
    let mut stranded: Vec<u32> = Vec::new();
    for d in &pod.drives {
        let drive = d.drive();
        let port_gen = port_gen(pod, d);
        let port_line = links::serial_line(port_gen);
        let path = drive_path(pod, d, paths, &params.down);
        if pod
            .drive_controllers(d)
            .iter()
            .all(|c| params.down.contains(&pod.controllers[*c].id))
        {
            stranded.push(d.bay);
        }
        for &(l, _) in &path {
            links[l].behind.push(d.bay);
        }
        drives.push(DriveNode {
            bay: d.bay,
            model: d.part.name.clone(),
            capacity: drive.capacity,
            media: media(drive, params),
            port_line,
            port: MBps(port_line.payload().0 * links::drive_link_efficiency(f, port_gen).0),
            path,
        });
    }
    if let Some(&first) = stranded.first() {
        let slot = pod
            .drives
            .iter()
            .find(|d| d.bay == first)
            .map_or_else(String::new, |d| pod.controllers[d.controller].id.clone());
        return Err(BandwidthError::NoPathLeft {
            slot,
            bays: stranded,
        });
    }
    Ok(drives)
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
