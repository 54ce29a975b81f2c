//! What limits a flow, as data: a shared link or a drive's own limit, with the figures that
//! describe it. Renderers match on it; its `Display` is the wording the tables and the JSON
//! have always shown.

use super::*;
use std::fmt;

/// What stops one flow from rising.
#[derive(Debug, Clone, PartialEq)]
pub enum Limiter {
    /// A full shared link.
    Link {
        /// The link's id (`host:SLOT7`).
        id: String,
        /// What it is (`SiI3132, PCIe 1.0 x1`).
        name: String,
        /// Its kind.
        kind: LinkKind,
    },
    /// A drive's sustained media rate.
    DriveMedia {
        /// The drive's bay.
        bay: u32,
        /// Its rate.
        rate: MBps,
        /// The zone it streams in; `None` when `--set drive` gave the rate.
        zone: Option<Zone>,
    },
    /// A drive's own SATA/SAS port.
    DrivePort {
        /// The drive's bay.
        bay: u32,
        /// The negotiated link, raw Gb/s.
        line_gbit_s: f64,
        /// The port's effective capacity.
        rate: MBps,
    },
    /// Linux md's `speed_limit_max`, per device.
    MdMax {
        /// The limit.
        rate: MBps,
    },
    /// Nothing: no shared link or own limit.
    Unbounded,
}

impl Limiter {
    /// The stable id: a link id, `drive-media`, `drive-port`, `md-max` or `none`.
    pub fn id(&self) -> &str {
        match self {
            Limiter::Link { id, .. } => id,
            Limiter::DriveMedia { .. } => "drive-media",
            Limiter::DrivePort { .. } => "drive-port",
            Limiter::MdMax { .. } => "md-max",
            Limiter::Unbounded => "none",
        }
    }

    /// The link's kind, when it is a link.
    pub fn link_kind(&self) -> Option<LinkKind> {
        match self {
            Limiter::Link { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// The limiter of shared link `l`.
    pub(super) fn link(g: &Graph, l: usize) -> Limiter {
        let link = &g.links[l];
        Limiter::Link {
            id: link.id.clone(),
            name: link.name.clone(),
            kind: link.kind,
        }
    }

    /// The limiter of a flow's own limit.
    pub(super) fn own(own: &Own, g: &Graph, params: &Params) -> Limiter {
        match own {
            Own::Media(bay) => Limiter::DriveMedia {
                bay: *bay,
                rate: MBps(drive_index(g, *bay).map_or(0.0, |i| g.drives[i].media.0)),
                zone: params.drive_mb_s.is_none().then_some(params.zone),
            },
            Own::Port(bay) => {
                let (line, r) = drive_index(g, *bay).map_or((0.0, 0.0), |i| {
                    (g.drives[i].port_line.gbit_s, g.drives[i].port.0)
                });
                Limiter::DrivePort {
                    bay: *bay,
                    line_gbit_s: line,
                    rate: MBps(r),
                }
            }
            Own::MdMax => Limiter::MdMax {
                rate: MBps(params.factors.md_max_mb_s),
            },
        }
    }

    /// What an allocation's [`Limit`] of flow `p` is.
    pub(super) fn of(limit: Limit, p: &Planned, g: &Graph, params: &Params) -> Limiter {
        match limit {
            Limit::Demand => Limiter::own(&p.own, g, params),
            Limit::Link(l) => Limiter::link(g, l),
            Limit::Unbounded => Limiter::Unbounded,
        }
    }
}

impl fmt::Display for Limiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limiter::Link { id, name, .. } => write!(f, "{id} ({name})"),
            Limiter::DriveMedia { bay, rate, zone } => {
                let r = rate.0;
                match zone {
                    Some(z) => write!(f, "drive media, bay {bay} ({r:.1} MB/s, {} zone)", z.name()),
                    None => write!(
                        f,
                        "drive media, bay {bay} ({r:.1} MB/s, set with --set drive)"
                    ),
                }
            }
            Limiter::DrivePort {
                bay,
                line_gbit_s,
                rate,
            } => write!(
                f,
                "drive port, bay {bay} ({} Gb/s link, {:.1} MB/s)",
                crate::units::trim_float(*line_gbit_s),
                rate.0
            ),
            Limiter::MdMax { rate } => write!(
                f,
                "Linux md speed_limit_max ({:.1} MB/s per device)",
                rate.0
            ),
            Limiter::Unbounded => f.write_str("nothing: no shared link or own limit"),
        }
    }
}

impl Serialize for Limiter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One limit that binds a set of flows.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    /// What binds.
    pub limiter: Limiter,
    /// How many more of the flows it binds are limited alike (own limits only).
    pub alike: u32,
    /// The link's index in the graph, when it is a link.
    pub link: Option<usize>,
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.alike > 0 {
            let flows = if self.alike == 1 { "flow" } else { "flows" };
            write!(f, "{}, and {} more {flows} alike", self.limiter, self.alike)
        } else {
            self.limiter.fmt(f)
        }
    }
}

/// What binds a workload's slowest flows: links in graph order, then own limits.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Binding(pub Vec<Bound>);

impl Binding {
    /// The ids of what binds, in order.
    pub fn ids(&self) -> Vec<String> {
        self.0.iter().map(|b| b.limiter.id().to_string()).collect()
    }
}

impl fmt::Display for Binding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [] => f.write_str("nothing"),
            [one] => one.fmt(f),
            many => {
                // Several links of one kind tie: name the kind and the ids.
                let ids: Vec<&str> = many.iter().map(|b| b.limiter.id()).collect();
                let kinds: Vec<Option<LinkKind>> =
                    many.iter().map(|b| b.limiter.link_kind()).collect();
                if kinds.iter().all(|k| k.is_some() && *k == kinds[0]) {
                    let kind = kinds[0].map_or("", |k| k.name());
                    write!(f, "{} {kind}s, tied: {}", many.len(), ids.join(", "))
                } else if kinds.iter().all(Option::is_none) {
                    let mut own: Vec<&str> = ids.clone();
                    own.dedup();
                    f.write_str(&own.join(", "))
                } else {
                    f.write_str(&ids.join(", "))
                }
            }
        }
    }
}

impl Serialize for Binding {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Writes two map entries: `id_key` with the stable ids of what binds, and `name_key` with its
/// wording. For `#[serde(flatten, serialize_with = ...)]` on a report's typed limiter.
fn ids_and_name<S: serde::Serializer, T: Serialize + ?Sized, N: fmt::Display>(
    s: S,
    (id_key, ids): (&'static str, &T),
    (name_key, name): (&'static str, &N),
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(2))?;
    m.serialize_entry(id_key, ids)?;
    m.serialize_entry(name_key, &name.to_string())?;
    m.end()
}

/// A flow's limiter as `limited_by` (its id) and `limited_by_name` (its wording), the two
/// fields the JSON has always carried.
pub(super) fn limited_by<S: serde::Serializer>(l: &Limiter, s: S) -> Result<S::Ok, S::Error> {
    ids_and_name(s, ("limited_by", l.id()), ("limited_by_name", l))
}

/// A summary's binding as `binding` (the ids) and `binding_name` (the wording).
pub(super) fn binding<S: serde::Serializer>(b: &Binding, s: S) -> Result<S::Ok, S::Error> {
    ids_and_name(s, ("binding", &b.ids()), ("binding_name", b))
}

/// What binds next as `ids` and `name` (the wording).
pub(super) fn next_binding<S: serde::Serializer>(b: &Binding, s: S) -> Result<S::Ok, S::Error> {
    ids_and_name(s, ("ids", &b.ids()), ("name", b))
}
