//! Bandwidth: the link graph of a pod, the traffic of each workload, max-min fair allocation
//! by progressive filling, and the rebuild time of each group.
//!
//! This engine owns the flow model and nothing else. It is a set of pure functions over a
//! validated [`Pod`] and a [`Layout`]: [`graph`] derives every shared link from the topology
//! (port-multiplier and expander uplinks, card host links, the shared PCI bus, the chipset link,
//! the CPU parity limit, NIC host links and NIC ports); [`analyze`] turns a workload into flows,
//! runs [`allocate`] and assembles one [`BandwidthReport`]; [`rebuild_times`] is the entry point
//! the durability engine calls. The graph depends on the pod and the parameters only, never on
//! the workload: [`analyze_on`] and [`rebuild_times_on`] run on a graph built once. Every rate,
//! encoding and efficiency comes from [`crate::links`]; this file holds only the traffic model.
//! It never prints.
//!
//! The model, in one paragraph. A drive is a source: its sustained rate in the chosen zone and
//! its own SATA port cap the flows through it; both belong to that drive alone, so they are a
//! flow's *demand*, not shared links. A flow crosses each shared link with a weight: the MB/s
//! it puts on that link per MB/s of its rate. A scrub flow is one drive (weight 1 on its path);
//! a rebuild flow is a whole rebuild, its rate the per-drive rebuild rate `B_r`, crossing each
//! link with the number of member streams behind it (survivors read plus the replacement
//! written, model §4); an ingest or read flow is one group's client traffic in user MB/s,
//! crossing every NIC and the group's drive paths with the layout's write amplification. A
//! link's load is the sum of both directions: exact for half-duplex SATA and the PCI bus,
//! conservative for full-duplex PCIe, DMI and Ethernet when traffic runs both ways.

use crate::layout::{Layout, Shape};
use crate::links::{self, Factor, Factors, MAX_MB_S, MAX_NIC_GBIT, Range, Zone};
use crate::model::{Attached, ControllerKind, Pod};
use crate::spec::{Attach, BackplaneKind, Bus, ChipsetLink, Level, LinkGen, PmSupport};
use crate::units::{Bytes, Encoding, LineRate, MBps};
use serde::Serialize;

mod allocation;
mod graph;
mod limits;
mod params;
mod report;
mod workloads;

pub use allocation::{Allocation, Flow, Limit, allocate};
#[cfg(test)]
pub(crate) use graph::BUILDS as GRAPH_BUILDS;
use graph::add;
pub use graph::{DriveNode, Graph, Link, LinkKind, graph};
pub use limits::{Binding, Bound, Limiter};
pub use params::{BusChange, MAX_NICS, Params, SetError};
pub use report::{
    BandwidthReport, DriveRow, FlowRow, Headroom, LinkRow, RebuildDetail, RebuildTime, RunNote,
    Summary, analyze, analyze_on, rebuild_times, rebuild_times_on,
};
pub use workloads::{FlowLabel, Request, Workload};
use workloads::{Own, Planned, demand_without, drive_index, group_of, own_id, plans, rebuild_flow};

/// Why the bandwidth model cannot run a request; every message names the flag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BandwidthError {
    /// `--set SLOT.lanes/.gen` names a slot no card sits in.
    #[error("--set {slot}: no card sits in slot {slot:?} (cards are in {})", list_or(.cards_in, "no slot"))]
    UnknownSlot {
        /// The slot named.
        slot: String,
        /// The slots that hold a card, sorted.
        cards_in: Vec<String>,
    },
    /// `--set SLOT.lanes/.gen` on a card whose bus is not PCIe.
    #[error("--set {slot}.lanes/.gen: the card in {slot} is on a {} bus, which has no lanes or generation", .bus.label())]
    NotPcie {
        /// The slot named.
        slot: String,
        /// The card's bus there.
        bus: Bus,
    },
    /// `--set SLOT.down=1` names no storage controller.
    #[error("--set {slot}.down=1: no storage controller is {slot:?} (storage controllers: {})", list_or(.storage, "none"))]
    NotStorage {
        /// The slot named.
        slot: String,
        /// The pod's storage controllers (slot ids, `onboard`).
        storage: Vec<String>,
    },
    /// `--set SLOT.down=1` leaves drives without a host path.
    #[error("--set {slot}.down=1: {} {} no other path (only a dual-path backplane with dual-ported drives gives one)", crate::bays::format_bays(.bays), if .bays.len() == 1 { "has" } else { "have" })]
    NoPathLeft {
        /// The slot taken down.
        slot: String,
        /// The bays left without a path.
        bays: Vec<u32>,
    },
    /// `--set LINK-ID=MB/s` names no link of the graph.
    #[error("--set {id}: no such link (links: {})", .links.join(", "))]
    UnknownLink {
        /// The id named.
        id: String,
        /// The graph's link ids, in order.
        links: Vec<String>,
    },
    /// `--set nics` on a design without a NIC, and no `nic-gbit` to make one.
    #[error("--set nics: the design has no NIC to copy; give its speed too (nic-gbit=1)")]
    NoNicToCopy,
    /// A group number out of range.
    #[error("--group {group}: the layout has {groups} group{}", if *.groups == 1 { "" } else { "s" })]
    Group {
        /// Requested (1-based).
        group: u32,
        /// Groups in the layout.
        groups: usize,
    },
    /// `--bay` names a bay without a data drive.
    #[error("--bay {0}: no data drive in that bay")]
    NoDriveInBay(u32),
    /// `--bay` names a bay in no group.
    #[error("--bay {0}: not a member of any group")]
    BayInNoGroup(u32),
    /// `--bay` names a bay outside the `--group` asked for.
    #[error("--bay {bay}: not a member of group {group} ({})", crate::bays::format_bays(.members))]
    BayNotInGroup {
        /// Requested bay.
        bay: u32,
        /// The group (1-based).
        group: u32,
        /// The group's members.
        members: Vec<u32>,
    },
    /// A rebuild of a layout without redundancy.
    #[error(
        "--workload {workload}: {level} has no redundancy, so a failed drive cannot be rebuilt"
    )]
    NoRedundancy {
        /// The workload.
        workload: &'static str,
        /// The layout's shape.
        level: Shape,
    },
    /// The layout has no group.
    #[error("--workload {0}: the layout has no group")]
    NoGroups(&'static str),
    /// A client workload on a pod none of whose network ports carries data.
    #[error(
        "--workload {0}: no network port has the Data role, so clients have no way in or out \
         (give the ports that carry client traffic the Data role)"
    )]
    NoDataNetwork(&'static str),
}

/// `items` joined with commas, or `none` when there are none.
fn list_or(items: &[String], none: &str) -> String {
    if items.is_empty() {
        none.to_string()
    } else {
        items.join(", ")
    }
}
