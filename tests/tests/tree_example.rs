//! `examples/tree.rs`: a crash at each level of a three-level tree restarts what that
//! level's strategy says, in order.

#[allow(dead_code)]
#[path = "../../examples/tree.rs"]
mod tree;

#[tokio::test(start_paused = true)]
async fn each_level_of_the_example_restarts_by_its_strategy() {
    let steps = tree::run().await;
    let restarted: Vec<Vec<&str>> = steps
        .iter()
        .map(|(_, done)| done.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        restarted,
        [
            vec!["stop e", "stop f", "start e", "start f"],
            vec![
                "stop c", "stop f", "stop e", "stop d", "stop b", "start b", "start c", "start d",
                "start e", "start f",
            ],
            vec!["stop a", "start a"],
        ]
    );
}
