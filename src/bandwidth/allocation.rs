//! Allocation: weighted max-min fairness by progressive filling.

use super::*;

/// One flow of an allocation problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    /// The most the flow can use on its own (its private limits), in its own rate unit.
    pub demand: f64,
    /// The links it crosses, each with the load it puts there per unit of its rate.
    pub crossings: Vec<(usize, f64)>,
}

/// What stopped a flow from rising.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Limit {
    /// It reached its own demand.
    Demand,
    /// A saturated link it crosses (index into the capacities).
    Link(usize),
    /// Nothing limits it: infinite demand and no finite link (its rate is infinite).
    Unbounded,
}

/// The result of [`allocate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    /// Rate of each flow.
    pub rates: Vec<f64>,
    /// Load on each link: Σ weight × rate.
    pub load: Vec<f64>,
    /// Whether each link is full.
    pub saturated: Vec<bool>,
    /// What stopped each flow.
    pub limits: Vec<Limit>,
}

/// Relative tolerance of the allocation's comparisons.
pub(crate) const EPS: f64 = 1e-9;

/// Weighted max-min fair allocation by progressive filling.
///
/// Every flow that is still free rises at the same pace; the load on a link rises by the sum
/// of the free flows' weights on it. The rise stops at the first event: a link fills, or a flow
/// reaches its demand. Flows at their demand, and flows crossing a full link, are frozen; the
/// others keep rising. The result is max-min fair: a flow below its demand crosses a full link
/// on which no other flow has a higher rate, so it cannot rise without lowering a flow that is
/// not larger. Capacities may be infinite; a flow with an infinite demand and no finite link is
/// `Unbounded`. At most one round per link plus one per flow.
pub fn allocate(capacity: &[f64], flows: &[Flow]) -> Allocation {
    let nl = capacity.len();
    let nf = flows.len();
    let mut rates = vec![0.0; nf];
    let mut load = vec![0.0; nl];
    let mut saturated = vec![false; nl];
    let mut limits = vec![Limit::Unbounded; nf];
    let mut free: Vec<usize> = Vec::with_capacity(nf);
    for (i, f) in flows.iter().enumerate() {
        if f.demand <= 0.0 || f.demand.is_nan() {
            limits[i] = Limit::Demand;
        } else {
            free.push(i);
        }
    }
    // Links that start full (zero capacity) freeze their flows at once.
    for (l, c) in capacity.iter().enumerate() {
        if *c <= 0.0 {
            saturated[l] = true;
        }
    }
    let mut weight = vec![0.0; nl];
    let mut rounds = 0;
    while !free.is_empty() && rounds <= nl + nf {
        rounds += 1;
        weight.iter_mut().for_each(|w| *w = 0.0);
        for &i in &free {
            for &(l, w) in &flows[i].crossings {
                if w > 0.0 {
                    weight[l] += w;
                }
            }
        }
        let mut step = f64::INFINITY;
        for l in 0..nl {
            if weight[l] > 0.0 && capacity[l].is_finite() {
                step = step.min(((capacity[l] - load[l]) / weight[l]).max(0.0));
            }
        }
        for &i in &free {
            step = step.min(flows[i].demand - rates[i]);
        }
        if !step.is_finite() {
            for &i in &free {
                rates[i] = f64::INFINITY;
                limits[i] = Limit::Unbounded;
            }
            break;
        }
        for &i in &free {
            rates[i] += step;
        }
        for l in 0..nl {
            if weight[l] > 0.0 {
                load[l] += weight[l] * step;
                if capacity[l].is_finite() && capacity[l] - load[l] <= EPS * capacity[l].max(1.0) {
                    saturated[l] = true;
                }
            }
        }
        free.retain(|&i| {
            let f = &flows[i];
            if f.demand.is_finite() && f.demand - rates[i] <= EPS * f.demand.max(1.0) {
                rates[i] = f.demand;
                limits[i] = Limit::Demand;
                return false;
            }
            match f.crossings.iter().find(|(l, w)| *w > 0.0 && saturated[*l]) {
                Some(&(l, _)) => {
                    limits[i] = Limit::Link(l);
                    false
                }
                None => true,
            }
        });
    }
    // Exact loads from the final rates.
    load.iter_mut().for_each(|x| *x = 0.0);
    for (i, f) in flows.iter().enumerate() {
        if rates[i].is_finite() {
            for &(l, w) in &f.crossings {
                load[l] += w * rates[i];
            }
        }
    }
    Allocation {
        rates,
        load,
        saturated,
        limits,
    }
}
