//! The handle is the runtime's `RefOf`, which has no methods of its own (its functions are
//! called as `RefOf::address(&r)`), so handlers named like them, or like what the
//! `Addressed` trait offers, are the ones a method call reaches; the handle's own
//! functions stay reachable by path.
use supervise_runtime::{Handle, RefOf, worker};

pub struct Book;

#[worker]
impl Book {
    fn init() -> Self {
        Book
    }
    #[call]
    fn address(&self) -> String {
        "221B Baker Street".into()
    }
    #[call]
    fn into_address(&self) -> u8 {
        1
    }
    #[cast]
    fn from_address(&mut self) {}
}

async fn use_it(book: BookRef) {
    let street: Result<String, _> = book.address().await;
    let number: Result<u8, _> = book.into_address().await;
    let _: Result<(), _> = book.from_address();
    let _: &Handle<Book> = RefOf::address(&book);
    let _: Handle<Book> = RefOf::into_address(book);
    let _ = (street, number);
}

fn main() {
    let _ = use_it;
}
