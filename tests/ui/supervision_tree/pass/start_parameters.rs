//! Start parameters reach every child's expression, each child getting its own copy, and
//! a restarted child starts from the same arguments.

use std::sync::Arc;

use supervise_runtime::{supervision_tree, worker, AsProcess, ExitReason, Handle};

#[derive(Clone, Debug)]
pub struct Config { pub name: String, pub size: usize }

pub struct Named { config: Config, tag: Arc<str> }
#[worker]
impl Named {
    fn init(config: Config, tag: Arc<str>) -> Self { Named { config, tag } }
    #[call] fn describe(&self) -> String { format!("{}/{}/{}", self.config.name, self.config.size, self.tag) }
}

supervision_tree! {
    pub App(config: Config, tag: Arc<str>, unused: u8): one_for_one {
        a: Named::child_spec(config, tag),
        b: Named::child_spec(Config { size: config.size * 2, ..config }, tag),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let config = Config { name: "cfg".into(), size: 1 };
    let app = App::start(config, "t".into(), 0).await.unwrap();
    let children = app.which_children().await.unwrap();
    let b: NamedRef = Handle::<Named>::from_process(children[1].process.as_ref().unwrap()).unwrap().into();
    assert_eq!(b.describe().await.unwrap(), "cfg/2/t");
    b.process().exit(ExitReason::Kill);
    b.process().wait().await;
    let children = app.which_children().await.unwrap();
    let b: NamedRef = Handle::<Named>::from_process(children[1].process.as_ref().unwrap()).unwrap().into();
    assert_eq!(b.describe().await.unwrap(), "cfg/2/t", "restarted with the same arguments");
    app.stop().await;
}
