//! Serves the observer for a small tree whose jobs crash now and then.
//!
//! Run with `cargo run -p supervise-observer --example observer`, then open the URL it
//! prints (port 4000, or `OBSERVER_PORT`). The kill, terminate and restart buttons are on.

mod observer_tree;

use std::net::{Ipv4Addr, SocketAddr};

use supervise_observer::Observer;

#[tokio::main]
async fn main() {
    let port = std::env::var("OBSERVER_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(4000);
    let root = observer_tree::start(4, true).await;
    let server = Observer::new(root)
        .shape(&observer_tree::Shop::SHAPE)
        .actions(true)
        .bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    println!("{}", observer_tree::Shop::SHAPE);
    println!("observer: {}  (Ctrl-C to stop)", server.url());
    let _ = tokio::signal::ctrl_c().await;
    server.shutdown().await;
}
