//! The read benchmark (written next).
fn main() {}
