//! A counter bank account's statement export (对账单, 账户明细, 交易明细) read into its credits
//! (money in), and the credits matched to the cases waiting for their money. The statement is
//! read through `certdesk-roster`'s table reader (XLSX, XLS, ODS; CSV in UTF-8, UTF-16 or GBK,
//! the file measured before it is inflated), its first sheet; its columns are found by their
//! Chinese headers below any title rows, as the big banks' exports name them; every row is a
//! credit, a debit or zero row (counted), a totals or note row (passed over) or a problem by row
//! and column, and one bad row never costs the others. Matching follows the CAs' rules: the
//! applicant unit pays, a private person's transfer is refused, one credit pays one case or
//! several of one unit together, first come first served. Library only: no database, no
//! printing, no environment; what is recorded of a match is the caller's.
//!
//! ```
//! use certdesk_bank::{WaitingCase, match_credits, read_statement};
//! use std::collections::HashSet;
//! let csv = "某银行账户明细\n交易日期,对方户名,对方账号,借方发生额,贷方发生额,摘要\n\
//!            2025/09/29,广州市示例科技有限公司,44050100000000009999,,\"1,100.00\",CA费用\n";
//! let statement = read_statement(csv.as_bytes()).unwrap();
//! let day = chrono::NaiveDate::from_ymd_opt(2025, 9, 20).unwrap();
//! let waiting = |number: &str, fee: &str| WaitingCase {
//!     number: number.into(),
//!     unit_name: "广州市示例科技有限公司".into(),
//!     fee: fee.parse().unwrap(),
//!     received: day,
//!     references: vec![],
//! };
//! let cases = [waiting("GZ01-20250920-0001", "700.00"), waiting("GZ01-20250920-0002", "400.00")];
//! let matching = match_credits(&statement.credits, &cases, &HashSet::new());
//! assert_eq!(matching.matched[0].cases, ["GZ01-20250920-0001", "GZ01-20250920-0002"]);
//! ```

#![warn(clippy::unwrap_used)]

mod cells;
mod columns;
mod error;
mod matching;
pub mod normalize;
pub mod payer;
mod statement;

pub use columns::{Field, HEADER_SEARCH_ROWS};
pub use error::{BankError, RowProblem};
pub use matching::{Match, Matching, Refused, Unmatched, WaitingCase, match_credits};
pub use statement::{Credit, MAX_ROWS, Statement, read_statement};
