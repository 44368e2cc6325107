//! The built-in controllers: what kube-controller-manager, kube-scheduler and the kubelet do
//! to stored objects, simulated one reconcile pass at a time.
//!
//! Every pass runs each controller once, in a fixed order (garbage collector, namespace,
//! deployment, replicaset, statefulset, daemonset, cronjob, job, horizontal pod autoscaler,
//! scheduler and kubelet, node leases, endpoints, then volumes, quotas and disruption budgets).
//! A controller reads the store, decides one step the way the real one would, and writes the
//! result back with optimistic concurrency; a conflicting write is simply retried next pass.
//!
//! Passes are driven by changes: the scheduler and kubelet look only at the pods that changed
//! since their last pass (`Store::changes_since`) and at the ones still moving by themselves
//! (starting, crash-looping, finishing, being deleted), and the garbage collector scans only
//! after a change that can give it work. The other controllers walk their own few objects. So
//! a large cluster where nothing changes costs next to nothing per pass; when the store's
//! history no longer reaches back, a controller looks at everything once, as before.

mod cronjob;
mod daemonset;
mod deployment;
mod disruption;
mod endpoints;
mod gc;
pub mod hash;
mod history;
mod hpa;
mod job;
mod namespace;
mod node_lease;
mod pods;
mod quota;
mod replicaset;
mod schedule;
mod statefulset;
mod util;
mod volumes;

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use crate::store::Store;

/// How the simulated cluster looks and how fast its pods start.
#[derive(Debug, Clone)]
pub struct ControllerConfig {
    /// Scheduling targets. The Node objects themselves are created by the seeding code.
    pub nodes: Vec<String>,
    /// Reconcile passes a new pod takes from Pending through ContainerCreating to Running+Ready.
    pub ticks_to_ready: u32,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        ControllerConfig {
            nodes: vec!["fake-node-1".to_string(), "fake-node-2".to_string()],
            ticks_to_ready: 2,
        }
    }
}

/// Runs the built-in controllers against a store.
pub struct Controller {
    store: Arc<Store>,
    config: ControllerConfig,
    frozen: AtomicBool,
    /// Added to the wall clock, so tests can make deadlines pass without sleeping.
    clock_offset_ms: AtomicI64,
    /// What controllers remember between passes; the lock also serialises passes.
    memory: Mutex<Memory>,
    /// Full passes run so far.
    full_passes: AtomicU64,
}

/// What controllers keep from one pass to the next.
#[derive(Default)]
struct Memory {
    /// The kubelet's and scheduler's state.
    sim: pods::SimState,
    /// How far the garbage collector has looked.
    gc: gc::Seen,
}

/// How often the controllers that read whole collections run when nothing changed.
const RESYNC: Duration = Duration::from_secs(1);

/// Which controllers a pass runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// Every controller.
    Full,
    /// Only those that track changes themselves or wake on time.
    Cheap,
}

/// What every controller gets for one pass: the store, the config and one "now".
pub(crate) struct Ctx<'a> {
    pub store: &'a Store,
    pub config: &'a ControllerConfig,
    pub now: Timestamp,
}

impl Controller {
    pub fn new(store: Arc<Store>, config: ControllerConfig) -> Self {
        Controller {
            store,
            config,
            frozen: AtomicBool::new(false),
            clock_offset_ms: AtomicI64::new(0),
            memory: Mutex::new(Memory::default()),
            full_passes: AtomicU64::new(0),
        }
    }

    /// One pass of every controller, in a fixed order. Deterministic apart from generated
    /// names, uids, IPs and timestamps.
    pub fn reconcile_once(&self) {
        self.pass(Pass::Full);
    }

    fn pass(&self, pass: Pass) {
        let mut memory = self.memory.lock().unwrap_or_else(|e| e.into_inner());
        let memory = &mut *memory;
        let ctx = Ctx {
            store: &self.store,
            config: &self.config,
            now: self.now(),
        };
        gc::reconcile(&ctx, &mut memory.gc);
        if pass == Pass::Full {
            self.full_passes.fetch_add(1, Ordering::SeqCst);
            namespace::reconcile(&ctx);
            deployment::reconcile(&ctx);
            replicaset::reconcile(&ctx);
            statefulset::reconcile(&ctx);
            daemonset::reconcile(&ctx);
        }
        cronjob::reconcile(&ctx);
        if pass == Pass::Full {
            job::reconcile(&ctx);
            hpa::reconcile(&ctx);
        }
        pods::reconcile(&ctx, &mut memory.sim);
        node_lease::reconcile(&ctx);
        if pass == Pass::Full {
            endpoints::reconcile(&ctx);
            volumes::reconcile(&ctx);
            quota::reconcile(&ctx);
            disruption::reconcile(&ctx);
        }
    }

    /// Runs passes every `tick` until the task is dropped or aborted, skipping passes while
    /// frozen. The controllers that read whole collections (workloads, endpoints, volumes,
    /// quotas, disruption budgets) run when the store changed since their last pass, and
    /// otherwise once every `RESYNC` — for what time alone moves on (minReadySeconds, progress
    /// deadlines, job deadlines), as the real controllers resync — so a still cluster with
    /// workloads costs next to nothing however many pods it holds. The garbage collector,
    /// CronJobs, the kubelet and the scheduler (which track changes themselves, or wake on
    /// time) and node leases run on every tick. `step` always runs full passes.
    pub async fn run(self: Arc<Self>, tick: Duration) {
        let mut interval = tokio::time::interval(tick);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut seen: Option<u64> = None;
        let mut last_full = tokio::time::Instant::now();
        loop {
            interval.tick().await;
            if self.is_frozen() {
                continue;
            }
            let version = self.store.resource_version();
            let pass = if seen != Some(version) || last_full.elapsed() >= RESYNC {
                last_full = tokio::time::Instant::now();
                Pass::Full
            } else {
                Pass::Cheap
            };
            self.pass(pass);
            // The version before the pass: whatever any pass wrote since is a change the next
            // tick's full pass sees.
            if pass == Pass::Full {
                seen = Some(version);
            }
        }
    }

    pub fn freeze(&self) {
        self.frozen.store(true, Ordering::SeqCst);
    }

    pub fn resume(&self) {
        self.frozen.store(false, Ordering::SeqCst);
    }

    pub fn is_frozen(&self) -> bool {
        self.frozen.load(Ordering::SeqCst)
    }

    /// Runs `n` passes right now, frozen or not: tests use this to step a rollout.
    pub fn step(&self, n: u32) {
        for _ in 0..n {
            self.reconcile_once();
        }
    }

    /// How many full passes have run (see `run`).
    #[cfg(test)]
    fn full_passes(&self) -> u64 {
        self.full_passes.load(Ordering::SeqCst)
    }

    /// How many pods the kubelet looks at on every pass even when nothing changed.
    #[cfg(test)]
    fn busy_pods(&self) -> usize {
        let memory = self.memory.lock().unwrap_or_else(|e| e.into_inner());
        memory.sim.busy()
    }

    /// Moves the controllers' clock forward, so time-based behaviour (progress deadlines,
    /// minReadySeconds) can be tested without sleeping.
    pub fn advance_clock(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.clock_offset_ms.fetch_add(ms, Ordering::SeqCst);
    }

    /// The controllers' "now": the wall clock plus whatever `advance_clock` added.
    pub fn now(&self) -> Timestamp {
        let offset = SignedDuration::from_millis(self.clock_offset_ms.load(Ordering::SeqCst));
        Timestamp::now()
            .saturating_add(offset)
            .unwrap_or(Timestamp::MAX)
    }
}

#[cfg(test)]
mod tests;
