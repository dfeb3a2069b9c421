//! Bridgeway: case management for probation, pretrial services and diversion
//! programs. See `docs/ARCHITECTURE.md` for how the parts fit.

pub mod app;
pub mod archive;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod gateways;
pub mod keyring;
pub mod server;
pub mod store;
pub mod web;
