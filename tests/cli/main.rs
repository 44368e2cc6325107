//! End-to-end tests: the real `kz` binary against the in-process test API server, each test in
//! its own sandbox (HOME, KUBECONFIG, discovery cache), compared with the real kubectl when it
//! is installed.

mod api_resources;
mod apply;
mod background;
mod basics;
mod colour;
mod compare;
mod completion;
mod config;
mod connection;
mod create;
mod delete;
mod describe;
mod describe_cluster;
mod describe_config;
mod describe_network;
mod describe_pod;
mod describe_workloads;
mod diff;
mod faults;
mod generated;
mod get;
mod get_watch;
mod input_limits;
mod logs;
mod logs_follow;
mod man;
mod plugin;
mod resource;
mod rollout_ops;
mod rollout_status;
mod scale;
mod secrets;
mod signals;
mod support;
mod tables;
mod templates;
mod version;
